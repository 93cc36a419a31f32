// Knowledge-base endpoints: validate, call one service method, respond.
import type { RouteTable } from '../../http/routes';
import { badRequest } from '../../http/problem';
import {
  articleSchema,
  categoryBody,
  categorySchema,
  createArticleBody,
  eventBody,
  feedbackBody,
  fromTicketBody,
  patchArticleBody,
  renderBody,
  revisionListSchema,
  revisionSchema,
  saveTranslationBody,
  searchQuery,
  searchSchema,
  statsSchema,
  suggestQuery,
  suggestSchema,
  type CategoryBody,
  type CreateArticleBody,
  type EventBody,
  type FromTicketBody,
  type PatchArticleBody,
  type SaveTranslationBody,
  type SearchQuery,
  type SuggestQuery,
} from './schemas';
import { checkLocale, type KbService } from './service';
import { listOf } from '../../http/shapes';

const TAG = 'knowledge base';
const r401 = { description: 'Not authenticated' };
const r403 = { description: 'Customers (only agents and admins edit)' };
const r404 = { description: 'No such article visible to the caller (internal articles and drafts are not found for customers)' };
const r400locale = { description: 'Invalid body or unknown locale' };

function revisionNumber(value: string): number {
  const n = Number(value);
  if (!/^[1-9][0-9]{0,8}$/.test(value) || !Number.isSafeInteger(n)) throw badRequest('revision must be a positive integer', [{ pointer: '/path/revision', message: 'not a revision number' }]);
  return n;
}

