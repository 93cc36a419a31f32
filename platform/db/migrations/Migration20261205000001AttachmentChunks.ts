// Attachment bytes move into PostgreSQL, in chunks: every API replica serves every file, and a database backup holds them.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261205000001AttachmentChunks extends Migration {
  override name = 'Migration20261205000001AttachmentChunks';

  override up(): void {
    this.addSql(`create table attachment_chunks (
      attachment_id uuid not null references attachments(id) on delete cascade,
      n integer not null check (n >= 0),
      data bytea not null,
      primary key (attachment_id, n)
    )`);
  }

  override down(): void {
    this.addSql(`drop table if exists attachment_chunks`);
  }
}
