create table plugin_echo_paged (
  id text primary key,
  ticket_id uuid not null,
  channel text not null,
  urgent boolean not null,
  attempt integer not null,
  cause jsonb
);
