// Every Aura component's tokens, added when a staff area (agent, admin) loads, before its pages mount; those areas may
// use any PrimeVue component without listing it. Imported for its effect only. The shell's own adjustments stay.
import { updatePreset } from '@primeuix/themes';
import Aura from '@primeuix/themes/aura';
import { readableButton, readableMessage, readableTogglebutton } from './index';

updatePreset({ components: { ...Aura.components, togglebutton: readableTogglebutton, message: readableMessage, button: readableButton } });
