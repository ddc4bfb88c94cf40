-- A run's id is never handed out again, also after the run with the highest
-- id was deleted (retention, a reset): task tokens name runs by id, and a
-- worker's token of a deleted run must not name a new one. SQLite gives a
-- plain INTEGER PRIMARY KEY max(id)+1, so the highest id ever deleted is
-- kept here, and ExecutionInsert starts above it. (Ids deleted before this
-- migration are not known.)
CREATE TABLE execution_id_floor (n INTEGER NOT NULL);
INSERT INTO execution_id_floor (n) VALUES (0);

CREATE TRIGGER executions_id_floor AFTER DELETE ON executions
BEGIN
    UPDATE execution_id_floor SET n = max(n, OLD.id);
END;
