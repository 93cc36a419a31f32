-- Signatures of interaction requests already acted on (within the five-minute window): a replayed one does nothing.
create table plugin_slack_seen (
  signature text primary key,
  seen_at timestamptz not null default now()
);
