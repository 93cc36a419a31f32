// Customer service catalogue pages, loaded together as their own chunk when a customer opens the catalogue.
// Its forms render pickers and number inputs the portal's first load has no design tokens for: add them all.
import '../../../theme/full';
export { default as CataloguePage } from './CataloguePage.vue';
export { default as CatalogueRequestPage } from './CatalogueRequestPage.vue';
