// Messages français de la page d'import (même forme que imports.en.ts).
import type { ImportMessages } from './imports.en';

const importsFr: ImportMessages = {
  nav: 'Import',
  title: 'Import',
  intro:
    "Importez organisations, personnes, équipements et tickets depuis un fichier CSV ou depuis Request Tracker 5. Vérifiez d'abord : une simulation lit chaque ligne et signale toutes celles que le guichet ne peut pas reprendre, sans rien écrire. Un import écrit tout ou rien, et un second import de la même source met à jour ce que le premier a créé au lieu de le dupliquer.",
  csv: {
    title: "Depuis un fichier CSV",
    kind: 'Contenu du fichier',
    kinds: { organisations: 'Organisations', users: 'Personnes', assets: 'Équipements', tickets: 'Tickets' },
    source: 'Nom de la source',
    sourceHint: 'Minuscules, chiffres, . _ - (p. ex. glpi-2024). Importez de nouveau la même source pour la mettre à jour.',
    file: 'Fichier',
    choose: 'Choisir un fichier CSV',
    chosen: '{name} ({size})',
    columns: "Colonnes (ligne d'en-tête, dans n'importe quel ordre) :",
    example: 'Télécharger un fichier d’exemple.',
    required: 'obligatoire',
    columnHelp: {
      organisations: 'name (obligatoire), id.',
      users: "email et name (obligatoires), id, role (customer ou agent), organisation, locale (en ou fr), phone, disabled (true ou false). Un fichier ne crée jamais d'administrateur.",
      assets: 'name (obligatoire), id, kind (equipment, site ou service), category, location, criticality (low, medium, high, critical).',
      tickets:
        "id, title, requester (une adresse e-mail) et created_at (obligatoires) ; type, description, priority, state (un état du workflow du type), queue, requester_name, assignee (l'e-mail d'un agent), updated_at, resolved_at, closed_at, tags (séparés par ;), field.<nom> pour un champ du ticket, et autant de colonnes comment et note que voulu, écrites « date;e-mail de l'auteur;texte ». Dates au format ISO 8601 (2024-03-01 ou 2024-03-01T14:05:00Z ; UTC sans fuseau). Les tickets clos sont conservés comme historique ; les autres sont traités dans le guichet à partir de leur état importé.",
    },
  },
  rt: {
    title: 'Depuis Request Tracker 5',
    intro:
      "Lit tout un guichet Request Tracker 5 par son API REST2 : ses files, ses personnes (les utilisateurs privilégiés deviennent agents) et ses tickets avec leurs réponses (publiques), commentaires (internes) et fichiers. Les tickets résolus et rejetés sont conservés comme historique ; les nouveaux, ouverts et en attente sont traités ici. Rien n'est modifié dans Request Tracker.",
    url: 'Adresse de Request Tracker',
    token: "Jeton d'authentification",
    tokenHint: "Dans Request Tracker : Connecté en tant que → Préférences → Jetons d'authentification, pour un utilisateur qui voit toutes les files. Utilisé pour cet import seulement, jamais conservé.",
    query: 'Tickets (TicketSQL, facultatif)',
    queryPlaceholder: 'id > 0',
    ticketType: 'Type de ticket',
  },
  check: 'Vérifier (simulation)',
  import: 'Importer',
  checkFirst: "Vérifiez d'abord le fichier : l'import est proposé dès qu'une simulation n'a rien trouvé à redire.",
  working: 'Lecture et vérification…',
  report: {
    title: 'Compte rendu',
    dryRun: "Simulation : rien n'a été écrit.",
    written: 'Importé en {seconds} s.',
    refused: "Rien n'a été écrit : {count} problème relevé (ci-dessous). Corrigez le fichier et vérifiez-le de nouveau. | Rien n'a été écrit : {count} problèmes relevés (ci-dessous). Corrigez le fichier et vérifiez-le de nouveau.",
    clean: 'Toutes les lignes peuvent être importées.',
    rows: 'Lignes',
    created: 'Nouveaux',
    updated: 'Mis à jour',
    unchanged: 'Inchangés',
    skipped: 'Laissés tels quels',
    usersCreated: 'Personnes ajoutées',
    workflowsStarted: 'Tickets désormais traités',
    errors: 'Lignes que le guichet ne peut pas reprendre',
    moreErrors: 'Les {shown} premières sur {count} sont listées.',
    row: 'Ligne',
    column: 'Colonne',
    message: 'Raison',
    notes: 'Remarques',
  },
  runs: {
    title: 'Imports récents',
    none: "Aucun import pour l'instant.",
    when: 'Lancé le',
    source: 'Source',
    kind: 'Contenu',
    outcome: 'Résultat',
    counts: 'Lignes',
    dryRun: 'simulation',
    requestTracker: 'Request Tracker',
    outcomes: { running: 'En cours', done: 'Terminé', refused: 'Refusé', failed: 'Échec' },
    summary: '{rows} lignes : {created} nouvelles, {updated} mises à jour, {unchanged} inchangées',
  },
};

export default importsFr;
