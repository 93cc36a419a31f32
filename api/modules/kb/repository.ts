// Knowledge-base queries: ranked full-text search with snippets, listings, one article with its translations, revisions, feedback and deflection counts.
import { raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { KbArticle, KbCategory, KbFeedback, KbTranslation } from '../../../platform/db/entities/index';
import { MARK_END, MARK_START } from './text';

const ARTICLE_FIELDS = ['id', 'categoryKey', 'tags', 'visibility', 'status', 'sourceTicketId', 'createdAt', 'updatedAt', 'publishedAt'] as const;
const TRANSLATION_FIELDS = ['locale', 'title', 'summary', 'body', 'bodyText', 'revision', 'updatedAt', 'updatedBy'] as const;

export type ArticleRow = Pick<InferEntity<typeof KbArticle>, (typeof ARTICLE_FIELDS)[number]>;
export type TranslationRow = Pick<InferEntity<typeof KbTranslation>, (typeof TRANSLATION_FIELDS)[number]>;

/** A search or listing row: the article, the translation shown, and (search only) its snippet and rank. */
export type HitRow = ArticleRow &
  Pick<InferEntity<typeof KbTranslation>, 'locale' | 'title' | 'summary'> & {
    bodyText?: string;
    snippet?: string;
    rank: number | null;
    total: string;
  };

export interface Filters {
  category?: string;
  tag?: string;
  locale?: string;
  status?: string;
  visibility?: string;
}

/** The configuration each locale's vector was built with; queries are parsed with both so either language finds its words. */
const CONFIG_OF_ROW = `case t.locale when 'fr' then 'kb_french'::regconfig else 'kb_english'::regconfig end`;
const QUERY_OF_ROW = `case t.locale when 'fr' then q.qf else q.qe end`;
const HEADLINE_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=35, MinWords=15, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "`;
const ARTICLE_COLUMNS =
  'a.id, a.category_key as "categoryKey", a.tags, a.visibility, a.status, a.source_ticket_id as "sourceTicketId", a.created_at as "createdAt", a.updated_at as "updatedAt", a.published_at as "publishedAt"';

function filterSql(f: Filters): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.category) {
    where.push('a.category_key = ?');
    params.push(f.category);
  }
  if (f.tag) {
    where.push('a.tags @> array[?::text]');
    params.push(f.tag.toLowerCase());
  }
  if (f.status) {
    where.push('a.status = ?');
    params.push(f.status);
  }
  if (f.visibility) {
    where.push('a.visibility = ?');
    params.push(f.visibility);
  }
  if (f.locale) {
    where.push('t.locale = ?');
    params.push(f.locale);
  }
  return { sql: where.length ? where.join(' and ') : 'true', params };
}

/** Body-only matches ranked at most: the most recently updated ones when a common word matches thousands of bodies. */
export const BODY_CANDIDATES = 500;
/** Totals are exact up to this many matching translations, then reported as this cap. */
export const TOTAL_CAP = 1000;

/**
 * Ranked search in two tiers. Title and tag matches come first, ranked exactly on the small title+tags vector (1 + rank);
 * only when they do not fill the requested page are body-only matches ranked too (rank < 1), on the full vector and among
 * the BODY_CANDIDATES most recently updated, so a word found in half the articles never means detoasting and ranking them
 * all. Each translation matches the query parsed with its own configuration; an article appears once, by its best
 * translation (ties go to the preferred locale); snippets (ts_headline) are computed for the page only.
 * 'websearch' is typed search (AND, quotes, -word); 'or' is for suggestions (any word, last one a prefix).
 * Parameters: see searchParams. Exported for the benchmark's bare-SQL baseline.
 */
export function searchSql(mode: 'websearch' | 'or', scope: string, filter: string): string {
  const parse = mode === 'websearch' ? 'websearch_to_tsquery' : 'to_tsquery';
  const from = `kb_translations t join kb_articles a on a.id = t.article_id cross join q`;
  return `with q as (select ${parse}('kb_french', ?) as qf, ${parse}('kb_english', ?) as qe),
       head as (
         select t.article_id, t.locale, 1 + ts_rank_cd(t.search_head, ${QUERY_OF_ROW}, 32) as rank
         from ${from} where t.search_head @@ (q.qf || q.qe) and ${scope} and ${filter}
       ),
       body_ids as (
         select t.article_id, t.locale from ${from}
         where t.search @@ (q.qf || q.qe) and not (t.search_head @@ (q.qf || q.qe)) and ${scope} and ${filter}
           and (select count(distinct article_id) from head) < ?
         order by a.updated_at desc, t.article_id limit ${BODY_CANDIDATES}
       ),
       body as (
         select b.article_id, b.locale, ts_rank_cd(t.search, ${QUERY_OF_ROW}, 32) as rank
         from body_ids b join kb_translations t on t.article_id = b.article_id and t.locale = b.locale cross join q
       ),
       matched as (select t.article_id from ${from} where t.search @@ (q.qf || q.qe) and ${scope} and ${filter} limit ${TOTAL_CAP}),
       hits as (select * from head union all select * from body),
       best as (select distinct on (article_id) article_id, locale, rank from hits order by article_id, rank desc, (locale = ?) desc),
       page as (select article_id, locale, rank from best order by rank desc, article_id limit ? offset ?)
       select ${ARTICLE_COLUMNS}, t.locale, t.title, t.summary, p.rank, (select count(distinct article_id) from matched) as total,
         ts_headline(${CONFIG_OF_ROW}, t.body_text, ${QUERY_OF_ROW}, ?) as snippet
       from page p join kb_translations t on t.article_id = p.article_id and t.locale = p.locale
         join kb_articles a on a.id = p.article_id cross join q
       order by p.rank desc, p.article_id`;
}

