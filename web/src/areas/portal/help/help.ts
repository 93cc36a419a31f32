// Customer help centre pages, loaded together as their own chunk when a customer opens the help centre.
export { default as HelpPage } from './HelpPage.vue';
export { default as HelpArticlePage } from './HelpArticlePage.vue';
