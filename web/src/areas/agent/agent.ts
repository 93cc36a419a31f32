// Agent area entry: the pages the router loads together as the `agent` chunk.
// Before any page of the area mounts: the tokens of every PrimeVue component it may render.
import '../../theme/full';
import '../../i18n/workspace';
export { default as TicketsPage } from './TicketsPage.vue';
export { default as TicketPage } from './TicketPage.vue';
export { default as MacrosPage } from './MacrosPage.vue';
export { default as PluginPagesPage } from './PluginPagesPage.vue';
