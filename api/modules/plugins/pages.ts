// Console pages plug-ins add (under Plug-ins in the top bar): which ones the caller may open, and one's content,
// loaded and checked by content.ts.
import { ProblemError } from '../../http/problem';
import type { AuthUser } from '../auth/types';
import type { PluginSet } from '../../../platform/plugins/loader';
import type { PluginPage } from '../../../platform/plugins/v1';
import { loadContent, pageContentSchema, runningPlugins, titleIn } from './content';

const mayOpen = (user: AuthUser, page: PluginPage) => user.role !== 'customer' && (page.access === 'staff' || user.role === 'admin');

export class PluginPages {
  constructor(private readonly set: PluginSet | null) {}

  async list(user: AuthUser) {
    if (user.role === 'customer') throw new ProblemError(403, 'forbidden', 'Forbidden', 'plug-in pages are for agents and admins');
    const plugins = await runningPlugins(this.set, (p) => p.pages.length > 0);
    return {
      items: plugins.flatMap((p) => p.pages.filter((page) => mayOpen(user, page)).map((page) => ({ plugin: p.name, key: page.key, title: titleIn(page.title, user.locale), access: page.access }))),
    };
  }

  async content(user: AuthUser, pluginName: string, key: string) {
    if (user.role === 'customer') throw new ProblemError(403, 'forbidden', 'Forbidden', 'plug-in pages are for agents and admins');
    const plugin = (await runningPlugins(this.set, (p) => p.name === pluginName))[0];
    const page = plugin?.pages.find((p) => p.key === key);
    if (!plugin || !page) throw new ProblemError(404, 'not-found', 'Not found', `no running plug-in ${pluginName} has a page ${key}`);
    if (!mayOpen(user, page)) throw new ProblemError(403, 'forbidden', 'Forbidden', `the page ${key} of ${pluginName} is for admins`);
    const content = await loadContent(this.set!, plugin, `page ${key}`, () => page.load({ caller: { id: user.id, email: user.email, role: user.role }, locale: user.locale === 'fr' ? 'fr' : 'en' }), pageContentSchema);
    return { plugin: pluginName, key, title: titleIn(page.title, user.locale), content };
  }
}
