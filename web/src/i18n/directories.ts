// The Directories screen's messages, merged with the admin area (its navigation names the screen).
import { i18n } from './index';
import { directoriesEn } from './directories.en';
import { directoriesFr } from './directories.fr';

i18n.global.mergeLocaleMessage('en', { directories: directoriesEn });
i18n.global.mergeLocaleMessage('fr', { directories: directoriesFr });
