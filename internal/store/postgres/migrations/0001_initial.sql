-- The schema of the PostgreSQL store. It mirrors the SQLite one, in
-- PostgreSQL types:
--   * ids are bigint identities, never handed out twice;
--   * times are timestamptz, which the store writes truncated to the
--     millisecond, the precision SQLite keeps;
--   * JSON blobs are bytea, returned byte for byte as they were written
--     (jsonb would reorder keys and drop white space);
--   * text that is ordered or compared is COLLATE "C", byte order, as
--     SQLite's BINARY collation: listings page the same on both stores
--     whatever the database's default collation.
-- Unqualified names resolve in the schema the store was opened on (the
-- search_path of its connections).

-- Writes lock this table as they begin: in ROW SHARE mode, which they
-- share, or in EXCLUSIVE mode to run alone, when they keep failing to
-- serialize alongside the others (see Write). It holds no rows.
CREATE TABLE write_lock ();

-- Server-wide settings, such as the key that signs page tokens.
CREATE TABLE meta (
    key   text COLLATE "C" PRIMARY KEY,
    value bytea NOT NULL
);

CREATE TABLE domains (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text COLLATE "C" NOT NULL UNIQUE,
    status        text COLLATE "C" NOT NULL,
    description   text,
    retention     text NOT NULL,
    created_at    timestamptz NOT NULL,
    deprecated_at timestamptz
);
CREATE INDEX domains_by_status ON domains (status, name);

CREATE TABLE domain_tags (
    domain_id bigint NOT NULL REFERENCES domains (id),
    key       text COLLATE "C" NOT NULL,
    value     text NOT NULL,
    PRIMARY KEY (domain_id, key)
);

-- Activity and workflow types; config is the JSON of the registration
-- defaults exactly as given.
CREATE TABLE types (
    domain_id     bigint NOT NULL REFERENCES domains (id),
    kind          text COLLATE "C" NOT NULL,
    name          text COLLATE "C" NOT NULL,
    version       text COLLATE "C" NOT NULL,
    status        text COLLATE "C" NOT NULL,
    description   text,
    created_at    timestamptz NOT NULL,
    deprecated_at timestamptz,
    config        bytea NOT NULL,
    PRIMARY KEY (domain_id, kind, name, version)
);
CREATE INDEX types_by_status ON types (domain_id, kind, status, name, version);

-- Workflow executions (runs). The columns serve lookups and visibility
-- queries; state is the JSON of the rest of the run's state, tags its tags
-- in the order they were given.
--
-- Every transition of a run rewrites its row: pages are left a quarter
-- empty so that the new version fits beside the old (a HOT update), which
-- touches no index, and so neither bloats them nor, under serializable
-- isolation, conflicts with transactions that read their pages.
--
-- domain_id has no foreign key: domains are never deleted, and the check
-- would lock the domain's row (FOR KEY SHARE) in every transaction that
-- starts a run, a multixact on one hot row for a busy domain.
CREATE TABLE executions (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain_id          bigint NOT NULL,
    workflow_id        text COLLATE "C" NOT NULL,
    run_id             text COLLATE "C" NOT NULL,
    type_name          text COLLATE "C" NOT NULL,
    type_version       text COLLATE "C" NOT NULL,
    open               boolean NOT NULL,
    close_status       text COLLATE "C",
    start_time         timestamptz NOT NULL,
    close_time         timestamptz,
    parent_workflow_id text,
    parent_run_id      text,
    cancel_requested   boolean NOT NULL DEFAULT false,
    tags               text[] NOT NULL,
    state              bytea NOT NULL
) WITH (fillfactor = 75);
-- Lookups by workflowId and runId, and listings filtered by workflowId.
CREATE UNIQUE INDEX executions_by_run ON executions (domain_id, workflow_id, run_id);
-- At most one open run per workflowId in a domain.
CREATE UNIQUE INDEX executions_one_open ON executions (domain_id, workflow_id) WHERE open;
-- Visibility listings, newest first, paged by (time, id).
CREATE INDEX executions_open_by_start ON executions (domain_id, start_time, id) WHERE open;
CREATE INDEX executions_closed_by_start ON executions (domain_id, start_time, id) WHERE NOT open;
CREATE INDEX executions_closed_by_close ON executions (domain_id, close_time, id) WHERE NOT open;
-- Listings filtered by type, and closed ones by close status.
CREATE INDEX executions_by_type ON executions (domain_id, type_name, start_time, id);
CREATE INDEX executions_closed_by_status ON executions (domain_id, close_status, close_time, id) WHERE NOT open;

