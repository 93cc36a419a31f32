// Benchmark: knowledge-base search and suggestions over HTTP on a large knowledge base, beside the same SQL run straight on PostgreSQL.
import { orQuery } from '../api/modules/kb/text';
import { searchParams, searchSql } from '../api/modules/kb/repository';
import type { BenchContext } from './lib/context';
import { closedLoop, expectStatus, log, ratio, round, table, writeResult, type LoadResult } from './lib/load';

const TAG = 'bench-kb';
const EN = ['printer', 'network', 'password', 'laptop', 'screen', 'driver', 'queue', 'paper', 'toner', 'wifi', 'vpn', 'account', 'email', 'calendar',
  'meeting', 'badge', 'door', 'phone', 'headset', 'update', 'install', 'restart', 'error', 'slow', 'disk', 'backup', 'restore', 'folder', 'share',
  'license', 'office', 'browser', 'certificate', 'keyboard', 'mouse', 'dock', 'monitor', 'cable', 'power', 'battery', 'camera', 'sound', 'invoice',
  'expense', 'travel', 'holiday', 'payroll', 'contract', 'server', 'database'];
const FR = ['imprimante', 'réseau', 'mot', 'passe', 'ordinateur', 'écran', 'pilote', 'file', 'papier', 'cartouche', 'connexion', 'compte', 'messagerie',
  'agenda', 'réunion', 'badge', 'porte', 'téléphone', 'casque', 'mise', 'jour', 'installer', 'redémarrer', 'erreur', 'lent', 'disque', 'sauvegarde',
  'restauration', 'dossier', 'partage', 'licence', 'bureau', 'navigateur', 'certificat', 'clavier', 'souris', 'station', 'câble', 'alimentation',
  'batterie', 'caméra', 'fonctionnement', 'facture', 'note', 'frais', 'déplacement', 'congés', 'paie', 'contrat', 'serveur'];

/**
 * Seeds `n` published public articles in one statement each for articles and translations: every article in English,
 * every other one in French too. Bodies of 120 words: one in ten from a 50-word IT vocabulary per language (so "printer"
 * is in about a fifth of the articles, a hard case for ranking), the rest from 5,000 filler words with a skewed
 * (Zipf-like) frequency; titles of 3 topical and 3 filler words. The search vectors come from the same trigger as real saves.
 */
export async function seed(ctx: Pick<BenchContext, 'pool'>, n: number): Promise<number> {
  const t0 = performance.now();
  await ctx.pool.query(
    `insert into kb_articles (id, tags, visibility, status, published_at, created_at, updated_at)
     select gen_random_uuid(), array[$1::text, 'seed' || (g % 100)], 'public', 'published', now(), now() - g * interval '1 minute', now() - g * interval '1 minute'
     from generate_series(1, $2::int) g`,
    [TAG, n],
  );
  const word = (topical: number) => `case when random() < ${topical} then ($2::text[])[1 + floor(random() * 50)::int] else 'w' || floor(random() * random() * 5000)::int end`;
  // The (s.g * 0) term ties each subquery to its row, so PostgreSQL draws new words for every article instead of reusing one result.
  const words = (count: number, topical: number) => `array_to_string(array(select ${word(topical)} from generate_series(1 + s.g * 0, ${count}) i), ' ')`;
  for (const [locale, vocab, every] of [['en', EN, 1], ['fr', FR, 2]] as const) {
    await ctx.pool.query(
      `insert into kb_translations (article_id, locale, title, summary, body, body_text, revision)
       select s.id, $1, initcap(${words(6, 0.5)}), '', b.body, b.body, 1
       from (select id, row_number() over (order by id) as g from kb_articles where tags @> array[$3::text]) s
       cross join lateral (select ${words(120, 0.1)} || '.' as body) b
       where s.g % ${every} = 0`,
      [locale, vocab, TAG],
    );
  }
  await ctx.pool.query('analyze kb_articles');
  await ctx.pool.query('analyze kb_translations');
  return performance.now() - t0;
}

