-- Each domain counts its open runs, for the open-executions quota, kept by
-- triggers in the same transaction as the runs change.
ALTER TABLE domains ADD COLUMN open_executions INTEGER NOT NULL DEFAULT 0;
UPDATE domains SET open_executions = (SELECT count(*) FROM executions WHERE domain_id = domains.id AND open = 1);

CREATE TRIGGER executions_open_insert AFTER INSERT ON executions WHEN NEW.open = 1
BEGIN
    UPDATE domains SET open_executions = open_executions + 1 WHERE id = NEW.domain_id;
END;

CREATE TRIGGER executions_open_update AFTER UPDATE OF open ON executions WHEN OLD.open <> NEW.open
BEGIN
    UPDATE domains SET open_executions = open_executions + NEW.open - OLD.open WHERE id = NEW.domain_id;
END;

CREATE TRIGGER executions_open_delete AFTER DELETE ON executions WHEN OLD.open = 1
BEGIN
    UPDATE domains SET open_executions = open_executions - 1 WHERE id = OLD.domain_id;
END;
