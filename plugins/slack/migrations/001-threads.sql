-- The message that opened each ticket's thread in a channel, and the events already posted (heard at least once).
create table plugin_slack_threads (
  ticket_id uuid not null,
  channel text not null,
  ts text not null,
  primary key (ticket_id, channel)
);
create table plugin_slack_posted (
  event_id text primary key,
  posted_at timestamptz not null default now()
);