-- One row per tag of a run, for the tag filter of listings. domain_id and
-- start_time are copies of the run's (they never change), so that the
-- runs of a domain with a tag are found, in start order, from the index
-- alone.
CREATE TABLE execution_tags (
    execution_id bigint NOT NULL REFERENCES executions (id),
    tag          text COLLATE "C" NOT NULL,
    domain_id    bigint NOT NULL,
    start_time   timestamptz NOT NULL,
    PRIMARY KEY (execution_id, tag)
);
CREATE INDEX execution_tags_by_tag ON execution_tags (domain_id, tag, start_time, execution_id);

-- Each domain's count of open runs, for the open-executions quota, kept by
-- triggers in the same transaction as the runs change. The count is spread
-- over slots (chosen by the server process of the connection), and is the
-- sum of a domain's slots: transactions that open or close runs of one
-- domain at once update different rows, rather than all waiting for one
-- row and failing to serialize.
CREATE TABLE domain_open_executions (
    domain_id bigint NOT NULL,
    slot      integer NOT NULL,
    n         bigint NOT NULL,
    PRIMARY KEY (domain_id, slot)
);

CREATE FUNCTION executions_open_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    dom   bigint;
    delta integer;
BEGIN
    IF TG_OP = 'DELETE' THEN
        dom := OLD.domain_id;
        delta := -1;
    ELSE
        dom := NEW.domain_id;
        delta := CASE WHEN NEW.open THEN 1 ELSE -1 END;
    END IF;
    INSERT INTO domain_open_executions AS c (domain_id, slot, n)
    VALUES (dom, pg_backend_pid() % 32, delta)
    ON CONFLICT (domain_id, slot) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END;
$$;

CREATE TRIGGER executions_open_insert AFTER INSERT ON executions
    FOR EACH ROW WHEN (NEW.open) EXECUTE FUNCTION executions_open_changed();
CREATE TRIGGER executions_open_update AFTER UPDATE OF open ON executions
    FOR EACH ROW WHEN (OLD.open <> NEW.open) EXECUTE FUNCTION executions_open_changed();
CREATE TRIGGER executions_open_delete AFTER DELETE ON executions
    FOR EACH ROW WHEN (OLD.open) EXECUTE FUNCTION executions_open_changed();

-- History: one row per event, data being the event's JSON.
CREATE TABLE events (
    execution_id bigint NOT NULL,
    event_id     bigint NOT NULL,
    data         bytea NOT NULL,
    PRIMARY KEY (execution_id, event_id)
);

-- Open activity tasks. The heartbeat columns change in place, without a
-- history event (room is left for HOT updates); data is the JSON of the
-- rest.
CREATE TABLE activities (
    execution_id       bigint NOT NULL,
    scheduled_event_id bigint NOT NULL,
    activity_id        text NOT NULL,
    started_event_id   bigint NOT NULL DEFAULT 0,
    cancel_requested   boolean NOT NULL DEFAULT false,
    heartbeat_details  text,
    last_heartbeat     timestamptz,
    data               bytea NOT NULL,
    PRIMARY KEY (execution_id, scheduled_event_id)
) WITH (fillfactor = 80);

-- Tasks waiting on task lists for pollers: decision and activity tasks that
-- are scheduled and not yet started. Pollers take the highest priority,
-- then the oldest. Rows come and go all the time: vacuum early.
CREATE TABLE tasks (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain_id          bigint NOT NULL,
    kind               text COLLATE "C" NOT NULL,
    task_list          text COLLATE "C" NOT NULL,
    priority           integer NOT NULL,
    execution_id       bigint NOT NULL,
    scheduled_event_id bigint NOT NULL
) WITH (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000);
CREATE INDEX tasks_by_list ON tasks (domain_id, kind, task_list, priority DESC, id);
CREATE UNIQUE INDEX tasks_by_execution ON tasks (execution_id, kind, scheduled_event_id);

-- Durable deadlines: timeouts, timers and retention purges.
CREATE TABLE timers (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    due          timestamptz NOT NULL,
    execution_id bigint NOT NULL,
    kind         text COLLATE "C" NOT NULL,
    ref          bigint NOT NULL
) WITH (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000);
CREATE INDEX timers_by_due ON timers (due, id);
CREATE UNIQUE INDEX timers_by_execution ON timers (execution_id, kind, ref);
