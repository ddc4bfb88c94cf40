package bench

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/server"
)

// The harness runs end to end against a real server and verifies every
// workflow it ran. It asserts no speed: that is measured, not tested.
func TestSmoke(t *testing.T) {
	srv, err := server.Start(context.Background(), server.Config{Listen: "127.0.0.1:0", Database: filepath.Join(t.TempDir(), "bench.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	var out strings.Builder
	res, err := Run(context.Background(), Options{
		Endpoint: srv.URL(), Duration: 300 * time.Millisecond, Concurrency: 4, Tasks: 8,
		Starters: 2, Deciders: 2, Workers: 2, Domain: "bench", Out: &out,
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if res.Heartbeats.Calls == 0 || res.Ceiling.Calls == 0 || res.Workflows.Completed == 0 || res.Workflows.Verified != res.Workflows.Completed {
		t.Fatalf("nothing measured: %+v\n%s", res, out.String())
	}
	t.Log("\n" + out.String())
}
