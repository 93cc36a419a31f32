// One choice in the role pickers (accounts, directory group mappings): a built-in role, or `custom:<key>` for an agent
// holding that custom role.
import { computed, ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { roleValues, type CustomRole, type Role } from '../../api/generated';

export type RoleChoice = Role | `custom:${string}`;

export const choiceOf = (role: Role, customRole?: string | null): RoleChoice => (customRole ? `custom:${customRole}` : role);
export const customRoleOf = (choice: RoleChoice): string | null => (choice.startsWith('custom:') ? choice.slice('custom:'.length) : null);
/** A custom role is held by an agent. */
export const builtInRoleOf = (choice: RoleChoice): Role => (customRoleOf(choice) !== null ? 'agent' : (choice as Role));

/** The choices, the built-in roles named by `builtInLabel`, then the custom roles `customRoles` holds (filled by the page). */
export function useRoleChoices(builtInLabel: (role: Role) => string) {
  const { t } = useI18n();
  const customRoles = ref<CustomRole[]>([]);
  const options = computed(() => [
    ...roleValues.map((value) => ({ value: value as RoleChoice, label: builtInLabel(value) })),
    ...customRoles.value.map((r) => ({ value: `custom:${r.key}` as RoleChoice, label: t('iam.customRole', { name: r.name }) })),
  ]);
  return { customRoles, options };
}
