// The Aura theme split by area: the first load (shell, login, portal) carries only the component tokens it renders;
// staff areas add the rest (theme/full.ts) before their pages mount. A component newly used by the shell, the login
// page or the portal must be added to SHELL_COMPONENTS, or it renders without its design tokens.
import base from '@primeuix/themes/aura/base';
import css from '@primeuix/themes/aura/css';
import badge from '@primeuix/themes/aura/badge';
import button from '@primeuix/themes/aura/button';
import card from '@primeuix/themes/aura/card';
import checkbox from '@primeuix/themes/aura/checkbox';
import dialog from '@primeuix/themes/aura/dialog';
import divider from '@primeuix/themes/aura/divider';
import fileupload from '@primeuix/themes/aura/fileupload';
import inputtext from '@primeuix/themes/aura/inputtext';
import message from '@primeuix/themes/aura/message';
import progressbar from '@primeuix/themes/aura/progressbar';
import progressspinner from '@primeuix/themes/aura/progressspinner';
import radiobutton from '@primeuix/themes/aura/radiobutton';
import select from '@primeuix/themes/aura/select';
import selectbutton from '@primeuix/themes/aura/selectbutton';
import skeleton from '@primeuix/themes/aura/skeleton';
import tag from '@primeuix/themes/aura/tag';
import textarea from '@primeuix/themes/aura/textarea';
import togglebutton from '@primeuix/themes/aura/togglebutton';
import tooltip from '@primeuix/themes/aura/tooltip';

// selectbutton is made of togglebuttons; select opens a list that may scroll (virtualscroller not used by default).
const SHELL_COMPONENTS = {
  badge, button, card, checkbox, dialog, divider, fileupload, inputtext, message, progressbar, progressspinner, radiobutton,
  select, selectbutton, skeleton, tag, textarea, togglebutton, tooltip,
};

export const shellPreset = { ...base, components: SHELL_COMPONENTS, css };
