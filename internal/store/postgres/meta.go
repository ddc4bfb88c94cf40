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
// nothing). The open-run counts are changed by triggers deferred to the
// commit: they run as soon as the runs are gone, so that the counts emptied
// after them stay empty rather than going negative at the commit.
func (t *tx) DeleteAll(ctx context.Context) error {
	for _, table := range tables {
		if table == "domain_open_runs" {
			if _, err := t.exec(ctx, "SET CONSTRAINTS ALL IMMEDIATE"); err != nil {
				return fmt.Errorf("apply the open-run counts: %w", err)
			}
		}
		if _, err := t.exec(ctx, "DELETE FROM "+table); err != nil {
			return fmt.Errorf("empty %s: %w", table, err)
		}
	}
	return nil
}
