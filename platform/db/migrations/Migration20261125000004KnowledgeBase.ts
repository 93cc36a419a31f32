// Knowledge base: categories, articles with one translation per locale, revisions, feedback, deflection events, full-text search.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261125000004KnowledgeBase extends Migration {
  override name = 'Migration20261125000004KnowledgeBase';

  override up(): void {
    // Accent-insensitive matching ("depannage" finds "Dépannage") when the server ships unaccent (contrib; the embedded and
    // official images do); otherwise plain copies of the stock configurations, so search still works, only accent-sensitive.
    this.addSql(`do $$
      declare has_unaccent boolean;
      begin
        has_unaccent := exists (select 1 from pg_available_extensions where name = 'unaccent');
        if has_unaccent then
          begin
            create extension if not exists unaccent;
          exception when others then
            has_unaccent := false;
          end;
        end if;
        create text search configuration kb_french (copy = french);
        create text search configuration kb_english (copy = english);
        if has_unaccent then
          alter text search configuration kb_french alter mapping for hword, hword_part, word with unaccent, french_stem;
          alter text search configuration kb_english alter mapping for hword, hword_part, word with unaccent, english_stem;
        end if;
      end $$`);
    this.addSql(`create table kb_categories (
      key text primary key,
      name_en text not null,
      name_fr text not null,
      created_at timestamptz not null default now()
    )`);
    this.addSql(`create table kb_articles (
      id uuid primary key,
      category_key text references kb_categories(key),
      tags text[] not null default '{}',
      visibility text not null check (visibility in ('public', 'internal')),
      status text not null check (status in ('draft', 'published', 'archived')),
      source_ticket_id uuid references tickets(id) on delete set null,
      created_by uuid references users(id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      published_at timestamptz
    )`);
    this.addSql(`create index kb_articles_category_idx on kb_articles (category_key)`);
    this.addSql(`create index kb_articles_tags_idx on kb_articles using gin (tags)`);
    this.addSql(`create index kb_articles_updated_idx on kb_articles (updated_at desc, id)`);
    this.addSql(`create unique index kb_articles_source_ticket_idx on kb_articles (source_ticket_id) where source_ticket_id is not null`);
    this.addSql(`create table kb_translations (
      article_id uuid not null references kb_articles(id) on delete cascade,
      locale text not null check (locale in ('en', 'fr')),
      title text not null,
      summary text not null default '',
      body text not null,
      body_text text not null,
      revision integer not null,
      updated_by uuid references users(id) on delete set null,
      updated_at timestamptz not null default now(),
      search tsvector not null default ''::tsvector,
      search_head tsvector not null default ''::tsvector,
      primary key (article_id, locale)
    )`);
    this.addSql(`create index kb_translations_search_idx on kb_translations using gin (search)`);
    // Title and tags alone: a small vector that stays in the row (not TOASTed), so ranking thousands of title matches stays cheap.
    this.addSql(`create index kb_translations_search_head_idx on kb_translations using gin (search_head)`);
    // Tags live on the article but weigh in every translation's vector, so a trigger (not a generated column) builds it,
    // and a change of tags refreshes the article's translations.
    this.addSql(`create function kb_translation_search() returns trigger language plpgsql as $$
      declare
        cfg regconfig := case new.locale when 'fr' then 'kb_french'::regconfig else 'kb_english'::regconfig end;
        tag_text text := coalesce((select array_to_string(tags, ' ') from kb_articles where id = new.article_id), '');
      begin
        new.search_head := setweight(to_tsvector(cfg, new.title), 'A') || setweight(to_tsvector(cfg, tag_text), 'B');
        new.search := new.search_head || setweight(to_tsvector(cfg, new.body_text), 'C');
        return new;
      end $$`);
    this.addSql(`create trigger kb_translations_search before insert or update of title, body_text, locale, search on kb_translations
      for each row execute function kb_translation_search()`);
    this.addSql(`create function kb_article_tags_changed() returns trigger language plpgsql as $$
      begin
        update kb_translations set search = ''::tsvector where article_id = new.id;
        return null;
      end $$`);
    this.addSql(`create trigger kb_articles_tags after update of tags on kb_articles
      for each row when (old.tags is distinct from new.tags) execute function kb_article_tags_changed()`);
    this.addSql(`create table kb_revisions (
      article_id uuid not null references kb_articles(id) on delete cascade,
      locale text not null,
      revision integer not null,
      title text not null,
      summary text not null,
      body text not null,
      author_id uuid references users(id) on delete set null,
      created_at timestamptz not null default now(),
      restored_from integer,
      primary key (article_id, locale, revision)
    )`);
    this.addSql(`create table kb_feedback (
      article_id uuid not null references kb_articles(id) on delete cascade,
      user_id uuid not null references users(id) on delete cascade,
      helpful boolean not null,
      updated_at timestamptz not null default now(),
      primary key (article_id, user_id)
    )`);
    // What the portal reports while a customer writes a request: suggestions opened, then whether a ticket followed in that session.
    this.addSql(`create table kb_events (
      id bigserial primary key,
      session_id uuid not null,
      user_id uuid not null references users(id) on delete cascade,
      kind text not null check (kind in ('suggestion_opened', 'ticket_submitted')),
      article_id uuid references kb_articles(id) on delete cascade,
      at timestamptz not null default now()
    )`);
    this.addSql(`create index kb_events_session_idx on kb_events (session_id)`);
    this.addSql(`create index kb_events_article_idx on kb_events (article_id) where article_id is not null`);
  }

  override down(): void {
    this.addSql('drop table if exists kb_events, kb_feedback, kb_revisions, kb_translations, kb_articles, kb_categories');
    this.addSql('drop function if exists kb_translation_search(), kb_article_tags_changed()');
    this.addSql('drop text search configuration if exists kb_french');
    this.addSql('drop text search configuration if exists kb_english');
    // The unaccent extension stays: other features may use it, and keeping it is harmless.
  }
}
