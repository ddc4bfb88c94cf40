-- The open-run counts of the domains are kept by the writes themselves,
-- rather than by triggers: a write knows the runs it opens, closes and
-- deletes (it holds their rows locked), adds up the change of each domain's
-- count as it goes, and applies it with one statement that goes with its
-- COMMIT (see tx.openRuns). That is one plain statement per write that
-- opens or closes runs, instead of two PL/pgSQL triggers per run changed
-- and a setting of the transaction per change.
--
-- A domain's count is the sum of its rows: the row of slot 0, which the
-- writes that add runs change, and the rows of slots 1 to 16, which the
-- writes that remove runs change (each write picks one), so that closes
-- neither wait for starts nor for each other. The slots only ever go down.
--
-- The quota is a CHECK on the row of slot 0: a write that adds runs to a
-- domain writes there the quota (lim; 0 when there is none) and the sum of
-- the other slots as its statement sees them (others), and the row refuses
-- a count above the quota. Starts thus queue on that row, from that
-- statement, the last before COMMIT, to the end of the commit, which makes
-- the check exact; closes committed meanwhile and not seen only make it
-- stricter. A write that would go over the quota fails there (SQLSTATE
-- 23514 on this constraint), and runs again.

DROP TRIGGER executions_open_insert ON executions;
DROP TRIGGER executions_open_update ON executions;
DROP TRIGGER executions_open_delete ON executions;
DROP TRIGGER executions_open_apply_insert ON executions;
DROP TRIGGER executions_open_apply_update ON executions;
DROP TRIGGER executions_open_apply_delete ON executions;
DROP FUNCTION executions_open_note();
DROP FUNCTION executions_open_apply();

ALTER TABLE domain_open_runs
    ADD COLUMN slot integer NOT NULL DEFAULT 0,
    ADD COLUMN lim bigint NOT NULL DEFAULT 0,
    ADD COLUMN others bigint NOT NULL DEFAULT 0,
    DROP CONSTRAINT domain_open_runs_pkey,
    ADD PRIMARY KEY (domain_id, slot),
    ADD CONSTRAINT domain_open_runs_quota CHECK (lim = 0 OR n + others <= lim);
