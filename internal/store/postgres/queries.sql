-- Statements of the PostgreSQL store, one per "-- name:" header, with $n
-- parameters. The Go code that runs each says why it is written so (its
-- locks, above all); a write may add FOR UPDATE or FOR SHARE to a SELECT.
-- Listings whose filters vary per call (domains, types, visibility) are
-- composed in Go from their columns.

-- How a transaction begins, and the settings and locks of a write (see
-- Store.Write).

-- name: Begin
BEGIN ISOLATION LEVEL READ COMMITTED;

-- name: BeginRead
BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;

-- name: WriteLockAlone
-- An attempt that runs alone holds back every other write (EXCLUSIVE
-- conflicts with the ROW EXCLUSIVE of INSERT, UPDATE and DELETE, and with
-- the ROW SHARE of SELECT FOR UPDATE and FOR SHARE) but not reads. Every
-- table a write may change is listed (a package test checks it), and
-- write_lock, which earlier servers lock in every write: during a rolling
-- upgrade, an attempt alone here holds back their writes too.
LOCK TABLE write_lock, meta, domains, domain_tags, types, executions,
    execution_tags, events, activities, tasks, timers, domain_open_runs
    IN EXCLUSIVE MODE;

-- name: AdvisoryLock
SELECT pg_advisory_xact_lock($1);

-- name: AdvisoryLockShared
SELECT pg_advisory_xact_lock_shared($1);

-- Migrations (see Store.migrate).

-- name: ServerEncoding
SHOW server_encoding;

-- name: SchemaExists
SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1);

-- name: MigrationsCreate
CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());

-- name: MigrationsCurrent
SELECT coalesce(max(version), 0) FROM schema_migrations;

-- name: MigrationRecord
INSERT INTO schema_migrations (version, name) VALUES ($1, $2);

-- name: Notify
SELECT pg_notify($1, $2);

-- Domains.

-- name: DomainInsert
INSERT INTO domains (name, status, description, retention, created_at, deprecated_at)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING RETURNING id;

-- name: DomainGetByName
SELECT id, name, status, description, retention, created_at, deprecated_at
FROM domains WHERE name = $1;

-- name: DomainGetByID
SELECT id, name, status, description, retention, created_at, deprecated_at
FROM domains WHERE id = $1;

-- name: DomainCount
SELECT count(*) FROM domains;

-- name: DomainList
-- The code adds the position (name after $3) and the order (LIMIT $2).
SELECT id, name, status, description, retention, created_at, deprecated_at
FROM domains WHERE status = $1;

-- name: DomainSetStatus
UPDATE domains SET status = $2, deprecated_at = $3 WHERE id = $1;

-- name: DomainTagList
SELECT key, value FROM domain_tags WHERE domain_id = $1 ORDER BY key;

-- name: DomainTagPut
INSERT INTO domain_tags (domain_id, key, value)
SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS u (k, v)
ON CONFLICT (domain_id, key) DO UPDATE SET value = excluded.value;

-- name: DomainTagDelete
DELETE FROM domain_tags WHERE domain_id = $1 AND key = ANY ($2::text[]);

-- Types.

-- name: TypeInsert
INSERT INTO types (domain_id, kind, name, version, status, description, created_at, deprecated_at, config)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (domain_id, kind, name, version) DO NOTHING;

-- name: TypeGet
SELECT domain_id, kind, name, version, status, description, created_at, deprecated_at, config
FROM types WHERE domain_id = $1 AND kind = $2 AND name = $3 AND version = $4;

-- name: TypeCount
SELECT count(*) FROM types WHERE domain_id = $1 AND kind = $2;

-- name: TypeList
-- The code adds the name filter, the position and the order (LIMIT $4).
SELECT domain_id, kind, name, version, status, description, created_at, deprecated_at, config
FROM types WHERE domain_id = $1 AND kind = $2 AND status = $3;

-- name: TypeSetStatus
UPDATE types SET status = $5, deprecated_at = $6
WHERE domain_id = $1 AND kind = $2 AND name = $3 AND version = $4;

-- name: TypeDeprecateAll
UPDATE types SET status = $2, deprecated_at = $3 WHERE domain_id = $1 AND status = $4;