export function kbRoutes(table: RouteTable, kb: KbService): void {
  table.add({
    method: 'get',
    path: '/api/kb/categories',
    summary: 'Knowledge-base categories with their names in English and French',
    tag: TAG,
    auth: 'user',
    responses: { 200: { description: 'Categories', schema: listOf(categorySchema) }, 401: r401 },
    handler: async () => ({ body: { items: await kb.categories() } }),
  });
  table.add<CategoryBody>({
    method: 'post',
    path: '/api/kb/categories',
    audits: { entity: 'kb_category', id: ({ body }) => body.key },
    summary: 'Create a category (admins; tokens need the admin scope)',
    tag: TAG,
    auth: 'user',
    scope: 'admin', permission: 'admin.settings',
    body: categoryBody,
    responses: { 201: { description: 'Created', schema: categorySchema }, 400: { description: 'Invalid body' }, 401: r401, 403: { description: 'Not an admin' }, 409: { description: 'Key taken' } },
    handler: async ({ user, body }) => ({ status: 201, body: await kb.createCategory(user, body) }),
  });
  table.add({
    method: 'delete',
    path: '/api/kb/categories/:key',
    audits: { entity: 'kb_category', id: ({ params }) => params.key },
    summary: 'Delete an empty category (admins; tokens need the admin scope)',
    tag: TAG,
    auth: 'user',
    scope: 'admin', permission: 'admin.settings',
    responses: { 204: { description: 'Deleted' }, 401: r401, 403: { description: 'Not an admin' }, 404: { description: 'No such category' }, 409: { description: 'Articles still use it' } },
    handler: async ({ user, params }) => {
      await kb.deleteCategory(user, params.key);
      return { status: 204 };
    },
  });
  table.add<unknown, SearchQuery>({
    method: 'get',
    path: '/api/kb/articles',
    summary:
      'Search (q: words, "phrases", -excluded; French and English stemming, accents ignored) ranked with highlighted snippets, or list newest first without q. Customers see published public articles only; staff may filter by status and visibility.',
    tag: TAG,
    auth: 'user',
    query: searchQuery,
    responses: { 200: { description: 'One page of results', schema: searchSchema }, 400: { description: 'Invalid query' }, 401: r401 },
    handler: async ({ user, query }) => ({ body: await kb.search(user, query) }),
  });
  table.add<unknown, SuggestQuery>({
    method: 'get',
    path: '/api/kb/suggestions',
    summary: 'Published articles that may answer a request being written (any word of q, either language), only those the caller may read',
    tag: TAG,
    auth: 'user',
    query: suggestQuery,
    responses: { 200: { description: 'Suggestions, best first', schema: suggestSchema }, 400: { description: 'Invalid query' }, 401: r401 },
    handler: async ({ user, query }) => ({ body: await kb.suggest(user, query.q, query.limit ? Number(query.limit) : 5) }),
  });
  table.add<CreateArticleBody>({
    method: 'post',
    path: '/api/kb/articles',
    summary: 'Write an article (agents and admins): visibility, status, category, tags and one text per locale (each save of a text is a revision)',
    tag: TAG,
    auth: 'user',
    body: createArticleBody,
    responses: { 201: { description: 'Created', schema: articleSchema }, 400: r400locale, 401: r401, 403: r403, 422: { description: 'Unknown category' } },
    handler: async ({ user, body }) => {
      const article = await kb.create(user, body);
      return { status: 201, body: article, headers: { Location: `/api/kb/articles/${article.id}` } };
    },
  });
  table.add<FromTicketBody>({
    method: 'post',
    path: '/api/kb/articles/from-ticket',
    summary: "Draft an internal article from a ticket the caller can see: its title, description and last public agent answer",
    tag: TAG,
    auth: 'user',
    body: fromTicketBody,
    responses: {
      201: { description: 'The draft', schema: articleSchema },
      400: { description: 'Invalid body' },
      401: r401,
      403: r403,
      404: { description: 'No such ticket visible to the caller' },
      409: { description: 'An article was already drafted from this ticket' },
      422: { description: 'The ticket has no public answer yet' },
    },
    handler: async ({ user, body }) => ({ status: 201, body: await kb.fromTicket(user, body) }),
  });
  table.add<{ body: string }>({
    method: 'post',
    path: '/api/kb/render',
    summary: 'Render markdown the way articles are shown (sanitised HTML), for the editor preview',
    tag: TAG,
    auth: 'user',
    scope: 'read',
    body: renderBody,
    responses: { 200: { description: 'HTML', schema: { type: 'object', required: ['html'], properties: { html: { type: 'string' } } } }, 400: { description: 'Invalid body' }, 401: r401 },
    handler: ({ body }) => ({ body: kb.render(body.body) }),
  });
  table.add({
    method: 'get',
    path: '/api/kb/articles/:id',
    summary: 'One article with every translation (markdown and sanitised HTML); staff also get feedback and deflection counts',
    tag: TAG,
    auth: 'user',
    responses: { 200: { description: 'The article', schema: articleSchema }, 401: r401, 404: r404 },
    handler: async ({ user, params }) => ({ body: await kb.get(user, params.id) }),
  });
  table.add<PatchArticleBody>({
    method: 'patch',
    path: '/api/kb/articles/:id',
    summary: 'Change category, tags, visibility or status (publish, archive) of an article',
    tag: TAG,
    auth: 'user',
    body: patchArticleBody,
    responses: { 200: { description: 'The article', schema: articleSchema }, 400: { description: 'Invalid body' }, 401: r401, 403: r403, 404: r404, 422: { description: 'Unknown category' } },
    handler: async ({ user, params, body }) => ({ body: await kb.update(user, params.id, body) }),
  });
  table.add<SaveTranslationBody>({
    method: 'put',
    path: '/api/kb/articles/:id/translations/:locale',
    summary: "Save the article's text in one locale (en, fr) as a new revision; baseRevision refuses to overwrite someone else's newer save",
    tag: TAG,
    auth: 'user',
    body: saveTranslationBody,
    responses: { 200: { description: 'The article', schema: articleSchema }, 400: r400locale, 401: r401, 403: r403, 404: r404, 409: { description: 'baseRevision is not the latest' } },
    handler: async ({ user, params, body }) => ({ body: await kb.saveTranslation(user, params.id, checkLocale(params.locale), body) }),
  });
  table.add({
    method: 'get',
    path: '/api/kb/articles/:id/translations/:locale/revisions',
    summary: 'Every saved revision of one translation, newest first (author, time, content)',
    tag: TAG,
    auth: 'user',
    responses: { 200: { description: 'Revisions', schema: revisionListSchema }, 400: r400locale, 401: r401, 403: r403, 404: r404 },
    handler: async ({ user, params }) => ({ body: { items: await kb.revisions(user, params.id, checkLocale(params.locale)) } }),
  });
  table.add({
    method: 'get',
    path: '/api/kb/articles/:id/translations/:locale/revisions/:revision',
    summary: 'One revision of a translation',
    tag: TAG,
    auth: 'user',
    responses: { 200: { description: 'The revision', schema: revisionSchema }, 400: r400locale, 401: r401, 403: r403, 404: { description: 'No such article or revision' } },
    handler: async ({ user, params }) => ({ body: await kb.revision(user, params.id, checkLocale(params.locale), revisionNumber(params.revision)) }),
  });
  table.add({
    method: 'post',
    path: '/api/kb/articles/:id/translations/:locale/revisions/:revision/restore',
    summary: 'Restore a revision: its content becomes a new revision (history is kept)',
    tag: TAG,
    auth: 'user',
    responses: { 200: { description: 'The article', schema: articleSchema }, 400: r400locale, 401: r401, 403: r403, 404: { description: 'No such article or revision' } },
    handler: async ({ user, params }) => ({ body: await kb.restore(user, params.id, checkLocale(params.locale), revisionNumber(params.revision)) }),
  });
  table.add<{ helpful: boolean }>({
    method: 'post',
    path: '/api/kb/articles/:id/feedback',
    summary: 'Was this article helpful? One answer per user and article (answering again replaces it)',
    tag: TAG,
    auth: 'user',
    body: feedbackBody,
    responses: { 204: { description: 'Recorded' }, 400: { description: 'Invalid body' }, 401: r401, 404: r404 },
    handler: async ({ user, params, body }) => {
      await kb.feedback(user, params.id, body.helpful);
      return { status: 204 };
    },
  });
  table.add<EventBody>({
    method: 'post',
    path: '/api/kb/events',
    summary: "Portal analytics: a suggestion opened while writing a request, or the request submitted, within one writing session (deflection = opened, never submitted)",
    tag: TAG,
    auth: 'user',
    body: eventBody,
    responses: { 204: { description: 'Recorded' }, 400: { description: 'Invalid body' }, 401: r401, 404: r404, 409: { description: "Another user's session id" }, 422: { description: 'Article missing or not expected' } },
    handler: async ({ user, body }) => {
      await kb.recordEvent(user, body);
      return { status: 204 };
    },
  });
  table.add({
    method: 'get',
    path: '/api/kb/stats',
    summary: 'Deflection and feedback counts (agents and admins)',
    tag: TAG,
    auth: 'user',
    responses: { 200: { description: 'Counts', schema: statsSchema }, 401: r401, 403: r403 },
    handler: async ({ user }) => ({ body: await kb.stats(user) }),
  });
}
