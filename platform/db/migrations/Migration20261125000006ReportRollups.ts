// Report roll-ups: daily sums and duration histograms of ticket_facts, kept exact by triggers. The statements are
// written out as they were when this migration was committed: a migration is frozen, so it imports no live code
// (platform/db/rollup-sql.ts builds today's roll-ups and their rebuild).
import { Migration } from '@mikro-orm/migrations';

const UP: readonly string[] = [
  `alter table ticket_facts add column rating smallint`,
  `update ticket_facts f set rating = r.score from ticket_ratings r where r.ticket_id = f.ticket_id`,
  `create table report_created_days (day date not null, queue text not null, type text not null, priority text not null, grp text not null, org uuid, tickets bigint not null default 0, fr_met bigint not null default 0, fr_breached bigint not null default 0, fr_pending bigint not null default 0, res_met bigint not null default 0, res_breached bigint not null default 0, res_pending bigint not null default 0, fr_n bigint not null default 0, fr_sum numeric not null default 0, res_n bigint not null default 0, res_sum numeric not null default 0, reopen_base bigint not null default 0, reopened bigint not null default 0, reopens bigint not null default 0, open_n bigint not null default 0, ratings bigint not null default 0, score_sum numeric not null default 0, s1 bigint not null default 0, s2 bigint not null default 0, s3 bigint not null default 0, s4 bigint not null default 0, s5 bigint not null default 0)`,
  `create unique index report_created_days_key on report_created_days (day, queue, type, priority, grp, org) nulls not distinct`,
  `create table report_resolved_days (day date, queue text not null, type text not null, priority text not null, grp text not null, org uuid, assignee_id uuid, resolved bigint not null default 0, open_n bigint not null default 0)`,
  `create unique index report_resolved_days_key on report_resolved_days (day, queue, type, priority, grp, org, assignee_id) nulls not distinct`,
  `create table report_escalation_days (day date not null, queue text not null, type text not null, priority text not null, grp text not null, org uuid, level text not null, tickets bigint not null default 0)`,
  `create unique index report_escalation_days_key on report_escalation_days (day, queue, type, priority, grp, org, level) nulls not distinct`,
  `create table report_duration_buckets (span text not null check (span in ('d', 'w')), start date not null, queue text not null, type text not null, priority text not null, grp text not null, org uuid, clock text not null check (clock in ('fr', 'res')), bucket int not null, n bigint not null default 0)`,
  `create unique index report_duration_buckets_key on report_duration_buckets (span, start, queue, type, priority, grp, org, clock, bucket) nulls not distinct`,
  `create index ticket_facts_fr_ms_idx on ticket_facts (fr_business_ms) where fr_business_ms is not null`,
  `create index ticket_facts_res_ms_idx on ticket_facts (res_business_ms) where res_business_ms is not null`,
  `create function report_rollups_facts_ins() returns trigger language plpgsql as $fn$
begin
  insert into report_created_days as r (day, queue, type, priority, grp, org, tickets, fr_met, fr_breached, fr_pending, res_met, res_breached, res_pending, fr_n, fr_sum, res_n, res_sum, reopen_base, reopened, reopens, open_n, ratings, score_sum, s1, s2, s3, s4, s5)
    select s.created_day, coalesce(s.queue, ''), s.type, s.priority, coalesce(s.assigned_group, ''), s.organisation_id, sum(s.sg * 1), sum(s.sg * (s.fr_status = 'met')::int), sum(s.sg * (s.fr_status = 'breached')::int), sum(s.sg * (s.fr_status = 'pending')::int), sum(s.sg * (s.res_status = 'met')::int), sum(s.sg * (s.res_status = 'breached')::int), sum(s.sg * (s.res_status = 'pending')::int), sum(s.sg * (s.fr_business_ms is not null)::int), sum(s.sg * coalesce(s.fr_business_ms, 0)::numeric), sum(s.sg * (s.res_business_ms is not null)::int), sum(s.sg * coalesce(s.res_business_ms, 0)::numeric), sum(s.sg * (s.resolved_at is not null or s.closed_at is not null or s.reopen_count > 0)::int), sum(s.sg * (s.reopen_count > 0)::int), sum(s.sg * case when s.resolved_at is not null or s.closed_at is not null or s.reopen_count > 0 then s.reopen_count else 0 end), sum(s.sg * (s.state_category not in ('resolved', 'closed'))::int), sum(s.sg * (s.rating is not null)::int), sum(s.sg * coalesce(s.rating, 0)), sum(s.sg * coalesce(s.rating = 1, false)::int), sum(s.sg * coalesce(s.rating = 2, false)::int), sum(s.sg * coalesce(s.rating = 3, false)::int), sum(s.sg * coalesce(s.rating = 4, false)::int), sum(s.sg * coalesce(s.rating = 5, false)::int)
    from (select 1 as sg, n.* from facts_new n) s group by 1, 2, 3, 4, 5, 6
    having sum(s.sg * 1) <> 0 or sum(s.sg * (s.fr_status = 'met')::int) <> 0 or sum(s.sg * (s.fr_status = 'breached')::int) <> 0 or sum(s.sg * (s.fr_status = 'pending')::int) <> 0 or sum(s.sg * (s.res_status = 'met')::int) <> 0 or sum(s.sg * (s.res_status = 'breached')::int) <> 0 or sum(s.sg * (s.res_status = 'pending')::int) <> 0 or sum(s.sg * (s.fr_business_ms is not null)::int) <> 0 or sum(s.sg * coalesce(s.fr_business_ms, 0)::numeric) <> 0 or sum(s.sg * (s.res_business_ms is not null)::int) <> 0 or sum(s.sg * coalesce(s.res_business_ms, 0)::numeric) <> 0 or sum(s.sg * (s.resolved_at is not null or s.closed_at is not null or s.reopen_count > 0)::int) <> 0 or sum(s.sg * (s.reopen_count > 0)::int) <> 0 or sum(s.sg * case when s.resolved_at is not null or s.closed_at is not null or s.reopen_count > 0 then s.reopen_count else 0 end) <> 0 or sum(s.sg * (s.state_category not in ('resolved', 'closed'))::int) <> 0 or sum(s.sg * (s.rating is not null)::int) <> 0 or sum(s.sg * coalesce(s.rating, 0)) <> 0 or sum(s.sg * coalesce(s.rating = 1, false)::int) <> 0 or sum(s.sg * coalesce(s.rating = 2, false)::int) <> 0 or sum(s.sg * coalesce(s.rating = 3, false)::int) <> 0 or sum(s.sg * coalesce(s.rating = 4, false)::int) <> 0 or sum(s.sg * coalesce(s.rating = 5, false)::int) <> 0
    order by 1, 2, 3, 4, 5, 6
    on conflict (day, queue, type, priority, grp, org) do update set tickets = r.tickets + excluded.tickets, fr_met = r.fr_met + excluded.fr_met, fr_breached = r.fr_breached + excluded.fr_breached, fr_pending = r.fr_pending + excluded.fr_pending, res_met = r.res_met + excluded.res_met, res_breached = r.res_breached + excluded.res_breached, res_pending = r.res_pending + excluded.res_pending, fr_n = r.fr_n + excluded.fr_n, fr_sum = r.fr_sum + excluded.fr_sum, res_n = r.res_n + excluded.res_n, res_sum = r.res_sum + excluded.res_sum, reopen_base = r.reopen_base + excluded.reopen_base, reopened = r.reopened + excluded.reopened, reopens = r.reopens + excluded.reopens, open_n = r.open_n + excluded.open_n, ratings = r.ratings + excluded.ratings, score_sum = r.score_sum + excluded.score_sum, s1 = r.s1 + excluded.s1, s2 = r.s2 + excluded.s2, s3 = r.s3 + excluded.s3, s4 = r.s4 + excluded.s4, s5 = r.s5 + excluded.s5;
  insert into report_resolved_days as r (day, queue, type, priority, grp, org, assignee_id, resolved, open_n)
    select s.resolved_day, coalesce(s.queue, ''), s.type, s.priority, coalesce(s.assigned_group, ''), s.organisation_id, s.assignee_id, sum(s.sg * (s.resolved_at is not null)::int), sum(s.sg * (s.state_category not in ('resolved', 'closed'))::int)
    from (select 1 as sg, n.* from facts_new n) s group by 1, 2, 3, 4, 5, 6, 7
    having sum(s.sg * (s.resolved_at is not null)::int) <> 0 or sum(s.sg * (s.state_category not in ('resolved', 'closed'))::int) <> 0
    order by 1, 2, 3, 4, 5, 6, 7
    on conflict (day, queue, type, priority, grp, org, assignee_id) do update set resolved = r.resolved + excluded.resolved, open_n = r.open_n + excluded.open_n;
  insert into report_escalation_days as r (day, queue, type, priority, grp, org, level, tickets)
    select s.created_day, coalesce(s.queue, ''), s.type, s.priority, coalesce(s.assigned_group, ''), s.organisation_id, lvl, sum(s.sg) from (select 1 as sg, n.* from facts_new n) s cross join unnest(s.escalations) lvl
    group by 1, 2, 3, 4, 5, 6, 7 having sum(s.sg) <> 0 order by 1, 2, 3, 4, 5, 6, 7
    on conflict (day, queue, type, priority, grp, org, level) do update set tickets = r.tickets + excluded.tickets;
  insert into report_duration_buckets as r (span, start, queue, type, priority, grp, org, clock, bucket, n)
    select sp.span, sp.start, coalesce(s.queue, ''), s.type, s.priority, coalesce(s.assigned_group, ''), s.organisation_id, c.clock, width_bucket(c.ms, '{1000,1189,1414,1682,2000,2378,2828,3364,4000,4757,5657,6727,8000,9514,11314,13454,16000,19027,22627,26909,32000,38055,45255,53817,64000,76109,90510,107635,128000,152219,181019,215269,256000,304437,362039,430539,512000,608874,724077,861078,1024000,1217748,1448155,1722156,2048000,2435496,2896309,3444312,4096000,4870992,5792619,6888623,8192000,9741985,11585238,13777247,16384000,19483969,23170475,27554494,32768000,38967939,46340950,55108987,65536000,77935877,92681900,110217975,131072000,155871755,185363800,220435950,262144000,311743510,370727600,440871900,524288000,623487020,741455200,881743800,1048576000,1246974040,1482910400,1763487599,2097152000,2493948080,2965820801,3526975198,4194304000,4987896159,5931641602,7053950396,8388608000,9975792319,11863283203,14107900792,16777216000,19951584637,23726566406,28215801585,33554432000,39903169274,47453132812,56431603169,67108864000,79806338549,94906265624,112863206339,134217728000,159612677097,189812531249,225726412677,268435456000,319225354194,379625062497,451452825355,536870912000,638450708388,759250124994,902905650710,1073741824000}'::bigint[]), sum(s.sg)
    from (select 1 as sg, n.* from facts_new n) s
    cross join lateral (values ('fr', s.fr_business_ms), ('res', s.res_business_ms)) c(clock, ms)
    cross join lateral (values ('d', s.created_day), ('w', date_trunc('week', s.created_day::timestamp)::date)) sp(span, start)
    where c.ms is not null
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9 having sum(s.sg) <> 0 order by 1, 2, 3, 4, 5, 6, 7, 8, 9
    on conflict (span, start, queue, type, priority, grp, org, clock, bucket) do update set n = r.n + excluded.n;
  return null;
end $fn$`,
  `create function report_rollups_facts_del() returns trigger language plpgsql as $fn$
begin
  insert into report_created_days as r (day, queue, type, priority, grp, org, tickets, fr_met, fr_breached, fr_pending, res_met, res_breached, res_pending, fr_n, fr_sum, res_n, res_sum, reopen_base, reopened, reopens, open_n, ratings, score_sum, s1, s2, s3, s4, s5)
    select s.created_day, coalesce(s.queue, ''), s.type, s.priority, coalesce(s.assigned_group, ''), s.organisation_id, sum(s.sg * 1), sum(s.sg * (s.fr_status = 'met')::int), sum(s.sg * (s.fr_status = 'breached')::int), sum(s.sg * (s.fr_status = 'pending')::int), sum(s.sg * (s.res_status = 'met')::int), sum(s.sg * (s.res_status = 'breached')::int), sum(s.sg * (s.res_status = 'pending')::int), sum(s.sg * (s.fr_business_ms is not null)::int), sum(s.sg * coalesce(s.fr_business_ms, 0)::numeric), sum(s.sg * (s.res_business_ms is not null)::int), sum(s.sg * coalesce(s.res_business_ms, 0)::numeric), sum(s.sg * (s.resolved_at is not null or s.closed_at is not null or s.reopen_count > 0)::int), sum(s.sg * (s.reopen_count > 0)::int), sum(s.sg * case when s.resolved_at is not null or s.closed_at is not null or s.reopen_count > 0 then s.reopen_count else 0 end), sum(s.sg * (s.state_category not in ('resolved', 'closed'))::int), sum(s.sg * (s.rating is not null)::int), sum(s.sg * coalesce(s.rating, 0)), sum(s.sg * coalesce(s.rating = 1, false)::int), sum(s.sg * coalesce(s.rating = 2, false)::int), sum(s.sg * coalesce(s.rating = 3, false)::int), sum(s.sg * coalesce(s.rating = 4, false)::int), sum(s.sg * coalesce(s.rating = 5, false)::int)
    from (select -1 as sg, o.* from facts_old o) s group by 1, 2, 3, 4, 5, 6
    having sum(s.sg * 1) <> 0 or sum(s.sg * (s.fr_status = 'met')::int) <> 0 or sum(s.sg * (s.fr_status = 'breached')::int) <> 0 or sum(s.sg * (s.fr_status = 'pending')::int) <> 0 or sum(s.sg * (s.res_status = 'met')::int) <> 0 or sum(s.sg * (s.res_status = 'breached')::int) <> 0 or sum(s.sg * (s.res_status = 'pending')::int) <> 0 or sum(s.sg * (s.fr_business_ms is not null)::int) <> 0 or sum(s.sg * coalesce(s.fr_business_ms, 0)::numeric) <> 0 or sum(s.sg * (s.res_business_ms is not null)::int) <> 0 or sum(s.sg * coalesce(s.res_business_ms, 0)::numeric) <> 0 or sum(s.sg * (s.resolved_at is not null or s.closed_at is not null or s.reopen_count > 0)::int) <> 0 or sum(s.sg * (s.reopen_count > 0)::int) <> 0 or sum(s.sg * case when s.resolved_at is not null or s.closed_at is not null or s.reopen_count > 0 then s.reopen_count else 0 end) <> 0 or sum(s.sg * (s.state_category not in ('resolved', 'closed'))::int) <> 0 or sum(s.sg * (s.rating is not null)::int) <> 0 or sum(s.sg * coalesce(s.rating, 0)) <> 0 or sum(s.sg * coalesce(s.rating = 1, false)::int) <> 0 or sum(s.sg * coalesce(s.rating = 2, false)::int) <> 0 or sum(s.sg * coalesce(s.rating = 3, false)::int) <> 0 or sum(s.sg * coalesce(s.rating = 4, false)::int) <> 0 or sum(s.sg * coalesce(s.rating = 5, false)::int) <> 0
    order by 1, 2, 3, 4, 5, 6
    on conflict (day, queue, type, priority, grp, org) do update set tickets = r.tickets + excluded.tickets, fr_met = r.fr_met + excluded.fr_met, fr_breached = r.fr_breached + excluded.fr_breached, fr_pending = r.fr_pending + excluded.fr_pending, res_met = r.res_met + excluded.res_met, res_breached = r.res_breached + excluded.res_breached, res_pending = r.res_pending + excluded.res_pending, fr_n = r.fr_n + excluded.fr_n, fr_sum = r.fr_sum + excluded.fr_sum, res_n = r.res_n + excluded.res_n, res_sum = r.res_sum + excluded.res_sum, reopen_base = r.reopen_base + excluded.reopen_base, reopened = r.reopened + excluded.reopened, reopens = r.reopens + excluded.reopens, open_n = r.open_n + excluded.open_n, ratings = r.ratings + excluded.ratings, score_sum = r.score_sum + excluded.score_sum, s1 = r.s1 + excluded.s1, s2 = r.s2 + excluded.s2, s3 = r.s3 + excluded.s3, s4 = r.s4 + excluded.s4, s5 = r.s5 + excluded.s5;
  insert into report_resolved_days as r (day, queue, type, priority, grp, org, assignee_id, resolved, open_n)
    select s.resolved_day, coalesce(s.queue, ''), s.type, s.priority, coalesce(s.assigned_group, ''), s.organisation_id, s.assignee_id, sum(s.sg * (s.resolved_at is not null)::int), sum(s.sg * (s.state_category not in ('resolved', 'closed'))::int)
    from (select -1 as sg, o.* from facts_old o) s group by 1, 2, 3, 4, 5, 6, 7
    having sum(s.sg * (s.resolved_at is not null)::int) <> 0 or sum(s.sg * (s.state_category not in ('resolved', 'closed'))::int) <> 0
    order by 1, 2, 3, 4, 5, 6, 7
    on conflict (day, queue, type, priority, grp, org, assignee_id) do update set resolved = r.resolved + excluded.resolved, open_n = r.open_n + excluded.open_n;
  insert into report_escalation_days as r (day, queue, type, priority, grp, org, level, tickets)
    select s.created_day, coalesce(s.queue, ''), s.type, s.priority, coalesce(s.assigned_group, ''), s.organisation_id, lvl, sum(s.sg) from (select -1 as sg, o.* from facts_old o) s cross join unnest(s.escalations) lvl
    group by 1, 2, 3, 4, 5, 6, 7 having sum(s.sg) <> 0 order by 1, 2, 3, 4, 5, 6, 7
    on conflict (day, queue, type, priority, grp, org, level) do update set tickets = r.tickets + excluded.tickets;
  insert into report_duration_buckets as r (span, start, queue, type, priority, grp, org, clock, bucket, n)
    select sp.span, sp.start, coalesce(s.queue, ''), s.type, s.priority, coalesce(s.assigned_group, ''), s.organisation_id, c.clock, width_bucket(c.ms, '{1000,1189,1414,1682,2000,2378,2828,3364,4000,4757,5657,6727,8000,9514,11314,13454,16000,19027,22627,26909,32000,38055,45255,53817,64000,76109,90510,107635,128000,152219,181019,215269,256000,304437,362039,430539,512000,608874,724077,861078,1024000,1217748,1448155,1722156,2048000,2435496,2896309,3444312,4096000,4870992,5792619,6888623,8192000,9741985,11585238,13777247,16384000,19483969,23170475,27554494,32768000,38967939,46340950,55108987,65536000,77935877,92681900,110217975,131072000,155871755,185363800,220435950,262144000,311743510,370727600,440871900,524288000,623487020,741455200,881743800,1048576000,1246974040,1482910400,1763487599,2097152000,2493948080,2965820801,3526975198,4194304000,4987896159,5931641602,7053950396,8388608000,9975792319,11863283203,14107900792,16777216000,19951584637,23726566406,28215801585,33554432000,39903169274,47453132812,56431603169,67108864000,79806338549,94906265624,112863206339,134217728000,159612677097,189812531249,225726412677,268435456000,319225354194,379625062497,451452825355,536870912000,638450708388,759250124994,902905650710,1073741824000}'::bigint[]), sum(s.sg)
    from (select -1 as sg, o.* from facts_old o) s
    cross join lateral (values ('fr', s.fr_business_ms), ('res', s.res_business_ms)) c(clock, ms)
    cross join lateral (values ('d', s.created_day), ('w', date_trunc('week', s.created_day::timestamp)::date)) sp(span, start)
    where c.ms is not null
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9 having sum(s.sg) <> 0 order by 1, 2, 3, 4, 5, 6, 7, 8, 9
    on conflict (span, start, queue, type, priority, grp, org, clock, bucket) do update set n = r.n + excluded.n;
  return null;
end $fn$`,
  `create function report_rollups_facts_upd() returns trigger language plpgsql as $fn$
begin
  insert into report_created_days as r (day, queue, type, priority, grp, org, tickets, fr_met, fr_breached, fr_pending, res_met, res_breached, res_pending, fr_n, fr_sum, res_n, res_sum, reopen_base, reopened, reopens, open_n, ratings, score_sum, s1, s2, s3, s4, s5)
    select s.created_day, coalesce(s.queue, ''), s.type, s.priority, coalesce(s.assigned_group, ''), s.organisation_id, sum(s.sg * 1), sum(s.sg * (s.fr_status = 'met')::int), sum(s.sg * (s.fr_status = 'breached')::int), sum(s.sg * (s.fr_status = 'pending')::int), sum(s.sg * (s.res_status = 'met')::int), sum(s.sg * (s.res_status = 'breached')::int), sum(s.sg * (s.res_status = 'pending')::int), sum(s.sg * (s.fr_business_ms is not null)::int), sum(s.sg * coalesce(s.fr_business_ms, 0)::numeric), sum(s.sg * (s.res_business_ms is not null)::int), sum(s.sg * coalesce(s.res_business_ms, 0)::numeric), sum(s.sg * (s.resolved_at is not null or s.closed_at is not null or s.reopen_count > 0)::int), sum(s.sg * (s.reopen_count > 0)::int), sum(s.sg * case when s.resolved_at is not null or s.closed_at is not null or s.reopen_count > 0 then s.reopen_count else 0 end), sum(s.sg * (s.state_category not in ('resolved', 'closed'))::int), sum(s.sg * (s.rating is not null)::int), sum(s.sg * coalesce(s.rating, 0)), sum(s.sg * coalesce(s.rating = 1, false)::int), sum(s.sg * coalesce(s.rating = 2, false)::int), sum(s.sg * coalesce(s.rating = 3, false)::int), sum(s.sg * coalesce(s.rating = 4, false)::int), sum(s.sg * coalesce(s.rating = 5, false)::int)
    from (select -1 as sg, o.* from facts_old o union all select 1 as sg, n.* from facts_new n) s group by 1, 2, 3, 4, 5, 6
    having sum(s.sg * 1) <> 0 or sum(s.sg * (s.fr_status = 'met')::int) <> 0 or sum(s.sg * (s.fr_status = 'breached')::int) <> 0 or sum(s.sg * (s.fr_status = 'pending')::int) <> 0 or sum(s.sg * (s.res_status = 'met')::int) <> 0 or sum(s.sg * (s.res_status = 'breached')::int) <> 0 or sum(s.sg * (s.res_status = 'pending')::int) <> 0 or sum(s.sg * (s.fr_business_ms is not null)::int) <> 0 or sum(s.sg * coalesce(s.fr_business_ms, 0)::numeric) <> 0 or sum(s.sg * (s.res_business_ms is not null)::int) <> 0 or sum(s.sg * coalesce(s.res_business_ms, 0)::numeric) <> 0 or sum(s.sg * (s.resolved_at is not null or s.closed_at is not null or s.reopen_count > 0)::int) <> 0 or sum(s.sg * (s.reopen_count > 0)::int) <> 0 or sum(s.sg * case when s.resolved_at is not null or s.closed_at is not null or s.reopen_count > 0 then s.reopen_count else 0 end) <> 0 or sum(s.sg * (s.state_category not in ('resolved', 'closed'))::int) <> 0 or sum(s.sg * (s.rating is not null)::int) <> 0 or sum(s.sg * coalesce(s.rating, 0)) <> 0 or sum(s.sg * coalesce(s.rating = 1, false)::int) <> 0 or sum(s.sg * coalesce(s.rating = 2, false)::int) <> 0 or sum(s.sg * coalesce(s.rating = 3, false)::int) <> 0 or sum(s.sg * coalesce(s.rating = 4, false)::int) <> 0 or sum(s.sg * coalesce(s.rating = 5, false)::int) <> 0
    order by 1, 2, 3, 4, 5, 6
    on conflict (day, queue, type, priority, grp, org) do update set tickets = r.tickets + excluded.tickets, fr_met = r.fr_met + excluded.fr_met, fr_breached = r.fr_breached + excluded.fr_breached, fr_pending = r.fr_pending + excluded.fr_pending, res_met = r.res_met + excluded.res_met, res_breached = r.res_breached + excluded.res_breached, res_pending = r.res_pending + excluded.res_pending, fr_n = r.fr_n + excluded.fr_n, fr_sum = r.fr_sum + excluded.fr_sum, res_n = r.res_n + excluded.res_n, res_sum = r.res_sum + excluded.res_sum, reopen_base = r.reopen_base + excluded.reopen_base, reopened = r.reopened + excluded.reopened, reopens = r.reopens + excluded.reopens, open_n = r.open_n + excluded.open_n, ratings = r.ratings + excluded.ratings, score_sum = r.score_sum + excluded.score_sum, s1 = r.s1 + excluded.s1, s2 = r.s2 + excluded.s2, s3 = r.s3 + excluded.s3, s4 = r.s4 + excluded.s4, s5 = r.s5 + excluded.s5;
  insert into report_resolved_days as r (day, queue, type, priority, grp, org, assignee_id, resolved, open_n)
    select s.resolved_day, coalesce(s.queue, ''), s.type, s.priority, coalesce(s.assigned_group, ''), s.organisation_id, s.assignee_id, sum(s.sg * (s.resolved_at is not null)::int), sum(s.sg * (s.state_category not in ('resolved', 'closed'))::int)
    from (select -1 as sg, o.* from facts_old o union all select 1 as sg, n.* from facts_new n) s group by 1, 2, 3, 4, 5, 6, 7
    having sum(s.sg * (s.resolved_at is not null)::int) <> 0 or sum(s.sg * (s.state_category not in ('resolved', 'closed'))::int) <> 0
    order by 1, 2, 3, 4, 5, 6, 7
    on conflict (day, queue, type, priority, grp, org, assignee_id) do update set resolved = r.resolved + excluded.resolved, open_n = r.open_n + excluded.open_n;
  insert into report_escalation_days as r (day, queue, type, priority, grp, org, level, tickets)
    select s.created_day, coalesce(s.queue, ''), s.type, s.priority, coalesce(s.assigned_group, ''), s.organisation_id, lvl, sum(s.sg) from (select -1 as sg, o.* from facts_old o union all select 1 as sg, n.* from facts_new n) s cross join unnest(s.escalations) lvl
    group by 1, 2, 3, 4, 5, 6, 7 having sum(s.sg) <> 0 order by 1, 2, 3, 4, 5, 6, 7
    on conflict (day, queue, type, priority, grp, org, level) do update set tickets = r.tickets + excluded.tickets;
  insert into report_duration_buckets as r (span, start, queue, type, priority, grp, org, clock, bucket, n)
    select sp.span, sp.start, coalesce(s.queue, ''), s.type, s.priority, coalesce(s.assigned_group, ''), s.organisation_id, c.clock, width_bucket(c.ms, '{1000,1189,1414,1682,2000,2378,2828,3364,4000,4757,5657,6727,8000,9514,11314,13454,16000,19027,22627,26909,32000,38055,45255,53817,64000,76109,90510,107635,128000,152219,181019,215269,256000,304437,362039,430539,512000,608874,724077,861078,1024000,1217748,1448155,1722156,2048000,2435496,2896309,3444312,4096000,4870992,5792619,6888623,8192000,9741985,11585238,13777247,16384000,19483969,23170475,27554494,32768000,38967939,46340950,55108987,65536000,77935877,92681900,110217975,131072000,155871755,185363800,220435950,262144000,311743510,370727600,440871900,524288000,623487020,741455200,881743800,1048576000,1246974040,1482910400,1763487599,2097152000,2493948080,2965820801,3526975198,4194304000,4987896159,5931641602,7053950396,8388608000,9975792319,11863283203,14107900792,16777216000,19951584637,23726566406,28215801585,33554432000,39903169274,47453132812,56431603169,67108864000,79806338549,94906265624,112863206339,134217728000,159612677097,189812531249,225726412677,268435456000,319225354194,379625062497,451452825355,536870912000,638450708388,759250124994,902905650710,1073741824000}'::bigint[]), sum(s.sg)
    from (select -1 as sg, o.* from facts_old o union all select 1 as sg, n.* from facts_new n) s
    cross join lateral (values ('fr', s.fr_business_ms), ('res', s.res_business_ms)) c(clock, ms)
    cross join lateral (values ('d', s.created_day), ('w', date_trunc('week', s.created_day::timestamp)::date)) sp(span, start)
    where c.ms is not null
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9 having sum(s.sg) <> 0 order by 1, 2, 3, 4, 5, 6, 7, 8, 9
    on conflict (span, start, queue, type, priority, grp, org, clock, bucket) do update set n = r.n + excluded.n;
  return null;
end $fn$`,
  `create function report_rollups_facts_rating() returns trigger language plpgsql as $fn$
begin
  new.rating := (select r.score from ticket_ratings r where r.ticket_id = new.ticket_id);
  return new;
end $fn$`,
  `create function report_rollups_ratings_new() returns trigger language plpgsql as $fn$
begin
  update ticket_facts f set rating = (select r.score from ticket_ratings r where r.ticket_id = f.ticket_id)
   where f.ticket_id in (select ticket_id from ratings_new) and f.rating is distinct from (select r.score from ticket_ratings r where r.ticket_id = f.ticket_id);
  return null;
end $fn$`,
  `create function report_rollups_ratings_old() returns trigger language plpgsql as $fn$
begin
  update ticket_facts f set rating = (select r.score from ticket_ratings r where r.ticket_id = f.ticket_id)
   where f.ticket_id in (select ticket_id from ratings_old) and f.rating is distinct from (select r.score from ticket_ratings r where r.ticket_id = f.ticket_id);
  return null;
end $fn$`,
  `create function report_rollups_facts_truncate() returns trigger language plpgsql as $fn$
begin
  truncate report_created_days, report_resolved_days, report_escalation_days, report_duration_buckets;
  return null;
end $fn$`,
  `create function report_rollups_ratings_truncate() returns trigger language plpgsql as $fn$
begin
  update ticket_facts set rating = null where rating is not null;
  return null;
end $fn$`,
  `create trigger report_rollups_ins after insert on ticket_facts referencing new table as facts_new for each statement execute function report_rollups_facts_ins()`,
  `create trigger report_rollups_del after delete on ticket_facts referencing old table as facts_old for each statement execute function report_rollups_facts_del()`,
  `create trigger report_rollups_upd after update on ticket_facts referencing old table as facts_old new table as facts_new for each statement execute function report_rollups_facts_upd()`,
  `create trigger report_rollups_truncate after truncate on ticket_facts for each statement execute function report_rollups_facts_truncate()`,
  `create trigger report_rollups_rating before insert on ticket_facts for each row execute function report_rollups_facts_rating()`,
  `create trigger report_rollups_ratings_ins after insert on ticket_ratings referencing new table as ratings_new for each statement execute function report_rollups_ratings_new()`,
  `create trigger report_rollups_ratings_del after delete on ticket_ratings referencing old table as ratings_old for each statement execute function report_rollups_ratings_old()`,
  `create trigger report_rollups_ratings_upd after update on ticket_ratings referencing new table as ratings_new for each statement execute function report_rollups_ratings_new()`,
  `create trigger report_rollups_ratings_truncate after truncate on ticket_ratings for each statement execute function report_rollups_ratings_truncate()`,
  `truncate report_created_days, report_resolved_days, report_escalation_days, report_duration_buckets`,
  `insert into report_created_days as r (day, queue, type, priority, grp, org, tickets, fr_met, fr_breached, fr_pending, res_met, res_breached, res_pending, fr_n, fr_sum, res_n, res_sum, reopen_base, reopened, reopens, open_n, ratings, score_sum, s1, s2, s3, s4, s5)
    select s.created_day, coalesce(s.queue, ''), s.type, s.priority, coalesce(s.assigned_group, ''), s.organisation_id, sum(s.sg * 1), sum(s.sg * (s.fr_status = 'met')::int), sum(s.sg * (s.fr_status = 'breached')::int), sum(s.sg * (s.fr_status = 'pending')::int), sum(s.sg * (s.res_status = 'met')::int), sum(s.sg * (s.res_status = 'breached')::int), sum(s.sg * (s.res_status = 'pending')::int), sum(s.sg * (s.fr_business_ms is not null)::int), sum(s.sg * coalesce(s.fr_business_ms, 0)::numeric), sum(s.sg * (s.res_business_ms is not null)::int), sum(s.sg * coalesce(s.res_business_ms, 0)::numeric), sum(s.sg * (s.resolved_at is not null or s.closed_at is not null or s.reopen_count > 0)::int), sum(s.sg * (s.reopen_count > 0)::int), sum(s.sg * case when s.resolved_at is not null or s.closed_at is not null or s.reopen_count > 0 then s.reopen_count else 0 end), sum(s.sg * (s.state_category not in ('resolved', 'closed'))::int), sum(s.sg * (s.rating is not null)::int), sum(s.sg * coalesce(s.rating, 0)), sum(s.sg * coalesce(s.rating = 1, false)::int), sum(s.sg * coalesce(s.rating = 2, false)::int), sum(s.sg * coalesce(s.rating = 3, false)::int), sum(s.sg * coalesce(s.rating = 4, false)::int), sum(s.sg * coalesce(s.rating = 5, false)::int)
    from (select 1 as sg, f.* from ticket_facts f) s group by 1, 2, 3, 4, 5, 6
    having sum(s.sg * 1) <> 0 or sum(s.sg * (s.fr_status = 'met')::int) <> 0 or sum(s.sg * (s.fr_status = 'breached')::int) <> 0 or sum(s.sg * (s.fr_status = 'pending')::int) <> 0 or sum(s.sg * (s.res_status = 'met')::int) <> 0 or sum(s.sg * (s.res_status = 'breached')::int) <> 0 or sum(s.sg * (s.res_status = 'pending')::int) <> 0 or sum(s.sg * (s.fr_business_ms is not null)::int) <> 0 or sum(s.sg * coalesce(s.fr_business_ms, 0)::numeric) <> 0 or sum(s.sg * (s.res_business_ms is not null)::int) <> 0 or sum(s.sg * coalesce(s.res_business_ms, 0)::numeric) <> 0 or sum(s.sg * (s.resolved_at is not null or s.closed_at is not null or s.reopen_count > 0)::int) <> 0 or sum(s.sg * (s.reopen_count > 0)::int) <> 0 or sum(s.sg * case when s.resolved_at is not null or s.closed_at is not null or s.reopen_count > 0 then s.reopen_count else 0 end) <> 0 or sum(s.sg * (s.state_category not in ('resolved', 'closed'))::int) <> 0 or sum(s.sg * (s.rating is not null)::int) <> 0 or sum(s.sg * coalesce(s.rating, 0)) <> 0 or sum(s.sg * coalesce(s.rating = 1, false)::int) <> 0 or sum(s.sg * coalesce(s.rating = 2, false)::int) <> 0 or sum(s.sg * coalesce(s.rating = 3, false)::int) <> 0 or sum(s.sg * coalesce(s.rating = 4, false)::int) <> 0 or sum(s.sg * coalesce(s.rating = 5, false)::int) <> 0
    order by 1, 2, 3, 4, 5, 6
    on conflict (day, queue, type, priority, grp, org) do update set tickets = r.tickets + excluded.tickets, fr_met = r.fr_met + excluded.fr_met, fr_breached = r.fr_breached + excluded.fr_breached, fr_pending = r.fr_pending + excluded.fr_pending, res_met = r.res_met + excluded.res_met, res_breached = r.res_breached + excluded.res_breached, res_pending = r.res_pending + excluded.res_pending, fr_n = r.fr_n + excluded.fr_n, fr_sum = r.fr_sum + excluded.fr_sum, res_n = r.res_n + excluded.res_n, res_sum = r.res_sum + excluded.res_sum, reopen_base = r.reopen_base + excluded.reopen_base, reopened = r.reopened + excluded.reopened, reopens = r.reopens + excluded.reopens, open_n = r.open_n + excluded.open_n, ratings = r.ratings + excluded.ratings, score_sum = r.score_sum + excluded.score_sum, s1 = r.s1 + excluded.s1, s2 = r.s2 + excluded.s2, s3 = r.s3 + excluded.s3, s4 = r.s4 + excluded.s4, s5 = r.s5 + excluded.s5`,
  `insert into report_resolved_days as r (day, queue, type, priority, grp, org, assignee_id, resolved, open_n)
    select s.resolved_day, coalesce(s.queue, ''), s.type, s.priority, coalesce(s.assigned_group, ''), s.organisation_id, s.assignee_id, sum(s.sg * (s.resolved_at is not null)::int), sum(s.sg * (s.state_category not in ('resolved', 'closed'))::int)
    from (select 1 as sg, f.* from ticket_facts f) s group by 1, 2, 3, 4, 5, 6, 7
    having sum(s.sg * (s.resolved_at is not null)::int) <> 0 or sum(s.sg * (s.state_category not in ('resolved', 'closed'))::int) <> 0
    order by 1, 2, 3, 4, 5, 6, 7
    on conflict (day, queue, type, priority, grp, org, assignee_id) do update set resolved = r.resolved + excluded.resolved, open_n = r.open_n + excluded.open_n`,
  `insert into report_escalation_days as r (day, queue, type, priority, grp, org, level, tickets)
    select s.created_day, coalesce(s.queue, ''), s.type, s.priority, coalesce(s.assigned_group, ''), s.organisation_id, lvl, sum(s.sg) from (select 1 as sg, f.* from ticket_facts f) s cross join unnest(s.escalations) lvl
    group by 1, 2, 3, 4, 5, 6, 7 having sum(s.sg) <> 0 order by 1, 2, 3, 4, 5, 6, 7
    on conflict (day, queue, type, priority, grp, org, level) do update set tickets = r.tickets + excluded.tickets`,
  `insert into report_duration_buckets as r (span, start, queue, type, priority, grp, org, clock, bucket, n)
    select sp.span, sp.start, coalesce(s.queue, ''), s.type, s.priority, coalesce(s.assigned_group, ''), s.organisation_id, c.clock, width_bucket(c.ms, '{1000,1189,1414,1682,2000,2378,2828,3364,4000,4757,5657,6727,8000,9514,11314,13454,16000,19027,22627,26909,32000,38055,45255,53817,64000,76109,90510,107635,128000,152219,181019,215269,256000,304437,362039,430539,512000,608874,724077,861078,1024000,1217748,1448155,1722156,2048000,2435496,2896309,3444312,4096000,4870992,5792619,6888623,8192000,9741985,11585238,13777247,16384000,19483969,23170475,27554494,32768000,38967939,46340950,55108987,65536000,77935877,92681900,110217975,131072000,155871755,185363800,220435950,262144000,311743510,370727600,440871900,524288000,623487020,741455200,881743800,1048576000,1246974040,1482910400,1763487599,2097152000,2493948080,2965820801,3526975198,4194304000,4987896159,5931641602,7053950396,8388608000,9975792319,11863283203,14107900792,16777216000,19951584637,23726566406,28215801585,33554432000,39903169274,47453132812,56431603169,67108864000,79806338549,94906265624,112863206339,134217728000,159612677097,189812531249,225726412677,268435456000,319225354194,379625062497,451452825355,536870912000,638450708388,759250124994,902905650710,1073741824000}'::bigint[]), sum(s.sg)
    from (select 1 as sg, f.* from ticket_facts f) s
    cross join lateral (values ('fr', s.fr_business_ms), ('res', s.res_business_ms)) c(clock, ms)
    cross join lateral (values ('d', s.created_day), ('w', date_trunc('week', s.created_day::timestamp)::date)) sp(span, start)
    where c.ms is not null
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9 having sum(s.sg) <> 0 order by 1, 2, 3, 4, 5, 6, 7, 8, 9
    on conflict (span, start, queue, type, priority, grp, org, clock, bucket) do update set n = r.n + excluded.n`,
];

