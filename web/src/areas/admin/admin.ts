// Admin area entry: the pages the router loads together as the `admin` chunk.
export { default as DefinitionsPage } from './DefinitionsPage.vue';
export { default as WebhooksPage } from './WebhooksPage.vue';
export { default as MailPage } from './MailPage.vue';
export { default as DesignerPage } from './designer/DesignerPage.vue';
