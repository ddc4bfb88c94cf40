package postgres

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"

	"github.com/jackc/pgx/v5"

	"github.com/openswf/openswf/internal/store/sqlfile"
)

// This file applies the schema's migrations.

// migrationLock is the key of the advisory lock that the migrations of a
// schema run under.
func migrationLock(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("openswf migrations\x00" + schema))
	return int64(binary.BigEndian.Uint64(h.Sum(nil)))
}

// migrations lists the embedded migrations, in order.
func migrations() ([]sqlfile.Migration, error) {
	all, err := sqlfile.Migrations(migrationsFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return all, nil
}

// migrate creates the schema and applies the migrations it has not seen
// yet, all in one transaction under a transaction-level advisory lock: a
// process that opens the store while another migrates it waits, then finds
// the work done. DDL is transactional in PostgreSQL, so a failed migration
// leaves nothing behind.
func (s *Store) migrate(ctx context.Context) error {
	all, err := migrations()
	if err != nil {
		return err
	}
	// READ COMMITTED, whatever the database's default: once the lock is
	// held, each statement sees what a migrator before committed.
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var encoding string
	if err := tx.QueryRow(ctx, stmt("ServerEncoding")).Scan(&encoding); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if encoding != "UTF8" {
		return fmt.Errorf("postgres: the database's encoding is %s; openswf needs UTF8", encoding)
	}
	if _, err := tx.Exec(ctx, stmt("AdvisoryLock"), migrationLock(s.schema)); err != nil {
		return fmt.Errorf("postgres: lock the schema for migrations: %w", err)
	}
	if s.schema != "" {
		// A schema that exists is used as it is: creating one takes a
		// privilege on the database that the store's role may not have.
		var exists bool
		if err := tx.QueryRow(ctx, stmt("SchemaExists"), s.schema).Scan(&exists); err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		if !exists {
			if _, err := tx.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{s.schema}.Sanitize()); err != nil {
				return fmt.Errorf("postgres: create schema %s: %w", s.schema, err)
			}
		}
	}
	if _, err := tx.Exec(ctx, stmt("MigrationsCreate")); err != nil {
		return fmt.Errorf("postgres: create schema_migrations: %w", err)
	}
	var current int
	if err := tx.QueryRow(ctx, stmt("MigrationsCurrent")).Scan(&current); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if len(all) > 0 && current > all[len(all)-1].Version {
		return fmt.Errorf("postgres: the database schema (version %d) is newer than this openswf knows (%d)", current, all[len(all)-1].Version)
	}
	for _, m := range all {
		if m.Version <= current {
			continue
		}
		// The simple protocol runs the file's statements in one go.
		if _, err := tx.Conn().PgConn().Exec(ctx, m.SQL).ReadAll(); err != nil {
			return fmt.Errorf("postgres: migration %s: %w", m.Name, err)
		}
		if _, err := tx.Exec(ctx, stmt("MigrationRecord"), m.Version, m.Name); err != nil {
			return fmt.Errorf("postgres: migration %s: %w", m.Name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	return nil
}
