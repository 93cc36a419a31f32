// French messages of SLA policies, typed against the English ones so a missing key fails the type check.
import type { SlaPolicyMessages } from './sla-policies.en';

const slaPoliciesFr: SlaPolicyMessages = {
  nav: 'Politiques de SLA',
  title: 'Politiques de SLA',
  intro: "Des cibles par priorité et des heures ouvrées pour les tickets d'organisations clientes choisies, à la place de celles de la définition de workflow. Un ticket garde la politique sous laquelle il a été ouvert ; un changement ici vaut pour les tickets ouverts ensuite.",
  new: 'Nouvelle politique',
  empty: 'Aucune politique : chaque ticket suit sa définition.',
  name: 'Nom',
  organisations: 'Organisations',
  none: "Aucune organisation pour l'instant",
  tickets: 'Tickets',
  edit: 'Modifier',
  delete: 'Supprimer',
  deleteConfirm: 'Supprimer la politique {name} ? Ses tickets gardent les cibles avec lesquelles ils ont été ouverts.',
  save: 'Enregistrer',
  cancel: 'Annuler',
  hours: 'Décompté',
  roundTheClock: 'En continu (24 h/24, 7 j/7)',
  businessHours: 'En heures ouvrées',
  timeZone: 'Fuseau horaire',
  holidays: 'Jours fériés (une date par ligne, AAAA-MM-JJ)',
  days: { mon: 'Lundi', tue: 'Mardi', wed: 'Mercredi', thu: 'Jeudi', fri: 'Vendredi', sat: 'Samedi', sun: 'Dimanche' },
  from: 'De',
  to: 'À',
  targets: 'Cibles (minutes)',
  targetsHelp: 'Une priorité laissée vide garde les cibles de la définition.',
  priority: 'Priorité',
  firstResponse: 'Première réponse',
  resolution: 'Résolution',
  warnAt: 'Alerte à (%)',
  onTicket: 'Politique de SLA : {name}',
  saved: 'Enregistrée.',
  invalid: "La politique n'a pas été enregistrée : voyez les éléments signalés ci-dessous.",
};

export default slaPoliciesFr;
