-- Workflow executions (runs). The columns serve lookups and visibility
-- queries; state is the JSON of the rest of the run's state.
CREATE TABLE executions (
    id                 INTEGER PRIMARY KEY,
    domain_id          INTEGER NOT NULL REFERENCES domains (id),
    workflow_id        TEXT NOT NULL,
    run_id             TEXT NOT NULL,
    type_name          TEXT NOT NULL,
    type_version       TEXT NOT NULL,
    open               INTEGER NOT NULL,
    close_status       TEXT,
    start_time         INTEGER NOT NULL,
    close_time         INTEGER,
    parent_workflow_id TEXT,
    parent_run_id      TEXT,
    cancel_requested   INTEGER NOT NULL DEFAULT 0,
    tags               TEXT NOT NULL,
    state              TEXT NOT NULL
);
CREATE UNIQUE INDEX executions_by_run ON executions (domain_id, workflow_id, run_id);
-- At most one open run per workflowId in a domain.
CREATE UNIQUE INDEX executions_one_open ON executions (domain_id, workflow_id) WHERE open = 1;
CREATE INDEX executions_open_by_start ON executions (domain_id, start_time, id) WHERE open = 1;
CREATE INDEX executions_closed_by_start ON executions (domain_id, start_time, id) WHERE open = 0;
CREATE INDEX executions_closed_by_close ON executions (domain_id, close_time, id) WHERE open = 0;
CREATE INDEX executions_by_type ON executions (domain_id, type_name, start_time);

CREATE TABLE execution_tags (
    execution_id INTEGER NOT NULL REFERENCES executions (id),
    tag          TEXT NOT NULL,
    PRIMARY KEY (execution_id, tag)
) WITHOUT ROWID;
CREATE INDEX execution_tags_by_tag ON execution_tags (tag, execution_id);

-- History: one row per event, data being the event's JSON.
CREATE TABLE events (
    execution_id INTEGER NOT NULL,
    event_id     INTEGER NOT NULL,
    data         TEXT NOT NULL,
    PRIMARY KEY (execution_id, event_id)
) WITHOUT ROWID;

-- Open activity tasks. The heartbeat columns change in place, without a
-- history event; data is the JSON of the rest.
CREATE TABLE activities (
    execution_id       INTEGER NOT NULL,
    scheduled_event_id INTEGER NOT NULL,
    activity_id        TEXT NOT NULL,
    started_event_id   INTEGER NOT NULL DEFAULT 0,
    cancel_requested   INTEGER NOT NULL DEFAULT 0,
    heartbeat_details  TEXT,
    last_heartbeat     INTEGER,
    data               TEXT NOT NULL,
    PRIMARY KEY (execution_id, scheduled_event_id)
) WITHOUT ROWID;

-- Tasks waiting on task lists for pollers: decision and activity tasks that
-- are scheduled and not yet started. Pollers take the highest priority,
-- then the oldest.
CREATE TABLE tasks (
    id                 INTEGER PRIMARY KEY,
    domain_id          INTEGER NOT NULL,
    kind               TEXT NOT NULL,
    task_list          TEXT NOT NULL,
    priority           INTEGER NOT NULL,
    execution_id       INTEGER NOT NULL,
    scheduled_event_id INTEGER NOT NULL
);
CREATE INDEX tasks_by_list ON tasks (domain_id, kind, task_list, priority DESC, id);
CREATE UNIQUE INDEX tasks_by_execution ON tasks (execution_id, kind, scheduled_event_id);

-- Durable deadlines: timeouts, timers and retention purges.
CREATE TABLE timers (
    id           INTEGER PRIMARY KEY,
    due          INTEGER NOT NULL,
    execution_id INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    ref          INTEGER NOT NULL
);
CREATE INDEX timers_by_due ON timers (due, id);
CREATE UNIQUE INDEX timers_by_execution ON timers (execution_id, kind, ref);
