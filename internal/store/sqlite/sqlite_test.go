package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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

// The database, its WAL and shared-memory files, and backups hold the token
// keys: they are created readable by their owner only, whatever the umask.
func TestFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "live.db")
	s := openTemp(t, path)
	defer s.Close()
	if err := s.Write(ctx, func(tx store.Tx) error {
		_, err := tx.DomainInsert(ctx, &store.Domain{Name: "d", Status: store.StatusRegistered, Retention: "1", CreatedAt: time.Now()})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(dir, "backup.db")
	if err := Backup(ctx, path, dest); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", dest} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
	if loose := LoosePermissions(path); loose != nil {
		t.Errorf("LoosePermissions = %v", loose)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if loose := LoosePermissions(path); len(loose) != 1 || !strings.Contains(loose[0], "-rw-r--r--") {
		t.Errorf("LoosePermissions after chmod 644 = %v", loose)
	}
}

// A backup refuses to write through a symbolic link, even a dangling one:
// the file it points at is not created.
func TestBackupRefusesSymlinks(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "live.db")
	s := openTemp(t, path)
	defer s.Close()
	target := filepath.Join(dir, "elsewhere.db")
	link := filepath.Join(dir, "backup.db")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := Backup(ctx, path, link); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("Backup through a dangling link: %v", err)
	}
	if _, err := os.Lstat(target); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the link's target was written: %v", err)
	}
}

// A path with the characters that SQLite's URIs give a meaning to ('?',
// '#', '%') names the file it says: the store is there, private and in
// WAL mode, and no file is made at a path cut short by them.
func TestPathsWithURICharacters(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, name := range []string{"run#2", "what?", "100%25", "a%b"} {
		path := filepath.Join(dir, name, "openswf.db")
		s := openTemp(t, path)
		if err := s.Write(ctx, func(tx store.Tx) error {
			_, err := tx.DomainInsert(ctx, &store.Domain{Name: name, Status: store.StatusRegistered, Retention: "1", CreatedAt: time.Now()})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var mode string
		if err := s.reader.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("%s: journal mode %q (%v), want wal", name, mode, err)
		}
		for _, p := range []string{path, path + "-wal"} {
			if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: %v %v", p, fi, err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		// Opened again, the data is there.
		s = openTemp(t, path)
		if err := s.Read(ctx, func(tx store.Tx) error {
			_, err := tx.DomainGetByName(ctx, name)
			return err
		}); err != nil {
			t.Errorf("%s: the domain written is not there: %v", name, err)
		}
		s.Close()
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if fmt.Sprint(names) != "[100%25 a%b run#2 what?]" {
		t.Errorf("the directory holds %v, want only the four named", names)
	}
	// Where "run#2" would have been cut short.
	if _, err := os.Stat(filepath.Join(dir, "run")); err == nil {
		t.Errorf("a file %s was made", filepath.Join(dir, "run"))
	}
}

// A write that panics fails alone, and a panic with an error (as a
// statement that cannot be prepared makes) keeps it, so that an outage is
// still told apart from a bug.
func TestWritePanicKeepsItsError(t *testing.T) {
	err := run(&writeReq{fn: func(store.Tx) error { panic(fmt.Errorf("prepare X: %w", errClosed)) }}, nil)
	if !errors.Is(err, errClosed) || !errors.Is(outage(err), store.ErrUnavailable) {
		t.Errorf("a panic with an error: %v", err)
	}
	if err := run(&writeReq{fn: func(store.Tx) error { panic("bug") }}, nil); err == nil || !strings.Contains(err.Error(), "bug") {
		t.Errorf("a panic with a string: %v", err)
	}
}