/** Turns the repository's `?` placeholders into pg's $n. */
function numbered(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

export async function kbSearch(ctx: BenchContext) {
  const n = Number(process.env.BENCH_KB_ARTICLES ?? (ctx.full ? 50_000 : 5_000));
  const count = Number(process.env.BENCH_KB_REQUESTS ?? (ctx.full ? 600 : 200));
  const concurrencies = [1, 8];
  log(`kb-search: seeding ${n} articles`);
  await ctx.pool.query(`delete from kb_articles where tags @> array[$1::text]`, [TAG]);
  const seedMs = await seed(ctx, n);
  const { rows: sizes } = await ctx.pool.query<{ articles: string; translations: string }>(
    `select (select count(*) from kb_articles) as articles, (select count(*) from kb_translations) as translations`,
  );
  log(`  seeded in ${(seedMs / 1000).toFixed(1)} s; ${sizes[0].articles} articles, ${sizes[0].translations} translations`);

  try {
    // A rare pair (AND), a common word, a French sentence, a suggestion typed in French (OR of the words, last one a prefix).
    const searches = {
      'search "toner invoice"': 'toner invoice',
      'search "printer"': 'printer',
      'search "imprimante ne fonctionne pas"': 'imprimante ne fonctionne pas',
    };
    const suggestion = 'imprimante ne fonctionne pas, erreur pil';
    const scope = 'true';
    const websearchSql = numbered(searchSql('websearch', scope, 'true'));
    const orSql = numbered(searchSql('or', scope, 'true'));
    const cases: Record<string, { api: () => Promise<void>; sql: () => Promise<void> }> = {};
    for (const [name, q] of Object.entries(searches)) {
      cases[name] = {
        api: async () => expectStatus(await ctx.admin.get(`/api/kb/articles?q=${encodeURIComponent(q)}&limit=20`), 200, name),
        sql: async () => {
          await ctx.pool.query(websearchSql, searchParams(q, [], 'en', 20, 0));
        },
      };
    }
    const typed = orQuery(suggestion);
    cases['suggest (OR, prefix)'] = {
      api: async () => expectStatus(await ctx.admin.get(`/api/kb/suggestions?q=${encodeURIComponent(suggestion)}&limit=5`), 200, 'suggest'),
      sql: async () => {
        await ctx.pool.query(orSql, searchParams(typed, [], 'en', 5, 0));
      },
    };
    const matches: Record<string, number> = {};
    for (const [name, q] of Object.entries(searches)) {
      const { rows } = await ctx.pool.query<{ total: string }>(websearchSql, searchParams(q, [], 'en', 1, 0));
      matches[name] = Number(rows[0]?.total ?? 0);
    }
    matches['suggest (OR, prefix)'] = Number((await ctx.pool.query<{ total: string }>(orSql, searchParams(typed, [], 'en', 1, 0))).rows[0]?.total ?? 0);

    const results: Array<{ query: string; path: 'api' | 'sql'; result: LoadResult }> = [];
    for (const [query, paths] of Object.entries(cases)) {
      for (const concurrency of concurrencies) {
        for (const p of ['api', 'sql'] as const) {
          const result = await closedLoop({ count, concurrency, warmup: 20, op: paths[p] });
          results.push({ query, path: p, result });
          log(`  ${query} ${p} c=${concurrency}: ${result.throughput}/s p50 ${result.p50} ms p95 ${result.p95} ms`);
        }
      }
    }
    const get = (q: string, p: string, c: number) => results.find((r) => r.query === q && r.path === p && r.result.concurrency === c)!.result;
    const ratios = Object.keys(cases).flatMap((query) =>
      concurrencies.map((c) => ({ query, concurrency: c, p50ApiOverSql: ratio(get(query, 'api', c).p50, get(query, 'sql', c).p50), p95ApiOverSql: ratio(get(query, 'api', c).p95, get(query, 'sql', c).p95) })),
    );
    const { rows: planRows } = await ctx.pool.query(`explain (analyze, format json) ${websearchSql}`, searchParams('toner invoice', [], 'en', 20, 0));
    const plan = (planRows[0] as Record<string, any>)['QUERY PLAN'][0];
    const usesGin = JSON.stringify(plan.Plan).includes('kb_translations_search_head_idx') && JSON.stringify(plan.Plan).includes('kb_translations_search_idx');
    process.stdout.write(
      `\n== kb-search (${sizes[0].articles} articles, ${sizes[0].translations} translations; ${n} seeded; 20 results with snippets; latencies in ms) ==\n` +
        table(
          ['query', 'matches', 'path', 'conc', 'n', 'req/s', 'p50', 'p95', 'p99', 'errors'],
          results.map(({ query, path: p, result: r }) => [query, matches[query], p === 'api' ? 'API' : 'same SQL via pg', r.concurrency, r.count, r.throughput, r.p50, r.p95, r.p99, r.errors]),
        ) +
        '\n\n' +
        table(['query', 'conc', 'p50 API/SQL', 'p95 API/SQL'], ratios.map((r) => [r.query, String(r.concurrency), r.p50ApiOverSql, r.p95ApiOverSql])) +
        `\nplan "toner invoice": GIN index used: ${usesGin}, ${round(plan['Execution Time'], 2)} ms\nseeding ${n} articles took ${(seedMs / 1000).toFixed(1)} s\n`,
    );
    const file = writeResult('kb-search', { benchmark: 'kb-search', scale: ctx.scale, machine: ctx.machine, seeded: n, sizes: sizes[0], seedMs: round(seedMs), matches, results, ratios, usesGin }, ctx.startedAt);
    log(`kb-search written to ${file}`);
    return { results, ratios, matches };
  } finally {
    log('  deleting the seeded articles');
    await ctx.pool.query(`delete from kb_articles where tags @> array[$1::text]`, [TAG]);
  }
}
