// Approvals area entry: the approver's list and the mailed link's page, loaded as the `approvals` chunk by every role.
import '../../theme/full';
export { default as ApprovalsPage } from './ApprovalsPage.vue';
export { default as LinkApprovalPage } from './LinkApprovalPage.vue';
