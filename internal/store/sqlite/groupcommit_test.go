package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

func insertDomain(tx store.Tx, name string) error {
	_, err := tx.DomainInsert(context.Background(), &store.Domain{Name: name, Status: store.StatusRegistered, Retention: "1", CreatedAt: time.Now()})
	return err
}

func domainExists(t *testing.T, s store.Store, name string) bool {
	t.Helper()
	var found bool
	err := s.Read(context.Background(), func(tx store.Tx) error {
		_, err := tx.DomainGetByName(context.Background(), name)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		found = err == nil
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// Writes that wait together share a commit; a write that fails, or panics,
// inside a batch is rolled back alone and the others commit.
func TestBatchedWritesFailAlone(t *testing.T) {
	s := openTemp(t, filepath.Join(t.TempDir(), "openswf.db"))
	defer s.Close()
	var commits atomic.Int32
	held, release := make(chan struct{}), make(chan struct{})
	first := true
	s.beforeCommit = func() {
		commits.Add(1)
		if first {
			// Hold the first batch so that the others queue behind it.
			first = false
			close(held)
			<-release
		}
	}

	var wg sync.WaitGroup
	errs := make([]error, 40)
	start := func(i int) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Write(context.Background(), func(tx store.Tx) error {
				if err := insertDomain(tx, fmt.Sprintf("d%02d", i)); err != nil {
					return err
				}
				switch i % 4 {
				case 1:
					return fmt.Errorf("write %d fails", i)
				case 2:
					if i%8 == 2 {
						panic("write panics")
					}
				}
				return nil
			})
		}()
	}
	start(0)
	<-held
	for i := 1; i < len(errs); i++ {
		start(i)
	}
	for s.queued() < len(errs)-1 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()

	for i, err := range errs {
		fails := i%4 == 1 || i%8 == 2
		if fails != (err != nil) {
			t.Errorf("write %d: err = %v", i, err)
		}
		if got := domainExists(t, s, fmt.Sprintf("d%02d", i)); got == fails {
			t.Errorf("write %d: its domain exists = %v", i, got)
		}
	}
	if n := commits.Load(); n != 2 {
		t.Errorf("%d commits for 40 writes queued behind one; want 2 (the held one and one batch)", n)
	}
}

// A crash between batches loses nothing that was committed, and nothing of a
// batch that was not.
func TestCrashBetweenBatches(t *testing.T) {
	path := filepath.Join(t.TempDir(), "openswf.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashingProcess$")
	cmd.Env = append(os.Environ(), "OPENSWF_CRASH_DB="+path)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("the crashing process did not crash as planned: %v\n%s", err, out)
	}
	s := openTemp(t, path)
	defer s.Close()
	if !domainExists(t, s, "committed") {
		t.Error("a committed write was lost in the crash")
	}
	if domainExists(t, s, "in-flight") {
		t.Error("a write whose batch never committed survived the crash")
	}
}

// TestCrashingProcess is run by TestCrashBetweenBatches in a process of its
// own: it commits one batch, then dies before the next one commits.
func TestCrashingProcess(t *testing.T) {
	path := os.Getenv("OPENSWF_CRASH_DB")
	if path == "" {
		t.Skip("run by TestCrashBetweenBatches")
	}
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(context.Background(), func(tx store.Tx) error { return insertDomain(tx, "committed") }); err != nil {
		t.Fatal(err)
	}
	s.beforeCommit = func() { os.Exit(3) }
	s.Write(context.Background(), func(tx store.Tx) error { return insertDomain(tx, "in-flight") })
	t.Fatal("the process should have died before the second commit")
}

// queued is how many writes wait for the writer.
func (s *Store) queued() int { return len(s.writes) }
