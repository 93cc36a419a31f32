// English messages of the plug-ins admin page; French mirrors this shape in plugins.fr.ts.
const pluginsEn = {
  nav: 'Plug-ins',
  title: 'Plug-ins',
  intro:
    'Plug-ins extend the desk without a fork: routes of their own, listeners on ticket events, their own tables and settings. The desk loads those named by the PLUGINS setting when it starts; one that fails is left out and the desk carries on without it.',
  empty: 'No plug-in is loaded. Name folders or npm packages in the PLUGINS setting (comma-separated) and restart the API and the workers.',
  version: 'version {version}',
  entry: 'Loaded from',
  status: { running: 'Running', not_configured: 'Needs settings', failed: 'Failed to load' },
  failed: 'Not running:',
  needsSettings: 'It waits for its settings: its routes answer 503 and it hears no ticket event until they are complete.',
  adds: 'What it adds',
  addsNothing: 'Nothing yet.',
  access: { public: 'anyone', user: 'signed-in users', admin: 'admins' },
  listeners: 'Hears ticket events ({count} listener) | Hears ticket events ({count} listeners)',
  migrations: 'Its own tables, migrations applied: {list}',
  settings: 'Settings',
  savedAt: 'Last saved {date}.',
  required: 'required',
  choose: 'Choose…',
  secretKept: 'Set — leave empty to keep it',
  secretClear: 'Clear this secret',
  notJson: 'This is not valid JSON.',
  reset: 'Undo changes',
  save: 'Save settings',
  saved: 'The settings of {name} are saved; every process uses them within 5 seconds.',
  recentErrors: 'Recent errors',
  noErrors: 'No error lately.',
  at: 'When',
  process: 'Process',
  phase: 'While',
  message: 'Error',
  processes: { api: 'API', worker: 'Worker' },
  phases: { load: 'loading', migration: 'migrating', route: 'answering a request', listener: 'hearing ticket events' },
};

export type PluginMessages = typeof pluginsEn;
export default pluginsEn;
