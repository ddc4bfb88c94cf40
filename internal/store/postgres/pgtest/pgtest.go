// Package pgtest gives tests a PostgreSQL schema of their own, on the
// database that OPENSWF_TEST_POSTGRES_URL names, dropped when the test
// ends; without that variable the test is skipped, with one line that
// says why.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/openswf/openswf/internal/store/postgres"
)

// URLVar is the environment variable that names the PostgreSQL database
// tests use.
const URLVar = "OPENSWF_TEST_POSTGRES_URL"

// Schema returns the test database's URL and the name of a new schema on
// it, which is dropped (with all it holds) when the test ends. It skips the
// test when URLVar is not set.
func Schema(t testing.TB) (url, schema string) {
	t.Helper()
	url = os.Getenv(URLVar)
	if url == "" {
		t.Skip(URLVar + " is not set: PostgreSQL tests skipped")
	}
	var b [6]byte
	rand.Read(b[:])
	schema = "openswf_test_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		if err := postgres.DropSchema(context.Background(), url, schema); err != nil {
			t.Error(err)
		}
	})
	return url, schema
}