-- name: TypeDelete
DELETE FROM types WHERE domain_id = $1 AND kind = $2 AND name = $3 AND version = $4;

-- Runs (executions). The visibility queries are composed in Go.

-- name: ExecutionGetByID
SELECT id, domain_id, workflow_id, run_id, type_name, type_version, open, close_status, start_time,
    close_time, parent_workflow_id, parent_run_id, cancel_requested, tags, state
FROM executions WHERE id = $1;

-- name: ExecutionGetByRunID
SELECT id, domain_id, workflow_id, run_id, type_name, type_version, open, close_status, start_time,
    close_time, parent_workflow_id, parent_run_id, cancel_requested, tags, state
FROM executions WHERE domain_id = $1 AND workflow_id = $2 AND run_id = $3;

-- name: ExecutionFindOpen
SELECT id, domain_id, workflow_id, run_id, type_name, type_version, open, close_status, start_time,
    close_time, parent_workflow_id, parent_run_id, cancel_requested, tags, state
FROM executions WHERE domain_id = $1 AND workflow_id = $2 AND open;

-- name: ExecutionInsert
-- ON CONFLICT DO NOTHING rather than a unique violation (see
-- tx.ExecutionInsert).
INSERT INTO executions (domain_id, workflow_id, run_id, type_name, type_version, open, close_status,
    start_time, close_time, parent_workflow_id, parent_run_id, cancel_requested, tags, state)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT DO NOTHING RETURNING id;

-- name: ExecutionReserveID
-- The id of a run a start will insert (see tx.StartLookup); an id drawn and
-- not used leaves a gap, as a rolled-back insert does.
SELECT nextval(pg_get_serial_sequence('executions', 'id'));

-- name: ExecutionInsertReserved
-- ExecutionInsert of a run whose id StartLookup drew ($1): it goes with the
-- next statement or the COMMIT, and a run of the same workflowId opened
-- meanwhile by another transaction fails it with a unique violation, at
-- which Write runs the start again (see tx.ExecutionInsert).
INSERT INTO executions (id, domain_id, workflow_id, run_id, type_name, type_version, open, close_status,
    start_time, close_time, parent_workflow_id, parent_run_id, cancel_requested, tags, state)
OVERRIDING SYSTEM VALUE
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15);

-- name: ExecutionTagsInsert
INSERT INTO execution_tags (execution_id, tag, domain_id, start_time)
SELECT DISTINCT $1::bigint, tag, $2::bigint, $3::timestamptz FROM unnest($4::text[]) AS tag;

-- name: ExecutionUpdate
UPDATE executions SET open = $2, close_status = $3, close_time = $4, cancel_requested = $5, state = $6
WHERE id = $1;

-- name: ExecutionDeleteEvents
DELETE FROM events WHERE execution_id = $1;

-- name: ExecutionDeleteTags
DELETE FROM execution_tags WHERE execution_id = $1;

-- name: ExecutionDeleteActivities
DELETE FROM activities WHERE execution_id = $1;

-- name: ExecutionDeleteTasks
DELETE FROM tasks WHERE execution_id = $1;

-- name: ExecutionDeleteTimers
DELETE FROM timers WHERE execution_id = $1;

-- name: ExecutionDelete
DELETE FROM executions WHERE id = $1;

