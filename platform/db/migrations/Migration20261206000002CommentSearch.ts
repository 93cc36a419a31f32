// Search covers the conversation: each comment's text (and each edit's) is indexed with English and French stemming.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261206000002CommentSearch extends Migration {
  override name = 'Migration20261206000002CommentSearch';

  override up(): void {
    // Stored, so the index and the queue's filter read it without re-parsing; null for every event that is not text.
    this.addSql(`alter table ticket_events add column search tsvector generated always as (
      case when type in ('commented', 'comment_edited') then
        to_tsvector('english', coalesce(data->>'body', '')) || to_tsvector('french', coalesce(data->>'body', ''))
      end
    ) stored`);
    this.addSql(`create index ticket_events_search_idx on ticket_events using gin (search) where search is not null`);
  }

  override down(): void {
    this.addSql('drop index if exists ticket_events_search_idx');
    this.addSql('alter table ticket_events drop column if exists search');
  }
}
