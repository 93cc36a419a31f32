// French messages of the ticket types admin page, typed against the English ones so a missing key fails the type check.
import type { TicketTypeMessages } from './ticket-types.en';

const ticketTypesFr: TicketTypeMessages = {
  nav: 'Types de ticket',
  title: 'Types de ticket',
  intro: 'Des types de travail au-delà des incidents, demandes de service, problèmes et ordres de travail. Chacun suit un workflow publié (ses états, champs et SLA) ; un changement de workflow vaut pour les tickets ouverts ensuite.',
  new: 'Nouveau type de ticket',
  builtIn: 'Intégré',
  definition: 'Workflow',
  definitionHint: 'Les tickets de ce type suivent sa dernière version publiée.',
  listed: 'Les workflows qui le citent',
  customers: 'Ouvrable par les clients',
  customersMayOpen: 'Les clients peuvent l’ouvrir depuis le portail',
  nameEn: 'Nom (anglais)',
  nameFr: 'Nom (français)',
  edit: 'Modifier',
  editOf: 'Modifier {name}',
  remove: 'Supprimer',
  removeOf: 'Supprimer {name}',
  saved: 'Type de ticket {name} enregistré.',
  removed: 'Type de ticket {name} supprimé.',
};
export default ticketTypesFr;
