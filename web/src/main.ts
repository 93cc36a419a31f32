// Boots the console: Pinia, i18n, router and PrimeVue with the Aura theme, then mounts the app.
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import PrimeVue from 'primevue/config';
import 'primeicons/primeicons.css';
import './styles.css';
import App from './App.vue';
import { i18n } from './i18n';
import { router } from './router';
import { shellPreset } from './theme';

const app = createApp(App);
app.use(createPinia());
app.use(i18n);
app.use(router);
app.use(PrimeVue, {
  unstyled: false,
  theme: { preset: shellPreset, options: { darkModeSelector: '.guichet-dark' } },
});
app.mount('#app');
