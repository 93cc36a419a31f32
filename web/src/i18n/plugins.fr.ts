// Messages français de la page d’administration des extensions.
import type { PluginMessages } from './plugins.en';

const pluginsFr: PluginMessages = {
  nav: 'Extensions',
  title: 'Extensions',
  intro:
    'Les extensions enrichissent le guichet sans le modifier : leurs propres routes, des écoutes des événements des tickets, leurs tables et leurs réglages. Le guichet charge au démarrage celles que nomme le réglage PLUGINS ; celle qui échoue est écartée et le guichet continue sans elle.',
  empty: 'Aucune extension n’est chargée. Nommez des dossiers ou des paquets npm dans le réglage PLUGINS (séparés par des virgules) et redémarrez l’API et les workers.',
  version: 'version {version}',
  entry: 'Chargée depuis',
  status: { running: 'En service', not_configured: 'À configurer', failed: 'Échec du chargement' },
  failed: 'Hors service :',
  needsSettings: 'Elle attend ses réglages : ses routes répondent 503 et elle n’entend aucun événement de ticket tant qu’ils sont incomplets.',
  adds: 'Ce qu’elle ajoute',
  addsNothing: 'Rien pour l’instant.',
  access: { public: 'tout le monde', user: 'utilisateurs connectés', admin: 'administrateurs' },
  listeners: 'Écoute les événements des tickets ({count} écoute) | Écoute les événements des tickets ({count} écoutes)',
  actions: 'Actions que les escalades des définitions et les règles d’automatisation peuvent lancer : {list}',
  pages: 'Pages de la console (sous Extensions dans la barre du haut) : {list}',
  panels: 'Panneaux à côté de la page ticket des agents : {list}',
  migrations: 'Ses propres tables, migrations appliquées : {list}',
  settings: 'Réglages',
  savedAt: 'Enregistrés le {date}.',
  required: 'obligatoire',
  choose: 'Choisir…',
  secretKept: 'Défini — laissez vide pour le garder',
  secretClear: 'Effacer ce secret',
  notJson: 'Ce n’est pas du JSON valide.',
  reset: 'Annuler les modifications',
  save: 'Enregistrer les réglages',
  saved: 'Les réglages de {name} sont enregistrés ; chaque processus les utilise d’ici 5 secondes.',
  recentErrors: 'Erreurs récentes',
  noErrors: 'Aucune erreur récemment.',
  at: 'Quand',
  process: 'Processus',
  phase: 'Pendant',
  message: 'Erreur',
  processes: { api: 'API', worker: 'Worker' },
  phases: { load: 'le chargement', migration: 'la migration', route: 'une requête', listener: 'l’écoute des événements', action: 'une action' },
};

export default pluginsFr;
