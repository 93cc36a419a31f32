create table plugin_echo_heard (
  event_id text primary key,
  ticket_id uuid not null,
  seq integer not null,
  type text not null,
  event_types text[] not null,
  actor_role text not null,
  heard_at timestamptz not null default now()
);
