// Reports area entry: the page the router loads as the `reports` chunk (Chart.js ships only here).
export { default as ReportsPage } from './ReportsPage.vue';