/** The parameters of searchSql, in order. */
export function searchParams(text: string, filterParams: unknown[], prefer: string, limit: number, offset: number): unknown[] {
  return [text, text, ...filterParams, ...filterParams, limit + offset, ...filterParams, prefer, limit, offset, HEADLINE_OPTIONS];
}

export { HEADLINE_OPTIONS };

export class KbRepository {
  constructor(private readonly em: EntityManager) {}

  // SQL: full-text search (tsvector, ts_rank_cd, ts_headline) in ranked tiers, measured by bench/kb-search.ts.
  async search(text: string, mode: 'websearch' | 'or', scope: string, f: Filters, prefer: string, limit: number, offset: number): Promise<HitRow[]> {
    const filter = filterSql(f);
    return this.em.fork().execute<HitRow[]>(searchSql(mode, scope, filter.sql), searchParams(text, filter.params, prefer, limit, offset));
  }

  /** Newest first, one row per article in the preferred locale when it has one. */
  // SQL: a lateral join picks each article's preferred translation, and it shares the search's filters and columns.
  async list(scope: string, f: Filters, prefer: string, limit: number, offset: number): Promise<HitRow[]> {
    const filter = filterSql({ ...f, locale: undefined });
    const inLocale = f.locale ? 'and t.locale = ?' : '';
    return this.em.fork().execute<HitRow[]>(
      `select ${ARTICLE_COLUMNS}, t.locale, t.title, t.summary, left(t.body_text, 400) as "bodyText", null::real as rank, count(*) over () as total
       from kb_articles a
       join lateral (select * from kb_translations t where t.article_id = a.id ${inLocale} order by (t.locale = ?) desc limit 1) t on true
       where ${scope} and ${filter.sql}
       order by a.updated_at desc, a.id limit ? offset ?`,
      [...(f.locale ? [f.locale] : []), prefer, ...filter.params, limit, offset],
    );
  }

  /** `scope` is a condition on alias `a` (see policy.ts). */
  async article(id: string, scope: string): Promise<ArticleRow | null> {
    return this.em.fork().createQueryBuilder(KbArticle, 'a').select([...ARTICLE_FIELDS]).where({ id }).andWhere(scope).getSingleResult();
  }

  async translations(id: string): Promise<TranslationRow[]> {
    return this.em.fork().find(KbTranslation, { articleId: id }, { fields: [...TRANSLATION_FIELDS], orderBy: { locale: 'asc' } });
  }

  async categoryExists(key: string): Promise<boolean> {
    return (await this.em.fork().count(KbCategory, { key })) > 0;
  }

  async feedbackCounts(id: string): Promise<{ helpful: number; notHelpful: number }> {
    const r = await this.em
      .fork()
      .createQueryBuilder(KbFeedback)
      .select([raw('count(*) filter (where helpful)::int as yes'), raw('count(*) filter (where not helpful)::int as no')])
      .where({ articleId: id })
      .execute<{ yes: number; no: number }>('get');
    return { helpful: r.yes, notHelpful: r.no };
  }

  async myFeedback(id: string, userId: string): Promise<boolean | null> {
    const row = await this.em.fork().findOne(KbFeedback, { articleId: id, userId }, { fields: ['helpful'] });
    return row?.helpful ?? null;
  }

  /** Sessions in which this article was opened from a suggestion, and those among them that ended without a ticket. */
  async deflection(id: string): Promise<{ opened: number; deflected: number }> {
    // SQL: counts over distinct sessions with a correlated not-exists, which the QueryBuilder would only obscure.
    const [r] = await this.em.fork().execute<Array<{ opened: string; deflected: string }>>(
      `select count(*) as opened, count(*) filter (where not exists (select 1 from kb_events s where s.session_id = o.session_id and s.kind = 'ticket_submitted')) as deflected
       from (select distinct session_id from kb_events where article_id = ? and kind = 'suggestion_opened') o`,
      [id],
    );
    return { opened: Number(r.opened), deflected: Number(r.deflected) };
  }
}
