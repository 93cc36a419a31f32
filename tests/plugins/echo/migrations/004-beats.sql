-- The background task's heartbeat: which API process runs it (its port), and when it last said so.
create table plugin_echo_beats (
  key text primary key,
  holder text not null,
  at timestamptz not null default now()
);
