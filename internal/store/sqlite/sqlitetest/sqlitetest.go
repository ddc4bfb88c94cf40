// Package sqlitetest gives tests a fresh SQLite database file without the
// cost of making one: sqlite.Open migrates and analyzes a new file once per
// test binary, and each test gets a copy of it. Under the race detector,
// migrating took about half of the CPU time of starting a test server.
package sqlitetest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/openswf/openswf/internal/store/sqlite"
)

var template struct {
	once sync.Once
	data []byte
	err  error
}

// File returns the path of a new database file in the test's temporary
// directory, readable by its owner only: the schema of the latest
// migration, planner statistics, no rows. sqlite.Open finds it up to date.
// The keys a server makes on its first start are not in it: each server
// makes its own.
func File(t testing.TB) string {
	t.Helper()
	template.once.Do(func() { template.data, template.err = migrated() })
	if template.err != nil {
		t.Fatalf("make the template database: %v", template.err)
	}
	path := filepath.Join(t.TempDir(), "openswf.db")
	if err := os.WriteFile(path, template.data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// migrated is the content of a database file that sqlite.Open made and
// closed.
func migrated() ([]byte, error) {
	dir, err := os.MkdirTemp("", "openswf-template-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "openswf.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		return nil, err
	}
	if err := st.Close(); err != nil {
		return nil, err
	}
	// Closed last, the store checkpoints its write-ahead log into the file
	// and removes it: the file alone is the database.
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, os.ErrNotExist) {
		return nil, errors.New("the write-ahead log outlived the store")
	}
	return os.ReadFile(path)
}
