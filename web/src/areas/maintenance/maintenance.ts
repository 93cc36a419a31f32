// Maintenance area entry (agents and admins): assets, plans and the calendar, loaded together as the `maintenance` chunk.
export { default as AssetsPage } from './AssetsPage.vue';
export { default as AssetPage } from './AssetPage.vue';
export { default as PlansPage } from './PlansPage.vue';
export { default as PlanEditor } from './PlanEditor.vue';
export { default as CalendarPage } from './CalendarPage.vue';
