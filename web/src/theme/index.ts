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

// WCAG AA asks 4.5:1 for text: Aura's emerald-500 primary gives 2.5:1 on white (the brand, links, outlined and text
// buttons), emerald-700 gives 5.5:1, and white on it as much for filled buttons.
const light = base.semantic?.colorScheme?.light ?? {};
const semantic = {
  ...base.semantic,
  colorScheme: {
    ...base.semantic?.colorScheme,
    light: { ...light, primary: { color: '{primary.700}', contrastColor: '#ffffff', hoverColor: '{primary.800}', activeColor: '{primary.900}' }, highlight: { ...(light as { highlight?: object }).highlight, color: '{primary.800}', focusColor: '{primary.900}' } },
  },
};

// An unchosen option of a SelectButton (public reply / internal note) reads surface-500 on surface-100, 4.3:1: one step darker.
export const readableTogglebutton = {
  ...togglebutton,
  colorScheme: {
    ...togglebutton.colorScheme,
    light: { ...togglebutton.colorScheme?.light, root: { ...togglebutton.colorScheme?.light?.root, color: '{surface.600}' }, icon: { ...togglebutton.colorScheme?.light?.icon, color: '{surface.600}' } },
  },
};

// A message's text reads {colour}.600 on a tint of the same colour, 3.2:1 for green: two steps darker, 4.5:1 and more.
const messageLight = message.colorScheme?.light as Record<string, Record<string, unknown>> | undefined;
export const readableMessage = {
  ...message,
  colorScheme: {
    ...message.colorScheme,
    light: {
      ...messageLight,
      ...Object.fromEntries(
        (['info', 'success', 'warn', 'error'] as const).map((severity) => {
          const hue = { info: 'blue', success: 'green', warn: 'yellow', error: 'red' }[severity];
          return [severity, { ...messageLight?.[severity], color: `{${hue}.800}` }];
        }),
      ),
    },
  },
};

// A text or outlined danger button (delete in a table row) reads red-500 on white, 3.8:1: red-700 reads 6.5:1.
const buttonLight = button.colorScheme?.light as Record<string, Record<string, Record<string, unknown>>> | undefined;
export const readableButton = {
  ...button,
  colorScheme: {
    ...button.colorScheme,
    light: {
      ...buttonLight,
      text: { ...buttonLight?.text, danger: { ...buttonLight?.text?.danger, color: '{red.700}' } },
      outlined: { ...buttonLight?.outlined, danger: { ...buttonLight?.outlined?.danger, color: '{red.700}' } },
    },
  },
};

export const shellPreset = { ...base, semantic, components: { ...SHELL_COMPONENTS, togglebutton: readableTogglebutton, message: readableMessage, button: readableButton }, css };
