// Customer portal entry: the pages the router loads together as the `portal` chunk.
export { default as PortalHome } from './PortalHome.vue';
export { default as PortalTicketPage } from './PortalTicketPage.vue';
