-- The conversation (channel thread) each ticket's card opened in a channel, the events already posted, and the
-- activities already acted on (Teams may deliver one again; each is acted on once).
create table plugin_teams_threads (
  ticket_id uuid not null,
  channel text not null,
  conversation_id text not null,
  primary key (ticket_id, channel)
);
create table plugin_teams_posted (
  event_id text primary key,
  posted_at timestamptz not null default now()
);
create table plugin_teams_seen (
  activity_id text primary key,
  seen_at timestamptz not null default now()
);
