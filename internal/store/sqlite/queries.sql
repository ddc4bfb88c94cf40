-- Queries of the SQLite store, one per "-- name:" header, with :named
-- parameters. Times are Unix milliseconds passed in by the caller.

-- name: DomainInsert
INSERT INTO domains (name, status, description, retention, created_at, deprecated_at)
VALUES (:name, :status, :description, :retention, :created_at, :deprecated_at)
ON CONFLICT (name) DO NOTHING;

-- name: DomainGetByName
SELECT id, name, status, description, retention, created_at, deprecated_at
FROM domains WHERE name = :name;

-- name: DomainGetByID
SELECT id, name, status, description, retention, created_at, deprecated_at
FROM domains WHERE id = :id;

-- name: DomainCount
SELECT count(*) FROM domains;

-- name: DomainListAsc
SELECT id, name, status, description, retention, created_at, deprecated_at
FROM domains
WHERE status = :status AND (:after IS NULL OR name > :after)
ORDER BY name ASC
LIMIT :limit;

-- name: DomainListDesc
SELECT id, name, status, description, retention, created_at, deprecated_at
FROM domains
WHERE status = :status AND (:after IS NULL OR name < :after)
ORDER BY name DESC
LIMIT :limit;

-- name: DomainSetStatus
UPDATE domains SET status = :status, deprecated_at = :deprecated_at WHERE id = :id;

-- name: DomainTagList
SELECT key, value FROM domain_tags WHERE domain_id = :domain_id ORDER BY key;

-- name: DomainTagPut
INSERT INTO domain_tags (domain_id, key, value) VALUES (:domain_id, :key, :value)
ON CONFLICT (domain_id, key) DO UPDATE SET value = excluded.value;

-- name: DomainTagDelete
DELETE FROM domain_tags WHERE domain_id = :domain_id AND key = :key;

-- name: TypeInsert
INSERT INTO types (domain_id, kind, name, version, status, description, created_at, deprecated_at, config)
VALUES (:domain_id, :kind, :name, :version, :status, :description, :created_at, :deprecated_at, :config)
ON CONFLICT (domain_id, kind, name, version) DO NOTHING;

-- name: TypeGet
SELECT domain_id, kind, name, version, status, description, created_at, deprecated_at, config
FROM types
WHERE domain_id = :domain_id AND kind = :kind AND name = :name AND version = :version;

-- name: TypeCount
SELECT count(*) FROM types WHERE domain_id = :domain_id AND kind = :kind;

-- name: TypeListAsc
SELECT domain_id, kind, name, version, status, description, created_at, deprecated_at, config
FROM types
WHERE domain_id = :domain_id AND kind = :kind AND status = :status
  AND (:name IS NULL OR name = :name)
  AND (:after_name IS NULL OR name > :after_name OR (name = :after_name AND version > :after_version))
ORDER BY name ASC, version ASC
LIMIT :limit;

-- name: TypeListDesc
SELECT domain_id, kind, name, version, status, description, created_at, deprecated_at, config
FROM types
WHERE domain_id = :domain_id AND kind = :kind AND status = :status
  AND (:name IS NULL OR name = :name)
  AND (:after_name IS NULL OR name < :after_name OR (name = :after_name AND version < :after_version))
ORDER BY name DESC, version DESC
LIMIT :limit;

-- name: TypeSetStatus
UPDATE types SET status = :status, deprecated_at = :deprecated_at
WHERE domain_id = :domain_id AND kind = :kind AND name = :name AND version = :version;

-- name: TypeDeprecateAll
UPDATE types SET status = 'DEPRECATED', deprecated_at = :deprecated_at
WHERE domain_id = :domain_id AND status = 'REGISTERED';

-- name: TypeDelete
DELETE FROM types
WHERE domain_id = :domain_id AND kind = :kind AND name = :name AND version = :version;

-- name: MetaGet
SELECT value FROM meta WHERE key = :key;

-- name: MetaPutIfAbsent
INSERT INTO meta (key, value) VALUES (:key, :value) ON CONFLICT (key) DO NOTHING;

-- name: MetaPut
INSERT INTO meta (key, value) VALUES (:key, :value) ON CONFLICT (key) DO UPDATE SET value = excluded.value;

-- name: ExecutionInsert
-- The id is above every id in use and every id deleted (execution_id_floor).
INSERT INTO executions (id, domain_id, workflow_id, run_id, type_name, type_version, open, close_status,
    start_time, close_time, parent_workflow_id, parent_run_id, cancel_requested, tags, state)
VALUES (max(coalesce((SELECT max(id) FROM executions), 0), (SELECT n FROM execution_id_floor)) + 1,
    :domain_id, :workflow_id, :run_id, :type_name, :type_version, :open, :close_status,
    :start_time, :close_time, :parent_workflow_id, :parent_run_id, :cancel_requested, :tags, :state)
ON CONFLICT DO NOTHING;

-- name: ExecutionTagInsert
INSERT INTO execution_tags (execution_id, tag) VALUES (:execution_id, :tag) ON CONFLICT DO NOTHING;

-- name: ExecutionGet
SELECT id, domain_id, workflow_id, run_id, type_name, type_version, open, close_status, start_time,
    close_time, parent_workflow_id, parent_run_id, cancel_requested, tags, state
FROM executions WHERE id = :id;

-- name: ExecutionGetByRun
SELECT id, domain_id, workflow_id, run_id, type_name, type_version, open, close_status, start_time,
    close_time, parent_workflow_id, parent_run_id, cancel_requested, tags, state
