// Attachment bytes may live in an S3-compatible store instead of PostgreSQL. Each row says where its bytes are, so a desk
// that changes store keeps serving older files; an object whose row is deleted, or whose bytes move back into
// PostgreSQL (anonymisation), is queued for deletion in the same transaction, and a sweeper deletes it from the store.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261208000002AttachmentStores extends Migration {
  override name = 'Migration20261208000002AttachmentStores';

  override up(): void {
    this.addSql(`alter table attachments add column store text not null default 'postgres' check (store in ('postgres', 's3'))`);
    this.addSql(`create table attachment_object_deletions (
      attachment_id uuid primary key,
      queued_at timestamptz not null default now()
    )`);
    this.addSql(`create function queue_attachment_object_deletion() returns trigger language plpgsql as $$
      begin
        if old.store = 's3' and (tg_op = 'DELETE' or new.store <> 's3') then
          insert into attachment_object_deletions (attachment_id) values (old.id) on conflict do nothing;
        end if;
        return null;
      end $$`);
    this.addSql(`create trigger attachments_object_deletion after delete or update of store on attachments
      for each row execute function queue_attachment_object_deletion()`);
  }

  override down(): void {
    this.addSql(`drop trigger if exists attachments_object_deletion on attachments`);
    this.addSql(`drop function if exists queue_attachment_object_deletion()`);
    this.addSql(`drop table if exists attachment_object_deletions`);
    this.addSql(`alter table attachments drop column if exists store`);
  }
}
