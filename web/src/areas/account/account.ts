// Account area entry: the signed-in user's own settings, loaded as the `account` chunk by every role.
export { default as NotificationsPage } from './NotificationsPage.vue';