FROM executions WHERE domain_id = :domain_id AND workflow_id = :workflow_id AND run_id = :run_id;

-- name: ExecutionGetOpen
SELECT id, domain_id, workflow_id, run_id, type_name, type_version, open, close_status, start_time,
    close_time, parent_workflow_id, parent_run_id, cancel_requested, tags, state
FROM executions WHERE domain_id = :domain_id AND workflow_id = :workflow_id AND open = 1;

-- name: ExecutionUpdate
UPDATE executions SET open = :open, close_status = :close_status, close_time = :close_time,
    cancel_requested = :cancel_requested, state = :state
WHERE id = :id;

-- name: ExecutionCountOpen
SELECT open_executions FROM domains WHERE id = :domain_id;

-- name: ExecutionDeleteEvents
DELETE FROM events WHERE execution_id = :id;

-- name: ExecutionDeleteTags
DELETE FROM execution_tags WHERE execution_id = :id;

-- name: ExecutionDelete
DELETE FROM executions WHERE id = :id;

-- name: EventInsert
INSERT INTO events (execution_id, event_id, data) VALUES (:execution_id, :event_id, :data);

-- name: EventListAsc
SELECT event_id, data FROM events
WHERE execution_id = :execution_id AND event_id > :after AND event_id <= :upto
ORDER BY event_id ASC LIMIT :limit;

-- name: EventListDesc
SELECT event_id, data FROM events
WHERE execution_id = :execution_id AND event_id < :before AND event_id <= :upto
ORDER BY event_id DESC LIMIT :limit;

-- name: ActivityList
SELECT execution_id, scheduled_event_id, activity_id, started_event_id, cancel_requested,
    heartbeat_details, last_heartbeat, data
FROM activities WHERE execution_id = :execution_id ORDER BY scheduled_event_id;

-- name: ActivityCount
SELECT count(*) FROM activities WHERE execution_id = :execution_id;

-- name: ActivityPut
INSERT INTO activities (execution_id, scheduled_event_id, activity_id, started_event_id,
    cancel_requested, heartbeat_details, last_heartbeat, data)
VALUES (:execution_id, :scheduled_event_id, :activity_id, :started_event_id,
    :cancel_requested, :heartbeat_details, :last_heartbeat, :data)
ON CONFLICT (execution_id, scheduled_event_id) DO UPDATE SET
    activity_id = excluded.activity_id, started_event_id = excluded.started_event_id,
    cancel_requested = excluded.cancel_requested, heartbeat_details = excluded.heartbeat_details,
    last_heartbeat = excluded.last_heartbeat, data = excluded.data;

-- name: ActivityDelete
DELETE FROM activities WHERE execution_id = :execution_id AND scheduled_event_id = :scheduled_event_id;

-- name: ActivityDeleteAll
DELETE FROM activities WHERE execution_id = :execution_id;

-- name: ActivityHeartbeat
UPDATE activities SET heartbeat_details = :details, last_heartbeat = :at
WHERE execution_id = :execution_id AND scheduled_event_id = :scheduled_event_id
  AND started_event_id = :started_event_id AND started_event_id <> 0
RETURNING cancel_requested;

-- name: TaskInsert
INSERT INTO tasks (domain_id, kind, task_list, priority, execution_id, scheduled_event_id)
VALUES (:domain_id, :kind, :task_list, :priority, :execution_id, :scheduled_event_id);

-- name: TaskDelete
DELETE FROM tasks WHERE execution_id = :execution_id AND kind = :kind AND scheduled_event_id = :scheduled_event_id;

-- name: TaskDeleteAll
DELETE FROM tasks WHERE execution_id = :execution_id;

-- name: TaskNext
SELECT id, domain_id, kind, task_list, priority, execution_id, scheduled_event_id FROM tasks
WHERE domain_id = :domain_id AND kind = :kind AND task_list = :task_list
ORDER BY priority DESC, id ASC LIMIT 1;

-- name: TaskTake
DELETE FROM tasks WHERE id = (
    SELECT id FROM tasks
    WHERE domain_id = :domain_id AND kind = :kind AND task_list = :task_list
    ORDER BY priority DESC, id ASC LIMIT 1)
RETURNING id, domain_id, kind, task_list, priority, execution_id, scheduled_event_id;

-- name: TaskCount
SELECT count(*) FROM tasks WHERE domain_id = :domain_id AND kind = :kind AND task_list = :task_list;

-- name: TaskListCounts
SELECT domain_id, kind, task_list, count(*) AS n FROM tasks WHERE :domain_id = 0 OR domain_id = :domain_id
GROUP BY domain_id, kind, task_list ORDER BY n DESC, domain_id, kind, task_list LIMIT :limit;

-- name: TimerPut
INSERT INTO timers (due, execution_id, kind, ref) VALUES (:due, :execution_id, :kind, :ref)
ON CONFLICT (execution_id, kind, ref) DO UPDATE SET due = excluded.due;

-- name: TimerDelete
DELETE FROM timers WHERE execution_id = :execution_id AND kind = :kind AND ref = :ref;

-- name: TimerDeleteAll
DELETE FROM timers WHERE execution_id = :execution_id;

-- name: TimerNext
SELECT id, due, execution_id, kind, ref FROM timers ORDER BY due, id LIMIT 1;

-- name: TimerDue
SELECT id, due, execution_id, kind, ref FROM timers WHERE due <= :now ORDER BY due, id LIMIT :limit;

-- name: TimerDeleteByID
DELETE FROM timers WHERE id = :id;
