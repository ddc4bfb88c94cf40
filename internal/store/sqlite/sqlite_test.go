package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/storetest"
)

func openTemp(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s := openTemp(t, filepath.Join(t.TempDir(), "openswf.db"))
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestCommittedDataSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "dir", "openswf.db")
	s := openTemp(t, path)
	err := s.Write(ctx, func(tx store.Tx) error {
		_, err := tx.DomainInsert(ctx, &store.Domain{Name: "kept", Status: store.StatusRegistered, Retention: "1", CreatedAt: time.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopening applies no migration twice and finds the data.
	s = openTemp(t, path)
	defer s.Close()
	err = s.Read(ctx, func(tx store.Tx) error {
		_, err := tx.DomainGetByName(ctx, "kept")
		return err
	})
	if err != nil {
		t.Fatalf("domain lost across reopen: %v", err)
	}
}

func TestReaderCannotWrite(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t, filepath.Join(t.TempDir(), "openswf.db"))
	defer s.Close()
	err := s.Read(ctx, func(tx store.Tx) error {
		_, err := tx.DomainInsert(ctx, &store.Domain{Name: "x", Status: store.StatusRegistered, Retention: "1", CreatedAt: time.Now()})
		return err
	})
	if err == nil {
		t.Fatal("a write inside Read succeeded")
	}
}

func TestQueriesAllParse(t *testing.T) {
	if len(queries) == 0 {
		t.Fatal("no queries parsed from queries.sql")
	}
	for name, body := range queries {
		if body == "" {
			t.Errorf("query %s is empty", name)
		}
	}
}

// A backup taken while the store is open and written holds what was
// committed, and opens as a store.
func TestBackup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTemp(t, filepath.Join(dir, "live.db"))
	defer s.Close()
	insert := func(name string) {
		t.Helper()
		if err := s.Write(ctx, func(tx store.Tx) error {
			_, err := tx.DomainInsert(ctx, &store.Domain{Name: name, Status: store.StatusRegistered, Retention: "1", CreatedAt: time.Now()})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	insert("before")
	dest := filepath.Join(dir, "backup.db")
	if err := Backup(ctx, filepath.Join(dir, "live.db"), dest); err != nil {
		t.Fatal(err)
	}
	insert("after")
	if err := Backup(ctx, filepath.Join(dir, "live.db"), dest); err == nil {
		t.Fatal("a backup overwrote an existing file")
	}
	b := openTemp(t, dest)
	defer b.Close()
	if err := b.Read(ctx, func(tx store.Tx) error {
		if _, err := tx.DomainGetByName(ctx, "before"); err != nil {
			return err
		}
		if _, err := tx.DomainGetByName(ctx, "after"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("a domain written after the backup is in it: %v", err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
