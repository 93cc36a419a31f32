// Knowledge-base pages for agents and admins, loaded together as their own chunk (only when someone opens the knowledge base).
export { default as KbListPage } from './KbListPage.vue';
export { default as KbEditorPage } from './KbEditorPage.vue';
