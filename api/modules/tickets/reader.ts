// One ticket as a caller may read it: found only when it is visible to them, and labelled in their terms.
import { notFound } from '../../http/problem';
import type { AuthUser } from '../auth/types';
import type { DefinitionService } from '../definitions/service';
import { visibleTo } from './policy';
import type { TicketRepository } from './repository';

export class TicketReader {
  constructor(
    private readonly repo: TicketRepository,
    private readonly defs: DefinitionService,
  ) {}

  /** Not found rather than forbidden, so a customer cannot probe which ticket ids exist. Ids arrive checked as UUIDs (path convention or body schema). */
  async visibleRow(user: AuthUser, id: string) {
    const row = await this.repo.find(id, visibleTo(user));
    if (!row) throw notFound(`no ticket ${id}`);
    return row;
  }

  /** The state's label in both languages, from the ticket's own definition version; tags are the agents' own labels, so customers get none. */
  async labelled<T extends { state: string; definition: { key: string; version: number }; tags: string[] }>(
    user: AuthUser,
    view: T,
  ): Promise<T & { stateLabel: { en: string; fr: string } }> {
    const labels = (await this.defs.labels(view.definition.key, view.definition.version)).states;
    return { ...view, ...(user.role === 'customer' ? { tags: [] } : {}), stateLabel: labels.get(view.state) ?? { en: view.state, fr: view.state } };
  }
}
