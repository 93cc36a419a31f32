// Reports area entry: the page the router loads as the `reports` chunk (Chart.js ships only here).
// Before any page mounts: every PrimeVue component's tokens and the staff messages, as the agent area loads them.
import '../../theme/full';
import '../../i18n/workspace';
export { default as ReportsPage } from './ReportsPage.vue';