-- name: ExecutionCountOpen
-- Those committed (the sum of the domain's slots; see migration 0003); the
-- code adds those the transaction opened or closed.
SELECT coalesce(sum(n), 0) FROM domain_open_runs WHERE domain_id = $1;

-- name: TypeGetByDomainName
-- TypeGet of a domain named by name (see tx.StartLookup).
SELECT domain_id, kind, name, version, status, description, created_at, deprecated_at, config
FROM types WHERE domain_id = (SELECT id FROM domains WHERE name = $1) AND kind = $2 AND name = $3 AND version = $4;

-- name: ExecutionFindOpenByDomainName
-- ExecutionFindOpen of a domain named by name; a write adds FOR UPDATE OF
-- executions (see tx.StartLookup).
SELECT id, domain_id, workflow_id, run_id, type_name, type_version, open, close_status, start_time,
    close_time, parent_workflow_id, parent_run_id, cancel_requested, tags, state
FROM executions WHERE domain_id = (SELECT id FROM domains WHERE name = $1) AND workflow_id = $2 AND open;

-- name: ExecutionCountOpenByDomainName
-- ExecutionCountOpen of a domain named by name (see tx.StartLookup).
SELECT coalesce(sum(n), 0) FROM domain_open_runs WHERE domain_id = (SELECT id FROM domains WHERE name = $1);

-- name: ExecutionOpenOf
-- The domain and open state of a run the write has not read, locked as a
-- read in a write locks it.
SELECT domain_id, open FROM executions WHERE id = $1 FOR UPDATE;

-- name: OpenRunsAdd
-- Applies, at COMMIT, the changes of the domains' open-run counts that a
-- write made ($1 the domains, in ascending order, so that writes lock
-- their rows in one order; $2 the changes): a rise to the domain's slot 0,
-- with the quota $3 and the sum of the other slots, which the row's CHECK
-- holds it to, and a fall to the slot $4 (see migration 0003).
INSERT INTO domain_open_runs AS c (domain_id, slot, n, lim, others)
SELECT d, CASE WHEN k > 0 THEN 0 ELSE $4::integer END, k, CASE WHEN k > 0 THEN $3::bigint ELSE 0 END,
    CASE WHEN k > 0 THEN (SELECT coalesce(sum(o.n), 0) FROM domain_open_runs o WHERE o.domain_id = d AND o.slot <> 0) ELSE 0 END
FROM unnest($1::bigint[], $2::bigint[]) AS u (d, k)
ON CONFLICT (domain_id, slot) DO UPDATE SET n = c.n + excluded.n, lim = excluded.lim, others = excluded.others;

-- name: OpenRunsRise
-- OpenRunsAdd of a write that raised the count of one domain ($1) by $2,
-- with the quota $3.
INSERT INTO domain_open_runs AS c (domain_id, slot, n, lim, others)
VALUES ($1, 0, $2, $3,
    (SELECT coalesce(sum(o.n), 0) FROM domain_open_runs o WHERE o.domain_id = $1 AND o.slot <> 0))
ON CONFLICT (domain_id, slot) DO UPDATE SET n = c.n + excluded.n, lim = excluded.lim, others = excluded.others;

-- name: OpenRunsFall
-- OpenRunsAdd of a write that lowered the count of one domain ($1), in its
-- slot $2, by -$3.
INSERT INTO domain_open_runs AS c (domain_id, slot, n, lim, others) VALUES ($1, $2, $3, 0, 0)
ON CONFLICT (domain_id, slot) DO UPDATE SET n = c.n + excluded.n, lim = excluded.lim, others = excluded.others;

-- History.

-- name: EventInsert
INSERT INTO events (execution_id, event_id, data)
SELECT $1, id, data FROM unnest($2::bigint[], $3::bytea[]) AS e (id, data);

-- name: EventListAsc
SELECT event_id, data FROM events
WHERE execution_id = $1 AND event_id > $2 AND event_id <= $3
ORDER BY event_id ASC LIMIT $4;

-- name: EventListDesc
SELECT event_id, data FROM events
WHERE execution_id = $1 AND event_id < $2 AND event_id <= $3
ORDER BY event_id DESC LIMIT $4;

-- Activities.

-- name: ActivityList
SELECT execution_id, scheduled_event_id, activity_id, started_event_id, cancel_requested,
    heartbeat_details, last_heartbeat, data
FROM activities WHERE execution_id = $1 ORDER BY scheduled_event_id;

-- name: ActivityListIfHeld
-- ActivityList in a write of a batch, locked FOR UPDATE, after the run's
-- read FOR UPDATE SKIP LOCKED in the same round trip: when another
-- transaction holds the run, it reads nothing rather than wait for the
-- activities that transaction may hold (see batch.go).
SELECT execution_id, scheduled_event_id, activity_id, started_event_id, cancel_requested,
    heartbeat_details, last_heartbeat, data
FROM activities WHERE execution_id = $1
    AND EXISTS (SELECT 1 FROM executions WHERE id = $1 FOR UPDATE SKIP LOCKED)
ORDER BY scheduled_event_id FOR UPDATE;

-- name: ActivityCount
SELECT count(*) FROM activities WHERE execution_id = $1;

-- name: ActivityPut
INSERT INTO activities (execution_id, scheduled_event_id, activity_id, started_event_id,
    cancel_requested, heartbeat_details, last_heartbeat, data)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (execution_id, scheduled_event_id) DO UPDATE SET
    activity_id = excluded.activity_id, started_event_id = excluded.started_event_id,
    cancel_requested = excluded.cancel_requested, heartbeat_details = excluded.heartbeat_details,
    last_heartbeat = excluded.last_heartbeat, data = excluded.data;

-- name: ActivityDelete
DELETE FROM activities WHERE execution_id = $1 AND scheduled_event_id = $2;

-- name: ActivityDeleteAll
DELETE FROM activities WHERE execution_id = $1;

-- name: ActivityHeartbeat
-- Records a heartbeat and returns whether the activity's cancellation was
-- requested; it takes no lock but the activity's row.
UPDATE activities SET heartbeat_details = $4, last_heartbeat = $5
WHERE execution_id = $1 AND scheduled_event_id = $2 AND started_event_id = $3 AND started_event_id <> 0
RETURNING cancel_requested;

-- name: ActivityHeartbeatSkipLocked
-- ActivityHeartbeat, but for an activity whose row a transaction holds it
-- returns nothing at once rather than wait.
UPDATE activities SET heartbeat_details = $4, last_heartbeat = $5
WHERE (execution_id, scheduled_event_id) = (SELECT execution_id, scheduled_event_id FROM activities
    WHERE execution_id = $1 AND scheduled_event_id = $2 AND started_event_id = $3 AND started_event_id <> 0
    FOR UPDATE SKIP LOCKED)
RETURNING cancel_requested;

-- Tasks. A write deletes a run's tasks SKIP LOCKED, leaving those that
-- pollers are taking to them (see tx.TaskDelete).

-- name: TaskInsert
INSERT INTO tasks (domain_id, kind, task_list, priority, execution_id, scheduled_event_id)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: TaskDelete
DELETE FROM tasks WHERE execution_id = $1 AND kind = $2 AND scheduled_event_id = $3;

-- name: TaskDeleteSkipLocked
DELETE FROM tasks WHERE id = ANY (ARRAY (SELECT id FROM tasks
    WHERE execution_id = $1 AND kind = $2 AND scheduled_event_id = $3 FOR UPDATE SKIP LOCKED));

-- name: TaskDeleteAll
DELETE FROM tasks WHERE execution_id = $1;

-- name: TaskDeleteAllSkipLocked
DELETE FROM tasks WHERE id = ANY (ARRAY (SELECT id FROM tasks
    WHERE execution_id = $1 FOR UPDATE SKIP LOCKED));

-- name: TaskNext
SELECT id, domain_id, kind, task_list, priority, execution_id, scheduled_event_id
FROM tasks WHERE domain_id = $1 AND kind = $2 AND task_list = $3
ORDER BY priority DESC, id ASC LIMIT 1;

-- name: TaskTake
DELETE FROM tasks WHERE id = (
    SELECT id FROM tasks WHERE domain_id = $1 AND kind = $2 AND task_list = $3
    ORDER BY priority DESC, id ASC LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING id, domain_id, kind, task_list, priority, execution_id, scheduled_event_id;

-- name: TaskTakeWithRun
-- TaskTake in a write, which also reads the task's run, locked, as
-- ExecutionGetByID does in a write (its columns NULL if the run is gone),
-- and the run's activities, locked after it, as ActivityList does in a
-- write (in arrays by scheduled event id; NULL when there are none): the
-- poller reads them next (see tx.TaskTake).
WITH t AS (
    DELETE FROM tasks WHERE id = (
        SELECT id FROM tasks WHERE domain_id = $1 AND kind = $2 AND task_list = $3
        ORDER BY priority DESC, id ASC LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING id, domain_id, kind, task_list, priority, execution_id, scheduled_event_id)
SELECT t.id, t.domain_id, t.kind, t.task_list, t.priority, t.execution_id, t.scheduled_event_id,
    e.id, e.domain_id, e.workflow_id, e.run_id, e.type_name, e.type_version, e.open, e.close_status, e.start_time,
    e.close_time, e.parent_workflow_id, e.parent_run_id, e.cancel_requested, e.tags, e.state,
    acts.scheduled_event_ids, acts.activity_ids, acts.started_event_ids, acts.cancel_requesteds,
    acts.heartbeat_detailss, acts.last_heartbeats, acts.datas
FROM t LEFT JOIN LATERAL (
    SELECT id, domain_id, workflow_id, run_id, type_name, type_version, open, close_status, start_time,
        close_time, parent_workflow_id, parent_run_id, cancel_requested, tags, state
    FROM executions WHERE id = t.execution_id FOR UPDATE) e ON true
LEFT JOIN LATERAL (
    SELECT array_agg(a.scheduled_event_id ORDER BY a.scheduled_event_id) AS scheduled_event_ids,
        array_agg(a.activity_id ORDER BY a.scheduled_event_id) AS activity_ids,
        array_agg(a.started_event_id ORDER BY a.scheduled_event_id) AS started_event_ids,
        array_agg(a.cancel_requested ORDER BY a.scheduled_event_id) AS cancel_requesteds,
        array_agg(a.heartbeat_details ORDER BY a.scheduled_event_id) AS heartbeat_detailss,
        array_agg(a.last_heartbeat ORDER BY a.scheduled_event_id) AS last_heartbeats,
        array_agg(a.data ORDER BY a.scheduled_event_id) AS datas
    FROM (SELECT scheduled_event_id, activity_id, started_event_id, cancel_requested, heartbeat_details,
            last_heartbeat, data
        FROM activities WHERE execution_id = e.id ORDER BY scheduled_event_id FOR UPDATE) a) acts ON true;

-- name: TaskAnyFree
-- Whether the list has a task that no other transaction is taking (see
-- tx.noTask).
SELECT 1 FROM tasks WHERE domain_id = $1 AND kind = $2 AND task_list = $3 LIMIT 1 FOR UPDATE SKIP LOCKED;

-- name: TaskCount
SELECT count(*) FROM tasks WHERE domain_id = $1 AND kind = $2 AND task_list = $3;

-- name: TaskListCounts
SELECT domain_id, kind, task_list, count(*) AS n FROM tasks WHERE $1 = 0 OR domain_id = $1
GROUP BY domain_id, kind, task_list ORDER BY n DESC, domain_id, kind, task_list LIMIT $2;

-- Timers.

-- name: TimerPut
-- Moves the run's timer of that kind and ref, or arms one. Not INSERT … ON
-- CONFLICT DO UPDATE: that inserts speculatively, one more WAL record (and
-- a lock) for each new timer, most of a workflow's (docs/pg-statements.sh:
-- 5.1 WAL records a call against 4.1). A run's timers change under its
-- row lock; a put that races another's insert of the same timer anyway
-- fails with a unique violation, and its write runs again and moves it.
WITH moved AS (
    UPDATE timers SET due = $1 WHERE execution_id = $2 AND kind = $3 AND ref = $4 RETURNING 1)
INSERT INTO timers (due, execution_id, kind, ref) SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM moved);

-- name: TimerDelete
DELETE FROM timers WHERE execution_id = $1 AND kind = $2 AND ref = $3;

-- name: TimerDeleteAll
DELETE FROM timers WHERE execution_id = $1;

-- name: TimerNext
SELECT id, due, execution_id, kind, ref FROM timers ORDER BY due, id LIMIT 1;

-- name: TimerDue
SELECT id, due, execution_id, kind, ref FROM timers WHERE due <= $1 ORDER BY due, id LIMIT $2;

-- name: TimerDeleteByID
DELETE FROM timers WHERE id = $1;

-- Meta.

-- name: MetaGet
SELECT value FROM meta WHERE key = $1;

-- name: MetaPut
INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value;

-- name: MetaPutIfAbsent
INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING;
