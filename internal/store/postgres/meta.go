package postgres

import (
	"context"
	"fmt"
)

func (t *tx) MetaGet(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := t.queryRow(ctx, stmt("MetaGet"), []any{key}, &v)
	if err != nil {
		return nil, notFound(err)
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

func (t *tx) MetaPut(ctx context.Context, key string, value []byte) error {
	_, err := t.exec(ctx, stmt("MetaPut"), key, blob(value))
	return err
}

func (t *tx) MetaPutIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error) {
	if _, err := t.exec(ctx, stmt("MetaPutIfAbsent"), key, blob(value)); err != nil {
		return nil, err
	}
	return t.MetaGet(ctx, key)
}

// tables are the tables DeleteAll empties, each before those it refers to.
var tables = []string{"timers", "tasks", "activities", "events", "execution_tags", "executions", "domain_open_runs", "types", "domain_tags", "domains"}

// DeleteAll empties every table but meta (and write_lock, which holds
// nothing: see WriteLockAlone). The changes the write made to the open-run
// counts go with the runs: the counts emptied stay empty at the commit.
func (t *tx) DeleteAll(ctx context.Context) error {
	for _, table := range tables {
		if _, err := t.exec(ctx, "DELETE FROM "+table); err != nil {
			return fmt.Errorf("empty %s: %w", table, err)
		}
	}
	t.runs, t.opened, t.taken, t.acts, t.types = nil, nil, nil, nil, nil
	return nil
}
