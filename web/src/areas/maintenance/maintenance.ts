// Maintenance area entry (agents and admins): assets, plans and the calendar, loaded together as the `maintenance` chunk.
// Before any page mounts: every PrimeVue component's tokens and the staff messages, as the agent area loads them.
import '../../theme/full';
import '../../i18n/workspace';
export { default as AssetsPage } from './AssetsPage.vue';
export { default as AssetPage } from './AssetPage.vue';
export { default as PlansPage } from './PlansPage.vue';
export { default as PlanEditor } from './PlanEditor.vue';
export { default as CalendarPage } from './CalendarPage.vue';