const DOWN: readonly string[] = [
  `drop trigger if exists report_rollups_ins on ticket_facts`,
  `drop trigger if exists report_rollups_del on ticket_facts`,
  `drop trigger if exists report_rollups_upd on ticket_facts`,
  `drop trigger if exists report_rollups_truncate on ticket_facts`,
  `drop trigger if exists report_rollups_rating on ticket_facts`,
  `drop trigger if exists report_rollups_ratings_ins on ticket_ratings`,
  `drop trigger if exists report_rollups_ratings_del on ticket_ratings`,
  `drop trigger if exists report_rollups_ratings_upd on ticket_ratings`,
  `drop trigger if exists report_rollups_ratings_truncate on ticket_ratings`,
  `drop function if exists report_rollups_facts_ins()`,
  `drop function if exists report_rollups_facts_del()`,
  `drop function if exists report_rollups_facts_upd()`,
  `drop function if exists report_rollups_facts_truncate()`,
  `drop function if exists report_rollups_facts_rating()`,
  `drop function if exists report_rollups_ratings_new()`,
  `drop function if exists report_rollups_ratings_old()`,
  `drop function if exists report_rollups_ratings_truncate()`,
  `drop index if exists ticket_facts_fr_ms_idx`,
  `drop index if exists ticket_facts_res_ms_idx`,
  `drop table if exists report_created_days, report_resolved_days, report_escalation_days, report_duration_buckets`,
  `alter table ticket_facts drop column if exists rating`,
];

export class Migration20261125000006ReportRollups extends Migration {
  override name = 'Migration20261125000006ReportRollups';

  override up(): void {
    for (const sql of UP) this.addSql(sql);
  }

  override down(): void {
    for (const sql of DOWN) this.addSql(sql);
  }
}
