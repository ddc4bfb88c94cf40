package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// setMaxPages caps the database at n pages, or at its present size when n
// is 0, on the writer's connection: SQLite then fails a write that needs
// more room with SQLITE_FULL, as on a full disk.
func setMaxPages(t *testing.T, s *Store, n int) {
	t.Helper()
	err := s.Write(context.Background(), func(stx store.Tx) error {
		q := stx.(*tx).t
		if n == 0 {
			if err := q.QueryRowContext(context.Background(), "PRAGMA page_count").Scan(&n); err != nil {
				return err
			}
		}
		_, err := q.ExecContext(context.Background(), fmt.Sprintf("PRAGMA max_page_count = %d", n))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A write that cannot commit for want of room is an outage
// (store.ErrUnavailable), not a bug; it leaves nothing behind, and writes
// succeed again once there is room, with everything committed before still
// there.
func TestFullDatabaseIsUnavailable(t *testing.T) {
	s := openTemp(t, filepath.Join(t.TempDir(), "openswf.db"))
	defer s.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Write(context.Background(), func(tx store.Tx) error { return insertDomain(tx, "before") }))
	setMaxPages(t, s, 0)

	big := strings.Repeat("x", 4000)
	err := s.Write(context.Background(), func(tx store.Tx) error {
		for i := range 200 {
			d := &store.Domain{Name: fmt.Sprintf("big-%d", i), Status: store.StatusRegistered, Retention: "1", Description: &big, CreatedAt: time.Now()}
			if _, err := tx.DomainInsert(context.Background(), d); err != nil {
				return err
			}
		}
		return nil
	})
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("a write to a full database: %v, want ErrUnavailable", err)
	}
	t.Log(err)
	if !strings.Contains(err.Error(), "full") {
		t.Errorf("the error does not say why: %v", err)
	}
	if domainExists(t, s, "big-0") {
		t.Fatal("part of a write that failed was committed")
	}

	setMaxPages(t, s, 1<<30)
	must(s.Write(context.Background(), func(tx store.Tx) error { return insertDomain(tx, "after") }))
	for _, name := range []string{"before", "after"} {
		if !domainExists(t, s, name) {
			t.Fatalf("domain %s is missing", name)
		}
	}
}

// Close releases the database's files: a server that stops leaves nothing
// open (a file system could not be unmounted otherwise).
func TestCloseReleasesTheFiles(t *testing.T) {
	if _, err := os.ReadDir("/proc/self/fd"); err != nil {
		t.Skip("open files are listed in /proc/self/fd, which this system lacks")
	}
	dir := t.TempDir()
	s := openTemp(t, filepath.Join(dir, "openswf.db"))
	if err := s.Write(context.Background(), func(tx store.Tx) error { return insertDomain(tx, "x") }); err != nil {
		t.Fatal(err)
	}
	domainExists(t, s, "x")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	fds, _ := os.ReadDir("/proc/self/fd")
	for _, fd := range fds {
		if l, _ := os.Readlink("/proc/self/fd/" + fd.Name()); strings.HasPrefix(l, dir) {
			t.Errorf("%s is still open", l)
		}
	}
}
