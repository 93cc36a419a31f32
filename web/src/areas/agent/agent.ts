// Agent area entry: the pages the router loads together as the `agent` chunk.
export { default as TicketsPage } from './TicketsPage.vue';
export { default as TicketPage } from './TicketPage.vue';
