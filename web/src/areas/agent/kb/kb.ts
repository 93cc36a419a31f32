// Knowledge-base pages for agents and admins, loaded together as their own chunk (only when someone opens the knowledge base).
// Before any page mounts: every PrimeVue component's tokens and the staff messages, as the agent area loads them.
import '../../../theme/full';
import '../../../i18n/workspace';
export { default as KbListPage } from './KbListPage.vue';
export { default as KbEditorPage } from './KbEditorPage.vue';
