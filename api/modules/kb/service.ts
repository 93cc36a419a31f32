// Knowledge-base rules: who reads which article, translations saved with a revision each, restore, search and suggestions, feedback, deflection, drafts from tickets.
import { randomUUID } from 'node:crypto';
import { LockMode, raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { KbArticle, KbCategory, KbEvent, KbFeedback, KbRevision, KbTranslation, User } from '../../../platform/db/entities/index';
import { badRequest, conflict, notFound, unprocessable } from '../../http/problem';
import { iso, isoOrNull } from '../../../platform/db/time';
import type { AuthUser } from '../auth/types';
import type { TicketService } from '../tickets/service';
import { renderMarkdown } from '../tickets/markdown';
import { isStaff, readableSql, requireCategoryAdmin, requireEditor, suggestibleSql } from './policy';
import { KbRepository, type ArticleRow, type HitRow, type TranslationRow } from './repository';
import { LOCALES, type CategoryBody, type CreateArticleBody, type EventBody, type FromTicketBody, type KbLocale, type PatchArticleBody, type SaveTranslationBody, type SearchQuery } from './schemas';
import { escapeHtml, excerpt, orQuery, plainText, snippetHtml } from './text';
import { unlessTaken } from '../../http/unique-conflict';


const preferredLocale = (user: AuthUser): KbLocale => (user.locale === 'fr' ? 'fr' : 'en');

export function checkLocale(value: string): KbLocale {
  if (!(LOCALES as readonly string[]).includes(value)) {
    throw badRequest(`unknown locale '${value}'; articles are written in ${LOCALES.join(' and ')}`, [{ pointer: '/path/locale', message: 'unknown locale' }], 'unknown-locale');
  }
  return value as KbLocale;
}

function presentTranslation(t: TranslationRow) {
  return {
    locale: t.locale,
    title: t.title,
    summary: t.summary,
    body: t.body,
    html: renderMarkdown(t.body),
    revision: t.revision,
    updatedAt: iso(t.updatedAt),
    updatedBy: t.updatedBy ?? null,
  };
}

function presentHit(h: HitRow, staff: boolean) {
  return {
    id: h.id,
    locale: h.locale,
    title: h.title,
    summary: h.summary,
    snippet: h.snippet !== undefined && h.snippet !== null ? snippetHtml(h.snippet) : escapeHtml(excerpt(h.summary, h.bodyText ?? '')),
    categoryKey: h.categoryKey ?? null,
    tags: h.tags,
    // Customers only ever get published public articles, so these say nothing new to them; staff filter on them.
    ...(staff ? { visibility: h.visibility, status: h.status } : {}),
    rank: h.rank === null ? null : Number(h.rank),
    updatedAt: iso(h.updatedAt),
  };
}

export class KbService {
  private readonly repo: KbRepository;

  constructor(
    private readonly em: EntityManager,
    private readonly tickets: TicketService,
  ) {
    this.repo = new KbRepository(em);
  }

  // Categories.

  async categories() {
    const rows = await this.em.fork().find(KbCategory, {}, { fields: ['nameEn', 'nameFr'], orderBy: { key: 'asc' } });
    return rows.map((r) => ({ key: r.key, name: { en: r.nameEn, fr: r.nameFr } }));
  }

  async createCategory(user: AuthUser, body: CategoryBody) {
    requireCategoryAdmin(user);
    await unlessTaken(this.em.fork().insert(KbCategory, { key: body.key, nameEn: body.name.en.trim(), nameFr: body.name.fr.trim() }), () =>
      conflict(`category '${body.key}' already exists`, 'category-exists'),
    );
    return { key: body.key, name: { en: body.name.en.trim(), fr: body.name.fr.trim() } };
  }

  async deleteCategory(user: AuthUser, key: string): Promise<void> {
    requireCategoryAdmin(user);
    await this.em.fork().transactional(async (tx) => {
      if (!(await tx.findOne(KbCategory, key, { fields: ['key'], lockMode: LockMode.PESSIMISTIC_WRITE }))) throw notFound(`no category '${key}'`);
      if (await tx.findOne(KbArticle, { categoryKey: key }, { fields: ['id'] })) throw conflict(`category '${key}' still holds articles`, 'category-in-use');
      await tx.nativeDelete(KbCategory, { key });
    });
  }

  // Reading.

  async search(user: AuthUser, q: SearchQuery) {
    const limit = q.limit ? Number(q.limit) : 20;
    const offset = q.offset ? Number(q.offset) : 0;
    const staff = isStaff(user);
    const filters = { category: q.category, tag: q.tag, locale: q.locale, status: staff ? q.status : undefined, visibility: staff ? q.visibility : undefined };
    const text = q.q?.trim() ?? '';
    const rows = text
      ? await this.repo.search(text, 'websearch', readableSql(user), filters, preferredLocale(user), limit, offset)
      : await this.repo.list(readableSql(user), filters, preferredLocale(user), limit, offset);
    return { items: rows.map((r) => presentHit(r, staff)), total: rows.length ? Number(rows[0].total) : 0 };
  }

  /** Published articles close to a draft title (any of its words, in either language), the best first. */
  async suggest(user: AuthUser, text: string, limit = 5) {
    const query = orQuery(text);
    if (!query) return { items: [] };
    const rows = await this.repo.search(query, 'or', suggestibleSql(user), {}, preferredLocale(user), limit, 0);
    return { items: rows.map((r) => presentHit(r, isStaff(user))) };
  }

  /** Not found rather than forbidden for what the caller may not read, so ids of internal articles and drafts do not leak. */
  private async readable(user: AuthUser, id: string): Promise<ArticleRow> {
    const row = await this.repo.article(id, readableSql(user));
    if (!row) throw notFound(`no article ${id}`);
    return row;
  }

  async get(user: AuthUser, id: string) {
    const a = await this.readable(user, id);
    const [translations, mine] = await Promise.all([this.repo.translations(id), this.repo.myFeedback(id, user.id)]);
    const staffOnly = isStaff(user) ? { feedback: await this.repo.feedbackCounts(id), deflection: await this.repo.deflection(id) } : {};
    return {
      id: a.id,
      categoryKey: a.categoryKey ?? null,
      tags: a.tags,
      visibility: a.visibility,
      status: a.status,
      sourceTicketId: isStaff(user) ? (a.sourceTicketId ?? null) : null,
      createdAt: iso(a.createdAt),
      updatedAt: iso(a.updatedAt),
      publishedAt: isoOrNull(a.publishedAt ?? null),
      translations: translations.map(presentTranslation),
      myFeedback: mine,
      ...staffOnly,
    };
  }

  // Writing.

  async create(user: AuthUser, body: CreateArticleBody, sourceTicketId: string | null = null) {
    requireEditor(user);
    await this.checkCategory(body.categoryKey ?? null);
    const id = randomUUID();
    const status = body.status ?? 'draft';
    await this.em.fork().transactional(async (tx) => {
      await tx.insert(KbArticle, {
        id,
        categoryKey: body.categoryKey ?? null,
        tags: tagsSql(body.tags),
        visibility: body.visibility,
        status,
        sourceTicketId,
        createdBy: user.id,
        publishedAt: status === 'published' ? raw('now()') : null,
      });
      for (const locale of LOCALES) {
        const t = body.translations[locale];
        if (t) await this.writeTranslation(tx, user, id, locale, { title: t.title, summary: t.summary ?? '', body: t.body }, null);
      }
    });
    return this.get(user, id);
  }

  async update(user: AuthUser, id: string, body: PatchArticleBody) {
    requireEditor(user);
    await this.readable(user, id);
    if (body.categoryKey !== undefined) await this.checkCategory(body.categoryKey);
    await this.em.fork().nativeUpdate(
      KbArticle,
      { id },
      {
        // now(): the database's clock, as created_at's default.
        updatedAt: raw('now()'),
        ...(body.categoryKey !== undefined ? { categoryKey: body.categoryKey } : {}),
        ...(body.tags !== undefined ? { tags: tagsSql(body.tags) } : {}),
        ...(body.visibility !== undefined ? { visibility: body.visibility } : {}),
        ...(body.status !== undefined ? { status: body.status } : {}),
        // Read in the statement itself: publishing again keeps the first publication's date.
        ...(body.status === 'published' ? { publishedAt: raw('coalesce(published_at, now())') } : {}),
      },
    );
    return this.get(user, id);
  }

  /** Creates or replaces one locale's text; every save is a new revision (author, time, content). */
  async saveTranslation(user: AuthUser, id: string, locale: KbLocale, body: SaveTranslationBody) {
    requireEditor(user);
    await this.readable(user, id);
    await this.em.fork().transactional(async (tx) => {
      await this.writeTranslation(tx, user, id, locale, { title: body.title, summary: body.summary ?? '', body: body.body }, body.baseRevision ?? null);
      await tx.nativeUpdate(KbArticle, { id }, { updatedAt: raw('now()') });
    });
    return this.get(user, id);
  }

  private async writeTranslation(tx: EntityManager, user: AuthUser, id: string, locale: KbLocale, content: { title: string; summary: string; body: string }, baseRevision: number | null, restoredFrom: number | null = null) {
    // The row lock serialises two editors saving the same translation; the revision check turns a lost update into a 409.
    const current = await tx.findOne(KbTranslation, { articleId: id, locale }, { fields: ['revision'], lockMode: LockMode.PESSIMISTIC_WRITE });
    const latest = current?.revision ?? 0;
    if (baseRevision !== null && baseRevision !== latest) {
      throw conflict(`the ${locale} text changed since revision ${baseRevision} (now ${latest}); reload and merge`, 'stale-revision');
    }
    const revision = latest + 1;
    const title = content.title.trim();
    const summary = content.summary.trim();
    await tx
      .createQueryBuilder(KbTranslation)
      .insert({ articleId: id, locale, title, summary, body: content.body, bodyText: plainText(content.body), revision, updatedBy: user.id, updatedAt: raw('now()') })
      .onConflict(['articleId', 'locale'])
      .merge(['title', 'summary', 'body', 'bodyText', 'revision', 'updatedBy', 'updatedAt'])
      .execute();
    await tx.insert(KbRevision, { articleId: id, locale, revision, title, summary, body: content.body, authorId: user.id, restoredFrom });
    return revision;
  }

  private async checkCategory(key: string | null): Promise<void> {
    if (key !== null && !(await this.repo.categoryExists(key))) {
      throw unprocessable(`unknown category '${key}'`, [{ pointer: '/categoryKey', message: 'unknown category' }], 'unknown-category');
    }
  }

  // Revisions.

  async revisions(user: AuthUser, id: string, locale: KbLocale) {
    requireEditor(user);
    await this.readable(user, id);
    const em = this.em.fork();
    const rows = await em.find(KbRevision, { articleId: id, locale }, { orderBy: { revision: 'desc' } });
    return presentRevisions(em, rows);
  }

  async revision(user: AuthUser, id: string, locale: KbLocale, revision: number) {
    requireEditor(user);
    await this.readable(user, id);
    const em = this.em.fork();
    const row = await em.findOne(KbRevision, { articleId: id, locale, revision });
    if (!row) throw notFound(`no revision ${revision} of the ${locale} text`);
    return (await presentRevisions(em, [row]))[0];
  }

  /** Restoring writes the old content as a new revision: history only grows, and the restore itself is in it. */
  async restore(user: AuthUser, id: string, locale: KbLocale, revision: number) {
    const old = await this.revision(user, id, locale, revision);
    await this.em.fork().transactional(async (tx) => {
      await this.writeTranslation(tx, user, id, locale, { title: old.title, summary: old.summary, body: old.body }, null, revision);
      await tx.nativeUpdate(KbArticle, { id }, { updatedAt: raw('now()') });
    });
    return this.get(user, id);
  }

  // Feedback and deflection.

  /** One vote per user and article; voting again replaces the previous answer. */
  async feedback(user: AuthUser, id: string, helpful: boolean): Promise<void> {
    await this.readable(user, id);
    await this.em
      .fork()
      .createQueryBuilder(KbFeedback)
      .insert({ articleId: id, userId: user.id, helpful })
      .onConflict(['articleId', 'userId'])
      .merge({ helpful, updatedAt: raw('now()') })
      .execute();
  }

  async recordEvent(user: AuthUser, body: EventBody): Promise<void> {
    if (body.type === 'suggestion_opened') {
      if (!body.articleId) throw unprocessable('a suggestion_opened event names the article', [{ pointer: '/articleId', message: 'articleId is required' }], 'invalid-event');
      await this.readable(user, body.articleId);
    } else if (body.articleId) {
      throw unprocessable('a ticket_submitted event names no article', [{ pointer: '/articleId', message: 'not allowed here' }], 'invalid-event');
    }
    // A session belongs to the user who started it; another user's session id is refused rather than mixed in.
    const em = this.em.fork();
    const owner = await em.findOne(KbEvent, { sessionId: body.sessionId }, { fields: ['userId'] });
    if (owner && owner.userId !== user.id) throw conflict('this session id belongs to someone else', 'session-taken');
    await em.insert(KbEvent, { sessionId: body.sessionId, userId: user.id, kind: body.type, articleId: body.articleId ?? null });
  }

  /** Deflection = a session in which a suggestion was opened and no ticket was submitted. */
  async stats(user: AuthUser) {
    requireEditor(user);
    const fork = this.em.fork();
    // SQL: per-session aggregates and per-article correlated counts, a small report the QueryBuilder would only obscure.
    const [totals] = await fork.execute<Array<Record<string, string>>>(
      `with s as (select session_id, count(*) filter (where kind = 'suggestion_opened') as opened, bool_or(kind = 'ticket_submitted') as submitted from kb_events group by session_id)
       select count(*) as sessions, coalesce(sum(opened), 0) as opened,
         count(*) filter (where opened > 0 and submitted) as after, count(*) filter (where opened > 0 and not submitted) as deflected from s`,
    );
    const articles = await fork.execute<Array<Record<string, string>>>(
      `with o as (select distinct article_id, session_id from kb_events where kind = 'suggestion_opened'),
       per as (
         select o.article_id, count(*) as opened,
           count(*) filter (where not exists (select 1 from kb_events s where s.session_id = o.session_id and s.kind = 'ticket_submitted')) as deflected
         from o group by o.article_id
       )
       select per.article_id as id, per.opened, per.deflected,
         (select count(*) from kb_feedback f where f.article_id = per.article_id and f.helpful) as helpful,
         (select count(*) from kb_feedback f where f.article_id = per.article_id and not f.helpful) as not_helpful,
         (select t.title from kb_translations t where t.article_id = per.article_id order by (t.locale = ?) desc limit 1) as title
       from per order by per.opened desc, per.article_id limit 20`,
      [preferredLocale(user)],
    );
    return {
      sessions: Number(totals.sessions),
      suggestionsOpened: Number(totals.opened),
      ticketsAfterSuggestion: Number(totals.after),
      deflections: Number(totals.deflected),
      articles: articles.map((a) => ({ id: a.id, title: a.title ?? '', opened: Number(a.opened), deflected: Number(a.deflected), helpful: Number(a.helpful), notHelpful: Number(a.not_helpful) })),
    };
  }

  // From a ticket.

  /**
   * A draft, internal article from a ticket the agent can see: its title, its description as the problem and the last public
   * agent answer (or the resolution field) as the solution. One article per ticket: a second attempt names the first.
   */
  async fromTicket(user: AuthUser, body: FromTicketBody) {
    requireEditor(user);
    const ticket = await this.tickets.get(user, body.ticketId);
    const events = await this.tickets.timeline(user, body.ticketId);
    const answers = events.filter((e) => e.type === 'commented' && e.visibility === 'public' && (e.actor.role === 'agent' || e.actor.role === 'admin') && typeof e.data.body === 'string');
    const resolution = typeof ticket.fields?.resolution === 'string' ? (ticket.fields.resolution as string) : '';
    const answer = answers.length ? String(answers[answers.length - 1].data.body) : resolution;
    if (!answer.trim()) {
      throw unprocessable(`${ticket.number} has no public agent answer to turn into an article`, [{ pointer: '/ticketId', message: 'no answer yet' }], 'no-answer');
    }
    const existing = await this.em.fork().findOne(KbArticle, { sourceTicketId: ticket.id }, { fields: ['id'] });
    if (existing) throw conflict(`an article (${existing.id}) was already drafted from ${ticket.number}`, 'article-exists');
    const locale = body.locale ?? preferredLocale(user);
    const heads = locale === 'fr' ? ['Symptôme', 'Solution'] : ['Problem', 'Solution'];
    const description = ticket.description.trim();
    const text = `${description ? `## ${heads[0]}\n\n${description}\n\n` : ''}## ${heads[1]}\n\n${answer.trim()}`.slice(0, 100_000);
    const summary = excerpt('', plainText(answer), 200);
    return this.create(user, { visibility: 'internal', status: 'draft', tags: [], translations: { [locale]: { title: ticket.title.slice(0, 200), summary, body: text } } }, ticket.id);
  }

  render(body: string) {
    return { html: renderMarkdown(body) };
  }
}

type RevisionRow = InferEntity<typeof KbRevision>;

/** Revisions with their authors' names (an author may since have been erased: null then). */
async function presentRevisions(em: EntityManager, rows: RevisionRow[]) {
  const authorIds = [...new Set(rows.flatMap((r) => (r.authorId ? [r.authorId] : [])))];
  const authors = authorIds.length ? await em.find(User, { id: { $in: authorIds } }, { fields: ['name'] }) : [];
  const names = new Map(authors.map((u) => [u.id, u.name]));
  return rows.map((r) => ({
    revision: r.revision,
    locale: r.locale as KbLocale,
    title: r.title,
    summary: r.summary,
    body: r.body,
    author: { id: r.authorId ?? null, name: (r.authorId && names.get(r.authorId)) ?? null },
    createdAt: iso(r.createdAt),
    restoredFrom: r.restoredFrom ?? null,
  }));
}

function normaliseTags(tags: readonly string[] | undefined): string[] {
  return [...new Set((tags ?? []).map((t) => t.trim().toLowerCase()))];
}

/** Tags as a text[] built from JSON in the database: the ORM's array literal would read a tag 'null' as NULL. */
function tagsSql(tags: readonly string[] | undefined) {
  return raw('array(select jsonb_array_elements_text(?::jsonb))', [JSON.stringify(normaliseTags(tags))]);
}
