-- Writes run at READ COMMITTED with explicit row locks (see Write): the
-- open-run count of a domain is one row, changed once per transaction, at
-- its commit, and checked there against the quota.
--
-- A transaction that opens or closes runs notes the change of each domain's
-- count in a setting of its own (openswf.open_<domain id>, local to the
-- transaction: no lock, no row), so that it can count its own runs; at
-- COMMIT a deferred trigger adds the change to the domain's row, which it
-- locks only from there to the end of the commit, and refuses (SQLSTATE
-- OS001) a commit that would leave more open runs than openswf.open_limit,
-- which Write sets in every transaction when the store knows the quota.
-- Starts in one domain thus wait for each other only for the length of a
-- commit, and never run again for it, unless the quota is reached.

CREATE TABLE domain_open_runs (
    domain_id bigint PRIMARY KEY,
    n         bigint NOT NULL
);
INSERT INTO domain_open_runs (domain_id, n)
    SELECT domain_id, sum(n) FROM domain_open_executions GROUP BY domain_id;

DROP TRIGGER executions_open_insert ON executions;
DROP TRIGGER executions_open_update ON executions;
DROP TRIGGER executions_open_delete ON executions;
DROP FUNCTION executions_open_changed();
DROP TABLE domain_open_executions;

-- Immediate: note the change in the transaction's setting.
CREATE FUNCTION executions_open_note() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    dom  bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.domain_id ELSE NEW.domain_id END;
    name text := 'openswf.open_' || dom;
    cur  bigint := coalesce(nullif(current_setting(name, true), ''), '0')::bigint;
BEGIN
    PERFORM set_config(name, (cur + CASE WHEN TG_OP = 'DELETE' THEN -1 WHEN NEW.open THEN 1 ELSE -1 END)::text, true);
    RETURN NULL;
END;
$$;

-- Deferred, at COMMIT: apply the noted change once per domain, and check
-- the quota when the count grew.
CREATE FUNCTION executions_open_apply() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    dom   bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.domain_id ELSE NEW.domain_id END;
    name  text := 'openswf.open_' || dom;
    delta bigint := coalesce(nullif(current_setting(name, true), ''), '0')::bigint;
    lim   bigint := coalesce(nullif(current_setting('openswf.open_limit', true), ''), '0')::bigint;
    total bigint;
BEGIN
    IF delta = 0 THEN
        RETURN NULL;
    END IF;
    PERFORM set_config(name, '0', true);
    INSERT INTO domain_open_runs AS c (domain_id, n) VALUES (dom, delta)
    ON CONFLICT (domain_id) DO UPDATE SET n = c.n + excluded.n
    RETURNING n INTO total;
    IF delta > 0 AND lim > 0 AND total > lim THEN
        RAISE EXCEPTION 'domain % would have % open runs; its limit is %', dom, total, lim
            USING ERRCODE = 'OS001';
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER executions_open_insert AFTER INSERT ON executions
    FOR EACH ROW WHEN (NEW.open) EXECUTE FUNCTION executions_open_note();
CREATE TRIGGER executions_open_update AFTER UPDATE OF open ON executions
    FOR EACH ROW WHEN (OLD.open <> NEW.open) EXECUTE FUNCTION executions_open_note();
CREATE TRIGGER executions_open_delete AFTER DELETE ON executions
    FOR EACH ROW WHEN (OLD.open) EXECUTE FUNCTION executions_open_note();

CREATE CONSTRAINT TRIGGER executions_open_apply_insert AFTER INSERT ON executions
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.open) EXECUTE FUNCTION executions_open_apply();
CREATE CONSTRAINT TRIGGER executions_open_apply_update AFTER UPDATE OF open ON executions
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.open <> NEW.open) EXECUTE FUNCTION executions_open_apply();
CREATE CONSTRAINT TRIGGER executions_open_apply_delete AFTER DELETE ON executions
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.open) EXECUTE FUNCTION executions_open_apply();
