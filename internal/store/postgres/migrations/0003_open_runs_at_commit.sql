-- The open-run counts of the domains are kept by the writes themselves,
-- rather than by triggers: a write knows the runs it opens, closes and
-- deletes (it holds their rows locked), adds up the change of each domain's
-- count as it goes, and applies it with one statement that goes with its
-- COMMIT (see tx.commit). That is one plain statement per write that opens
-- or closes runs, instead of two PL/pgSQL triggers per run changed and a
-- setting of the transaction per change.
--
-- The quota is a CHECK on the count's row: a write that adds runs to a
-- domain writes the quota beside the count (lim; 0 when it adds none, or
-- when there is no quota), and the row refuses a count above it. As with
-- the trigger before, the domain's row is locked only from that statement,
-- the last before COMMIT, to the end of the commit, and a write that would
-- go over the quota fails there (SQLSTATE 23514 on this constraint), and
-- runs again.

DROP TRIGGER executions_open_insert ON executions;
DROP TRIGGER executions_open_update ON executions;
DROP TRIGGER executions_open_delete ON executions;
DROP TRIGGER executions_open_apply_insert ON executions;
DROP TRIGGER executions_open_apply_update ON executions;
DROP TRIGGER executions_open_apply_delete ON executions;
DROP FUNCTION executions_open_note();
DROP FUNCTION executions_open_apply();

ALTER TABLE domain_open_runs
    ADD COLUMN lim bigint NOT NULL DEFAULT 0,
    ADD CONSTRAINT domain_open_runs_quota CHECK (lim = 0 OR n <= lim);
