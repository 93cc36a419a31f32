// Staff-area messages (agent workspace, identity admin), merged when the agent or admin area loads so the first load
// of the login page and the portal does not carry them. Both languages are typed against English, key for key.
import { i18n } from './index';
import { iamEn, macrosEn, queueEn, relationsEn } from './workspace.en';
import { iamFr, macrosFr, queueFr, relationsFr } from './workspace.fr';

i18n.global.mergeLocaleMessage('en', { queue: queueEn, iam: iamEn, macros: macrosEn, relations: relationsEn });
i18n.global.mergeLocaleMessage('fr', { queue: queueFr, iam: iamFr, macros: macrosFr, relations: relationsFr });
