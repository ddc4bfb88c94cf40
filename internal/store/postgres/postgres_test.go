package postgres

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/storetest"
)

// The tests need a PostgreSQL database: OPENSWF_TEST_POSTGRES_URL names it,
// for instance postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
// Each test works in a schema of its own, which it drops at the end, so
// that tests run in parallel in one database.
const urlVar = "OPENSWF_TEST_POSTGRES_URL"

// TestPostgres runs every test of the store against the database, as
// subtests: without a database it is the one test skipped.
func TestPostgres(t *testing.T) {
	url := os.Getenv(urlVar)
	if url == "" {
		t.Skip("OPENSWF_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped")
	}
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, url string)
	}{
		{"Conformance", testConformance},
		{"CommittedDataSurvivesReopen", testCommittedDataSurvivesReopen},
		{"MigrationsRunOnce", testMigrationsRunOnce},
		{"OpenRunCountsSurviveMigration3", testOpenRunCountsSurviveMigration3},
		{"ReadCannotWrite", testReadCannotWrite},
		{"SwallowedErrorsRollBack", testSwallowedErrorsRollBack},
		{"TwoNodesTakeEachTaskOnce", testTwoNodesTakeEachTaskOnce},
		{"PollsUnderContention", testPollsUnderContention},
		{"NoLostUpdates", testNoLostUpdates},
		{"WriteRunsAloneAfterFailures", testWriteRunsAloneAfterFailures},
		{"AloneLocksEveryTable", testAloneLocksEveryTable},
		{"CountCheckedInsertsDoNotOvershoot", testCountCheckedInsertsDoNotOvershoot},
		{"OneOpenRunPerWorkflowID", testOneOpenRunPerWorkflowID},
		{"StartThatLostARaceRunsAgain", testStartThatLostARaceRunsAgain},
		{"TimerFiresOnce", testTimerFiresOnce},
		{"RacingTimerPutsLeaveOne", testRacingTimerPutsLeaveOne},
		{"OpenRunQuotaHoldsAcrossServers", testOpenRunQuotaHoldsAcrossServers},
		{"OpenRunCountWithClosesAcrossServers", testOpenRunCountWithClosesAcrossServers},
		{"FindOpenAfterContinueAsNew", testFindOpenAfterContinueAsNew},
		{"HeartbeatWaitsForTransition", testHeartbeatWaitsForTransition},
		{"RunWriterLeavesTakenTaskToPoller", testRunWriterLeavesTakenTaskToPoller},
		{"TaggedListingPaging", testTaggedListingPaging},
		{"ListingByWorkflowIDReadsItsRuns", testListingByWorkflowIDReadsItsRuns},
		{"Announcements", testAnnouncements},
		{"DeleteAllEmptiesOpenRunCounts", testDeleteAllEmptiesOpenRunCounts},
		{"OpenRunCountsOfSeveralDomainsInOneWrite", testOpenRunCountsOfSeveralDomainsInOneWrite},
		{"GroupCommitCarriesWrites", testGroupCommitCarriesWrites},
		{"GroupCommitFailureRunsWritesAlone", testGroupCommitFailureRunsWritesAlone},
		{"GroupCommitDoesNotWaitForABusyRun", testGroupCommitDoesNotWaitForABusyRun},
		{"GroupCommitTakes", testGroupCommitTakes},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, url) })
	}
}

// newSchema returns the name of a schema no test uses, and drops it when
// the test ends (after the stores opened on it are closed: cleanups run
// last in, first out).
func newSchema(t *testing.T, url string) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	schema := "openswf_test_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		if err := DropSchema(context.Background(), url, schema); err != nil {
			t.Error(err)
		}
	})
	return schema
}

// withParam adds a parameter ("name=value") to a connection URL.
func withParam(url, param string) string {
	if strings.Contains(url, "?") {
		return url + "&" + param
	}
	return url + "?" + param
}

// openOn opens a store on schema, closed when the test ends.
func openOn(t *testing.T, url, schema string) *Store {
	t.Helper()
	s, err := OpenSchema(context.Background(), url, schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func testConformance(t *testing.T, url string) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return openOn(t, url, newSchema(t, url))
	})
}

func insertDomain(ctx context.Context, tx store.Tx, name string) (int64, error) {
	return tx.DomainInsert(ctx, &store.Domain{Name: name, Status: store.StatusRegistered, Retention: "1", CreatedAt: time.Now()})
}

func testCommittedDataSurvivesReopen(t *testing.T, url string) {
	ctx := context.Background()
	schema := newSchema(t, url)
	s, err := OpenSchema(ctx, url, schema)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Write(ctx, func(tx store.Tx) error {
		_, err := insertDomain(ctx, tx, "kept")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openOn(t, url, schema)
	err = s.Read(ctx, func(tx store.Tx) error {
		_, err := tx.DomainGetByName(ctx, "kept")
		return err
	})
	if err != nil {
		t.Fatalf("domain lost across reopen: %v", err)
	}
}

// schemaObjects describes what the store's schema holds: its migrations,
// tables, indexes and triggers.
func schemaObjects(t *testing.T, s *Store) string {
	t.Helper()
	ctx := context.Background()
	var versions []int
	rows, err := s.pool.Query(ctx, "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	versions, err = pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	var objects, triggers int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1`, s.schema).Scan(&objects); err != nil {
		t.Fatal(err)
	}
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND NOT tg.tgisinternal`, s.schema).Scan(&triggers); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("migrations %v, %d relations, %d triggers", versions, objects, triggers)
}

// Processes that open one schema at once, or one after the other, apply
// each migration once.
func testMigrationsRunOnce(t *testing.T, url string) {
	schema := newSchema(t, url)
	var wg sync.WaitGroup
	stores := make([]*Store, 4)
	errs := make([]error, len(stores))
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = OpenSchema(context.Background(), url, schema) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("concurrent open %d: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	all, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var versions []int
	for _, m := range all {
		versions = append(versions, m.Version)
	}
	want := schemaObjects(t, stores[0])
	if !strings.HasPrefix(want, fmt.Sprintf("migrations %v,", versions)) {
		t.Fatalf("after the first opens: %s; want migrations %v", want, versions)
	}
	again := openOn(t, url, schema)
	if got := schemaObjects(t, again); got != want {
		t.Fatalf("opening again changed the schema: %s, was %s", got, want)
	}
	t.Log(want)
}

// A schema at migration 0002, whose triggers counted its open runs, keeps
// its counts when this code opens it (migration 0003), and goes on
// counting from them.
func testOpenRunCountsSurviveMigration3(t *testing.T, url string) {
	ctx := context.Background()
	schema := newSchema(t, url)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	sql := []string{"CREATE SCHEMA " + pgx.Identifier{schema}.Sanitize(), "SET search_path TO " + pgx.Identifier{schema}.Sanitize(), stmt("MigrationsCreate")}
	for _, name := range []string{"0001_initial.sql", "0002_read_committed.sql"} {
		body, err := migrationsFS.ReadFile("migrations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		sql = append(sql, string(body), fmt.Sprintf("INSERT INTO schema_migrations (version, name) VALUES (%s, '%s')", name[:4], name))
	}
	sql = append(sql, `INSERT INTO domains (name, status, retention, created_at) VALUES ('d', 'REGISTERED', '1', now())`)
	for i, open := range []bool{true, true, true, false} {
		sql = append(sql, fmt.Sprintf(`INSERT INTO executions (domain_id, workflow_id, run_id, type_name, type_version, open, start_time, tags, state)
			SELECT id, 'w%d', 'r', 't', '1', %t, now(), '{}', '' FROM domains`, i, open))
	}
	for _, q := range sql {
		if _, err := conn.PgConn().Exec(ctx, q).ReadAll(); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s := openOn(t, url, schema)
	var domainID int64
	count := func(want int) {
		t.Helper()
		err := s.Read(ctx, func(tx store.Tx) error {
			d, err := tx.DomainGetByName(ctx, "d")
			if err != nil {
				return err
			}
			domainID = d.ID
			n, err := tx.ExecutionCountOpen(ctx, d.ID)
			if err == nil && n != want {
				err = fmt.Errorf("ExecutionCountOpen = %d, want %d", n, want)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	count(3)
	err = s.Write(ctx, func(tx store.Tx) error {
		e, err := tx.ExecutionFind(ctx, domainID, "w0", "")
		if err != nil {
			return err
		}
		e.Open = false
		if err := tx.ExecutionUpdate(ctx, e); err != nil {
			return err
		}
		_, err = tx.ExecutionInsert(ctx, &store.Execution{DomainID: domainID, WorkflowID: "new", RunID: "r", TypeName: "t", TypeVersion: "1",
			Open: true, StartedAt: time.Now(), State: []byte("{}")})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	count(3)
}

func testReadCannotWrite(t *testing.T, url string) {
	ctx := context.Background()
	s := openOn(t, url, newSchema(t, url))
	err := s.Read(ctx, func(tx store.Tx) error {
		_, err := insertDomain(ctx, tx, "x")
		return err
	})
	if err == nil {
		t.Fatal("a write inside Read succeeded")
	}
}

// A transaction in which a statement failed commits nothing, even when fn
// carries on; a unique violation gets one more attempt, not more.
func testSwallowedErrorsRollBack(t *testing.T, url string) {
	ctx := context.Background()
	s := openOn(t, url, newSchema(t, url))
	s.SetGroupCommit(false) // the attempts of one write, counted
	err := s.Write(ctx, func(tx store.Tx) error {
		if _, err := insertDomain(ctx, tx, "lost"); err != nil {
			return err
		}
		// No domain 12345: the foreign key fails, and fn does not care.
		tx.TypeInsert(ctx, &store.Type{DomainID: 12345, Kind: store.WorkflowType, Name: "t", Version: "1", Status: store.StatusRegistered, CreatedAt: time.Now()})
		return nil
	})
	if !errors.Is(err, errRolledBack) || sqlState(err) != "23503" {
		t.Fatalf("Write = %v, want errRolledBack with the foreign key violation", err)
	}
	err = s.Read(ctx, func(tx store.Tx) error {
		if _, err := tx.DomainGetByName(ctx, "lost"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("the domain of the rolled back write: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	_, runID := newRun(t, s, "{}")
	attempts := 0
	err = s.Write(ctx, func(tx store.Tx) error {
		attempts++
		return tx.EventInsert(ctx, runID, []store.Event{{ID: 1, Data: []byte("{}")}, {ID: 1, Data: []byte("{}")}})
	})
	// Retried until an attempt runs alone, where no other transaction can
	// have caused the duplicate: then it is fn's own.
	if sqlState(err) != codeUniqueViolation || attempts != aloneAfter+1 || s.AloneRuns() != 1 {
		t.Fatalf("duplicate events: %v after %d attempts (%d alone); want a unique violation after %d, the last alone", err, attempts, s.AloneRuns(), aloneAfter+1)
	}
}

// twoNodes opens two stores on one fresh schema: two servers sharing a
// database, each with its own connection pool.
func twoNodes(t *testing.T, url string) [2]*Store {
	schema := newSchema(t, url)
	return [2]*Store{openOn(t, url, schema), openOn(t, url, schema)}
}

// newRun inserts a domain and an open run in it.
func newRun(t *testing.T, s store.Store, state string) (domainID, runID int64) {
	t.Helper()
	ctx := context.Background()
	err := s.Write(ctx, func(tx store.Tx) error {
		var err error
		if domainID, err = insertDomain(ctx, tx, "d"); err != nil {
			return err
		}
		runID, err = tx.ExecutionInsert(ctx, &store.Execution{DomainID: domainID, WorkflowID: "w", RunID: "r", TypeName: "t", TypeVersion: "1",
			Open: true, StartedAt: time.Now(), State: []byte(state)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return domainID, runID
}

// Pollers on two servers take tasks off one list at once: each task goes
// to one poller, and every task goes.
func testTwoNodesTakeEachTaskOnce(t *testing.T, url string) {
	const tasks, pollersPerNode = 200, 8
	ctx := context.Background()
	nodes := twoNodes(t, url)
	domainID, runID := newRun(t, nodes[0], "{}")
	list := store.TaskListKey{DomainID: domainID, Kind: "activity", TaskList: "L"}
	err := nodes[0].Write(ctx, func(tx store.Tx) error {
		for i := range tasks {
			if err := tx.TaskInsert(ctx, &store.Task{DomainID: domainID, Kind: list.Kind, TaskList: list.TaskList,
				Priority: int32(i % 3), ExecutionID: runID, ScheduledEventID: int64(i + 1)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	takenBy := map[int64]string{}
	var twice, failed atomic.Int32
	var wg sync.WaitGroup
	for n, node := range nodes {
		for p := range pollersPerNode {
			poller := fmt.Sprintf("node %d poller %d", n, p)
			wg.Go(func() {
				for {
					var task *store.Task
					err := node.Write(ctx, func(tx store.Tx) error {
						task = nil
						var err error
						task, err = tx.TaskTake(ctx, list)
						return err
					})
					if errors.Is(err, store.ErrNotFound) {
						// The list looks empty; tasks that others are
						// taking come back if their transaction fails.
						var left int
						if err := node.Read(ctx, func(tx store.Tx) error {
							var err error
							left, err = tx.TaskCount(ctx, list)
							return err
						}); err != nil {
							t.Error(err)
							return
						}
						if left == 0 {
							return
						}
						time.Sleep(time.Millisecond)
						continue
					}
					if err != nil {
						failed.Add(1)
						t.Errorf("%s: %v", poller, err)
						continue
					}
					mu.Lock()
					if other, ok := takenBy[task.ID]; ok {
						twice.Add(1)
						t.Errorf("task %d taken by %s and %s", task.ID, other, poller)
					}
					takenBy[task.ID] = poller
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	if len(takenBy) != tasks {
		t.Errorf("%d tasks taken, want %d", len(takenBy), tasks)
	}
	perNode := [2]int{}
	for _, by := range takenBy {
		if strings.HasPrefix(by, "node 0") {
			perNode[0]++
		} else {
			perNode[1]++
		}
	}
	t.Logf("%d tasks taken (%v per node), none twice; %d writes retried, %d attempts alone, %d failed",
		len(takenBy), perNode, nodes[0].Retries()+nodes[1].Retries(), nodes[0].AloneRuns()+nodes[1].AloneRuns(), failed.Load())
}

// Polls on two servers, each of which takes a task and starts it as the
// engine does (reads the run and its history, appends an event, arms a
// timer, writes the run's state), all succeed, each task once, though
// their transactions keep failing each other's serialization: the writes
// that fail too often run alone.
func testPollsUnderContention(t *testing.T, url string) {
	const runs, pollersPerNode = 300, 8
	ctx := context.Background()
	nodes := twoNodes(t, url)
	var domainID int64
	err := nodes[0].Write(ctx, func(tx store.Tx) error {
		var err error
		if domainID, err = insertDomain(ctx, tx, "d"); err != nil {
			return err
		}
		for i := range runs {
			id, err := tx.ExecutionInsert(ctx, &store.Execution{DomainID: domainID, WorkflowID: "w" + strconv.Itoa(i), RunID: "r",
				TypeName: "t", TypeVersion: "1", Open: true, StartedAt: time.Now(), State: []byte(`{"events":1}`)})
			if err != nil {
				return err
			}
			if err := tx.EventInsert(ctx, id, []store.Event{{ID: 1, Data: []byte(`{"eventType":"WorkflowExecutionStarted"}`)}}); err != nil {
				return err
			}
			if err := tx.TaskInsert(ctx, &store.Task{DomainID: domainID, Kind: "decision", TaskList: "L", ExecutionID: id, ScheduledEventID: 2}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	list := store.TaskListKey{DomainID: domainID, Kind: "decision", TaskList: "L"}
	var mu sync.Mutex
	started := map[int64]int{}
	var wg sync.WaitGroup
	begin := time.Now()
	for _, node := range nodes {
		for range pollersPerNode {
			wg.Go(func() {
				for {
					var run int64
					err := node.Write(ctx, func(tx store.Tx) error {
						run = 0
						task, err := tx.TaskTake(ctx, list)
						if err != nil {
							return err
						}
						e, err := tx.ExecutionGet(ctx, task.ExecutionID)
						if err != nil {
							return err
						}
						history, err := tx.EventList(ctx, store.EventListParams{ExecutionID: e.ID, Limit: 100})
						if err != nil {
							return err
						}
						next := int64(len(history) + 1)
						if err := tx.EventInsert(ctx, e.ID, []store.Event{{ID: next, Data: []byte(`{"eventType":"DecisionTaskStarted"}`)}}); err != nil {
							return err
						}
						if err := tx.TimerPut(ctx, &store.Timer{Due: time.Now().Add(time.Minute), ExecutionID: e.ID, Kind: "startToClose", Ref: task.ScheduledEventID}); err != nil {
							return err
						}
						e.State = []byte(`{"events":` + strconv.FormatInt(next, 10) + `}`)
						run = e.ID
						return tx.ExecutionUpdate(ctx, e)
					})
					if errors.Is(err, store.ErrNotFound) {
						return
					}
					if err != nil {
						t.Error(err)
						continue
					}
					mu.Lock()
					started[run]++
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(begin)
	for run, n := range started {
		if n != 1 {
			t.Errorf("run %d: decision task started %d times", run, n)
		}
	}
	if len(started) != runs {
		t.Errorf("%d decision tasks started, want %d", len(started), runs)
	}
	t.Logf("%d polls in %v; %d writes retried, %d attempts alone", len(started), elapsed.Round(time.Millisecond),
		nodes[0].Retries()+nodes[1].Retries(), nodes[0].AloneRuns()+nodes[1].AloneRuns())
}

// A write that fails to serialize aloneAfter times runs alone: the writes
// that come meanwhile wait for it, the reads do not.
func testWriteRunsAloneAfterFailures(t *testing.T, url string) {
	ctx := context.Background()
	nodes := twoNodes(t, url)
	nodes[0].SetGroupCommit(false) // the attempts of one write, counted
	alone, release := make(chan struct{}), make(chan struct{})
	attempts := 0
	done := make(chan error, 1)
	go func() {
		done <- nodes[0].Write(ctx, func(tx store.Tx) error {
			attempts++
			if _, err := insertDomain(ctx, tx, "alone"); err != nil {
				return err
			}
			if attempts <= aloneAfter {
				return &pgconn.PgError{Code: codeSerializationFailure, Message: "made up"}
			}
			close(alone)
			<-release
			return nil
		})
	}()
	<-alone
	// Meanwhile, a read goes ahead on the other server; a write waits.
	err := nodes[1].Read(ctx, func(tx store.Tx) error {
		_, err := tx.DomainCount(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var sawAlone atomic.Bool
	wrote := make(chan error, 1)
	go func() {
		wrote <- nodes[1].Write(ctx, func(tx store.Tx) error {
			// The insert waits; the read after it, on a fresh snapshot,
			// sees what the write alone committed.
			if _, err := insertDomain(ctx, tx, "after"); err != nil {
				return err
			}
			_, err := tx.DomainGetByName(ctx, "alone")
			sawAlone.Store(err == nil)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			return nil
		})
	}()
	select {
	case err := <-wrote:
		t.Fatalf("a write went ahead of the one running alone: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	if !sawAlone.Load() {
		t.Error("the write held back did not see what the one alone committed")
	}
	if attempts != aloneAfter+1 || nodes[0].AloneRuns() != 1 || nodes[0].Retries() != aloneAfter {
		t.Errorf("%d attempts, %d alone, %d retries; want %d, 1, %d", attempts, nodes[0].AloneRuns(), nodes[0].Retries(), aloneAfter+1, aloneAfter)
	}
}

// The attempt that runs alone locks every table a write may change: a
// table added to the schema and not to WriteLockAlone would let writes go
// ahead of it.
func testAloneLocksEveryTable(t *testing.T, url string) {
	ctx := context.Background()
	schema := newSchema(t, url)
	s := openOn(t, url, schema)
	rows, err := s.pool.Query(ctx, "SELECT tablename FROM pg_tables WHERE schemaname = $1", schema)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	lock := stmt("WriteLockAlone")
	listed := lock[strings.Index(lock, "LOCK TABLE")+len("LOCK TABLE") : strings.Index(lock, "IN EXCLUSIVE MODE")]
	locked := map[string]bool{}
	for _, name := range strings.Split(listed, ",") {
		locked[strings.TrimSpace(name)] = true
	}
	for _, name := range tables {
		switch {
		case name == "schema_migrations":
			// Written by migrations only, which run alone anyway.
		case !locked[name]:
			t.Errorf("table %s is not locked by WriteLockAlone", name)
		}
		delete(locked, name)
	}
	for name := range locked {
		t.Errorf("WriteLockAlone locks %s, which is not a table of the schema", name)
	}
}

// Writes on two servers that each read a run's state and write the next
// one lose none of the updates: the read-modify-write of the engine.
func testNoLostUpdates(t *testing.T, url string) {
	const writersPerNode, increments = 4, 25
	ctx := context.Background()
	nodes := twoNodes(t, url)
	_, runID := newRun(t, nodes[0], `{"n":0}`)
	var applied atomic.Int32
	var wg sync.WaitGroup
	for _, node := range nodes {
		for range writersPerNode {
			wg.Go(func() {
				for range increments {
					err := node.Write(ctx, func(tx store.Tx) error {
						e, err := tx.ExecutionGet(ctx, runID)
						if err != nil {
							return err
						}
						var state struct{ N int }
						if err := json.Unmarshal(e.State, &state); err != nil {
							return err
						}
						state.N++
						e.State = []byte(`{"n":` + strconv.Itoa(state.N) + `}`)
						return tx.ExecutionUpdate(ctx, e)
					})
					if err != nil {
						t.Error(err)
						continue
					}
					applied.Add(1)
				}
			})
		}
	}
	wg.Wait()
	var got string
	err := nodes[1].Read(ctx, func(tx store.Tx) error {
		e, err := tx.ExecutionGet(ctx, runID)
		if err == nil {
			got = string(e.State)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`{"n":%d}`, applied.Load())
	if got != want || applied.Load() != 2*writersPerNode*increments {
		t.Fatalf("state %s after %d committed increments (of %d)", got, applied.Load(), 2*writersPerNode*increments)
	}
	t.Logf("%d increments from %d writers, none lost; %d writes retried", applied.Load(), 2*writersPerNode, nodes[0].Retries()+nodes[1].Retries())
}

var errFull = errors.New("full")

// Writes on two servers that each count the domains and register one if
// there are fewer than the quota register exactly the quota: no write
// skew.
func testCountCheckedInsertsDoNotOvershoot(t *testing.T, url string) {
	const quota, writersPerNode, tries = 25, 8, 5
	ctx := context.Background()
	nodes := twoNodes(t, url)
	var registered, full atomic.Int32
	var wg sync.WaitGroup
	for n, node := range nodes {
		for w := range writersPerNode {
			wg.Go(func() {
				for i := range tries {
					err := node.Write(ctx, func(tx store.Tx) error {
						c, err := tx.DomainCount(ctx)
						if err != nil {
							return err
						}
						if c >= quota {
							return errFull
						}
						_, err = insertDomain(ctx, tx, fmt.Sprintf("n%d-w%d-%d", n, w, i))
						return err
					})
					switch {
					case errors.Is(err, errFull):
						full.Add(1)
					case err != nil:
						t.Error(err)
					default:
						registered.Add(1)
					}
				}
			})
		}
	}
	wg.Wait()
	var count int
	if err := nodes[0].Read(ctx, func(tx store.Tx) (err error) {
		count, err = tx.DomainCount(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if count != quota || registered.Load() != quota {
		t.Fatalf("%d domains (%d writes registered one), want %d", count, registered.Load(), quota)
	}
	t.Logf("%d domains registered, %d writes refused; %d writes retried", count, full.Load(), nodes[0].Retries()+nodes[1].Retries())
}

// Servers that start a run of one workflowId at once start one; the
// others hear that it exists.
func testOneOpenRunPerWorkflowID(t *testing.T, url string) {
	const startersPerNode = 6
	ctx := context.Background()
	nodes := twoNodes(t, url)
	domainID, _ := newRun(t, nodes[0], "{}")
	var started, exists atomic.Int32
	var wg sync.WaitGroup
	for n, node := range nodes {
		for i := range startersPerNode {
			wg.Go(func() {
				err := node.Write(ctx, func(tx store.Tx) error {
					if _, err := tx.ExecutionFind(ctx, domainID, "once", ""); err == nil {
						return store.ErrExists
					} else if !errors.Is(err, store.ErrNotFound) {
						return err
					}
					_, err := tx.ExecutionInsert(ctx, &store.Execution{DomainID: domainID, WorkflowID: "once", RunID: fmt.Sprintf("r%d-%d", n, i),
						TypeName: "t", TypeVersion: "1", Open: true, StartedAt: time.Now(), State: []byte("{}")})
					return err
				})
				switch {
				case errors.Is(err, store.ErrExists):
					exists.Add(1)
				case err != nil:
					t.Error(err)
				default:
					started.Add(1)
				}
			})
		}
	}
	wg.Wait()
	var open int
	if err := nodes[1].Read(ctx, func(tx store.Tx) (err error) {
		open, err = tx.ExecutionCountOpen(ctx, domainID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if started.Load() != 1 || exists.Load() != 2*startersPerNode-1 || open != 2 {
		t.Fatalf("%d started, %d refused, %d open runs in the domain; want 1, %d, 2", started.Load(), exists.Load(), open, 2*startersPerNode-1)
	}
}

// A start inserts its run with the id its StartLookup drew, in the same
// round trip as its COMMIT. When a concurrent start of the same workflowId
// got there first (its run inserted, not yet committed, so the lookup did
// not see it), the insert waits for it, fails once it commits, and Write
// runs the start again: its lookup then finds the run that won.
func testStartThatLostARaceRunsAgain(t *testing.T, url string) {
	ctx := context.Background()
	schema := newSchema(t, url)
	app := "openswf_test_race_" + schema[len("openswf_test_"):]
	first, second := openOn(t, url, schema), openOn(t, withParam(url, "application_name="+app), schema)
	domainID, _ := newRun(t, first, "{}")
	lookup := store.StartLookup{Domain: "d", Kind: store.WorkflowType, Name: "t", Version: "1", WorkflowID: "raced"}
	run := func(runID string) *store.Execution {
		return &store.Execution{DomainID: domainID, WorkflowID: "raced", RunID: runID, TypeName: "t", TypeVersion: "1",
			Open: true, StartedAt: time.Now(), State: []byte("{}")}
	}

	inserted, release := make(chan struct{}), make(chan struct{})
	firstDone := make(chan error, 1)
	go func() {
		var once sync.Once
		firstDone <- first.Write(ctx, func(tx store.Tx) error {
			f, err := tx.StartLookup(ctx, lookup)
			if err != nil || f.Open != nil {
				return fmt.Errorf("the first start's lookup: %+v, %v", f, err)
			}
			if _, err := tx.ExecutionInsert(ctx, run("first")); err != nil {
				return err
			}
			// A read sends the insert: the run is in the table, uncommitted.
			if _, err := tx.ExecutionCountOpen(ctx, domainID); err != nil {
				return err
			}
			once.Do(func() { close(inserted) })
			<-release
			return nil
		})
	}()
	<-inserted

	var attempts int
	var found *store.Execution
	secondDone := make(chan error, 1)
	go func() {
		secondDone <- second.Write(ctx, func(tx store.Tx) error {
			attempts++
			f, err := tx.StartLookup(ctx, lookup)
			if err != nil {
				return err
			}
			if found = f.Open; found != nil {
				return nil
			}
			_, err = tx.ExecutionInsert(ctx, run("second"))
			return err
		})
	}()
	// The second start's insert, at its COMMIT, waits for the first's.
	for waiting := 0; waiting == 0; {
		select {
		case err := <-secondDone:
			t.Fatalf("the second start ended before the first committed: %v (found %+v)", err, found)
		default:
		}
		err := first.pool.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", app).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	if err := <-secondDone; err != nil {
		t.Fatal(err)
	}
	if attempts != 2 || found == nil || found.RunID != "first" {
		t.Fatalf("the second start: %d attempts, found %+v; want 2, the first's run", attempts, found)
	}
	if n := second.retries.Load(); n != 1 {
		t.Errorf("%d reruns, want 1", n)
	}
	var open int
	if err := first.Read(ctx, func(tx store.Tx) (err error) {
		open, err = tx.ExecutionCountOpen(ctx, domainID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if open != 2 {
		t.Fatalf("%d open runs in the domain, want 2 (newRun's and the first start's)", open)
	}
}

// Two servers that fire one timer at once: TimerDeleteByID reports true to
// one of them.
// Puts of one timer that race, by writes that do not hold its run (as a
// run's writers do), all succeed and leave one timer, at the due of one of
// them: a put that lost the race to insert it runs again, and moves it.
func testRacingTimerPutsLeaveOne(t *testing.T, url string) {
	ctx := context.Background()
	nodes := twoNodes(t, url)
	_, runID := newRun(t, nodes[0], "{}")
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for round := range 5 {
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := range 8 {
			wg.Go(func() {
				<-start
				errs <- nodes[i%2].Write(ctx, func(tx store.Tx) error {
					return tx.TimerPut(ctx, &store.Timer{Due: t0.Add(time.Duration(i) * time.Second), ExecutionID: runID, Kind: "timer", Ref: int64(round)})
				})
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("round %d: a put failed: %v", round, err)
			}
		}
		var due []*store.Timer
		err := nodes[0].Read(ctx, func(tx store.Tx) error {
			var err error
			due, err = tx.TimerDue(ctx, t0.Add(time.Hour), 100)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var mine []*store.Timer
		for _, tm := range due {
			if tm.Ref == int64(round) {
				mine = append(mine, tm)
			}
		}
		if len(mine) != 1 || mine[0].Due.Before(t0) || !mine[0].Due.Before(t0.Add(8*time.Second)) {
			t.Fatalf("round %d: timers %v, want one, at the due of one put", round, mine)
		}
	}
	t.Logf("writes run again: %d", nodes[0].Retries()+nodes[1].Retries())
}

func testTimerFiresOnce(t *testing.T, url string) {
	const timers = 10
	ctx := context.Background()
	nodes := twoNodes(t, url)
	_, runID := newRun(t, nodes[0], "{}")
	var ids []int64
	err := nodes[0].Write(ctx, func(tx store.Tx) error {
		for i := range timers {
			if err := tx.TimerPut(ctx, &store.Timer{Due: time.Now(), ExecutionID: runID, Kind: "timer", Ref: int64(i)}); err != nil {
				return err
			}
		}
		due, err := tx.TimerDue(ctx, time.Now().Add(time.Hour), timers)
		for _, tm := range due {
			ids = append(ids, tm.ID)
		}
		return err
	})
	if err != nil || len(ids) != timers {
		t.Fatalf("%d timers armed: %v", len(ids), err)
	}
	for _, id := range ids {
		var fired atomic.Int32
		start := make(chan struct{})
		var wg sync.WaitGroup
		for _, node := range nodes {
			wg.Go(func() {
				<-start
				var ok bool
				err := node.Write(ctx, func(tx store.Tx) error {
					var err error
					ok, err = tx.TimerDeleteByID(ctx, id)
					if ok {
						// Fire slowly, so that the other server tries
						// meanwhile.
						time.Sleep(20 * time.Millisecond)
					}
					return err
				})
				if err != nil {
					t.Error(err)
				}
				if ok {
					fired.Add(1)
				}
			})
		}
		close(start)
		wg.Wait()
		if n := fired.Load(); n != 1 {
			t.Errorf("timer %d fired %d times", id, n)
		}
	}
	t.Logf("%d timers fired once each; %d writes retried", timers, nodes[0].Retries()+nodes[1].Retries())
}

// Listings with a tag filter page like the others, whichever way the
// store finds the tagged runs.
func testTaggedListingPaging(t *testing.T, url string) {
	ctx := context.Background()
	s := openOn(t, url, newSchema(t, url))
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var domainID int64
	type key struct {
		at time.Time
		id int64
	}
	var tagged [2][]key // open, closed
	err := s.Write(ctx, func(tx store.Tx) error {
		var err error
		if domainID, err = insertDomain(ctx, tx, "d"); err != nil {
			return err
		}
		for i := range 60 {
			e := &store.Execution{DomainID: domainID, WorkflowID: "w" + strconv.Itoa(i), RunID: "r", TypeName: "t", TypeVersion: "1",
				Open: i%3 == 0, StartedAt: t0.Add(time.Duration(i%7) * time.Second), State: []byte("{}")}
			if !e.Open {
				e.CloseStatus, e.ClosedAt = ptr("COMPLETED"), ptr(t0.Add(time.Hour))
			}
			if i%2 == 0 {
				e.Tags = []string{"x", "other"}
			}
			id, err := tx.ExecutionInsert(ctx, e)
			if err != nil {
				return err
			}
			if i%2 == 0 {
				k := 1
				if e.Open {
					k = 0
				}
				tagged[k] = append(tagged[k], key{e.StartedAt, id})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, open := range []bool{true, false} {
		for _, reverse := range []bool{false, true} {
			want := slices.Clone(tagged[k])
			slices.SortFunc(want, func(a, b key) int {
				c := a.at.Compare(b.at)
				if c == 0 {
					c = cmp.Compare(a.id, b.id)
				}
				if !reverse {
					c = -c
				}
				return c
			})
			var wantIDs, got []int64
			for _, w := range want {
				wantIDs = append(wantIDs, w.id)
			}
			p := store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{DomainID: domainID, Open: open, Tag: ptr("x"),
				StartedFrom: ptr(t0), StartedTo: ptr(t0.Add(time.Minute))}, Reverse: reverse, Limit: 4}
			err := s.Read(ctx, func(tx store.Tx) error {
				for {
					page, err := tx.ExecutionList(ctx, p)
					if err != nil {
						return err
					}
					for _, e := range page {
						got = append(got, e.ID)
					}
					if len(page) < p.Limit {
						return nil
					}
					last := page[len(page)-1]
					p.AfterTime, p.AfterID = &last.StartedAt, last.ID
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, wantIDs) {
				t.Errorf("open %v, reverse %v: paged through %v, want %v", open, reverse, got, wantIDs)
			}
		}
	}
}

func ptr[T any](v T) *T { return &v }

// A listing reads what its filter asks for, however few runs the domain
// had when the server's connection first ran that listing: PostgreSQL
// caches a generic plan of a statement after five runs, and one made while
// a domain had one closed run walks the index of start times through every
// closed run to find one workflowId's (the store plans visibility queries
// for their arguments each time).
func testListingByWorkflowIDReadsItsRuns(t *testing.T, url string) {
	ctx := context.Background()
	schema := newSchema(t, url)
	// One connection: every listing runs on it.
	s := openOn(t, withParam(url, "pool_max_conns=1"), schema)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	closed := func(domainID int64, workflowID string, at time.Time) *store.Execution {
		return &store.Execution{DomainID: domainID, WorkflowID: workflowID, RunID: "r", TypeName: "t", TypeVersion: "1",
			StartedAt: at, CloseStatus: ptr("COMPLETED"), ClosedAt: ptr(at.Add(time.Minute)), State: []byte("{}")}
	}
	var domainID int64
	err := s.Write(ctx, func(tx store.Tx) error {
		var err error
		if domainID, err = insertDomain(ctx, tx, "d"); err != nil {
			return err
		}
		_, err = tx.ExecutionInsert(ctx, closed(domainID, "wanted", t0))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	p := store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{DomainID: domainID, WorkflowID: ptr("wanted"),
		StartedFrom: ptr(time.Unix(0, 0))}, Limit: 100}
	count := p.ExecutionFilter
	// list lists and counts, and returns how many rows of the runs' table
	// the two statements read (the transaction's own counts).
	list := func() (runs []*store.Execution, n int, entries int64) {
		err := s.Read(ctx, func(st store.Tx) error {
			var err error
			if runs, err = st.ExecutionList(ctx, p); err != nil {
				return err
			}
			if n, err = st.ExecutionCount(ctx, count); err != nil {
				return err
			}
			return st.(*tx).queryRow(ctx, `SELECT coalesce(sum(coalesce(idx_tup_fetch, 0) + seq_tup_read), 0) FROM pg_catalog.pg_stat_xact_user_tables
				WHERE schemaname = $1 AND relname = 'executions'`, []any{schema}, &entries)
		})
		if err != nil {
			t.Fatal(err)
		}
		return runs, n, entries
	}
	for range 8 {
		list()
	}
	err = s.Write(ctx, func(tx store.Tx) error {
		for i := range 3000 {
			if _, err := tx.ExecutionInsert(ctx, closed(domainID, "other-"+strconv.Itoa(i), t0.Add(time.Duration(i)*time.Second))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	runs, n, entries := list()
	if len(runs) != 1 || runs[0].WorkflowID != "wanted" || n != 1 {
		t.Fatalf("listed %v and counted %d, want the one run of wanted", runs, n)
	}
	// The runs of one workflowId: a row or two a statement; the index of
	// start times would read the domain's 3,001 closed runs.
	if entries > 20 {
		t.Errorf("listing and counting one workflowId's runs read %d rows (the domain has 3,001 closed runs)", entries)
	}
	// The setting ends with the listing in a write.
	err = s.Write(ctx, func(st store.Tx) error {
		if _, err := st.ExecutionList(ctx, p); err != nil {
			return err
		}
		var mode string
		if err := st.(*tx).queryRow(ctx, "SHOW plan_cache_mode", nil, &mode); err != nil {
			return err
		}
		if mode != "auto" {
			t.Errorf("plan_cache_mode after a listing in a write: %s, want auto", mode)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// What one server announces, every server listening to the schema hears;
// servers on another schema do not.
func testAnnouncements(t *testing.T, url string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	nodes := twoNodes(t, url)
	elsewhere := openOn(t, url, newSchema(t, url))
	listen := func(s *Store) chan store.Announcement {
		ch := make(chan store.Announcement, 100)
		go s.Listen(ctx, func(a store.Announcement) { ch <- a })
		// The first call says that news may have been missed.
		select {
		case a := <-ch:
			if !a.Resync {
				t.Errorf("first announcement %+v, want Resync", a)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Listen did not start")
		}
		return ch
	}
	heard, heardElsewhere := listen(nodes[1]), listen(elsewhere)

	want := store.Announcement{From: "node0", Timers: true}
	for i := range 400 {
		// More than one NOTIFY can carry.
		want.Tasks = append(want.Tasks, store.TaskListCount{TaskListKey: store.TaskListKey{DomainID: 1, Kind: "activity", TaskList: "list-" + strconv.Itoa(i)}, N: i})
	}
	if err := nodes[0].Announce(ctx, want); err != nil {
		t.Fatal(err)
	}
	var got store.Announcement
	for len(got.Tasks) < len(want.Tasks) {
		select {
		case a := <-heard:
			if a.From != want.From {
				t.Fatalf("heard %+v", a)
			}
			got.From = a.From
			got.Timers = got.Timers || a.Timers
			got.Tasks = append(got.Tasks, a.Tasks...)
		case <-time.After(10 * time.Second):
			t.Fatalf("heard %d of %d task lists", len(got.Tasks), len(want.Tasks))
		}
	}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Fatalf("heard %s\nwant %s", g, w)
	}
	select {
	case a := <-heardElsewhere:
		t.Fatalf("a store on another schema heard %+v", a)
	case <-time.After(200 * time.Millisecond):
	}
}

// Announcements too long for one NOTIFY are split; none is lost.
func TestPayloads(t *testing.T) {
	a := store.Announcement{From: "x", Timers: true}
	for i := range 1000 {
		a.Tasks = append(a.Tasks, store.TaskListCount{TaskListKey: store.TaskListKey{DomainID: int64(i), Kind: "decision", TaskList: strings.Repeat("l", 100)}, N: 1})
	}
	ps, err := payloads(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) < 2 {
		t.Fatalf("%d payloads", len(ps))
	}
	var tasks int
	timers := 0
	for _, p := range ps {
		if len(p) > maxPayload {
			t.Errorf("payload of %d bytes", len(p))
		}
		var got store.Announcement
		if err := json.Unmarshal([]byte(p), &got); err != nil {
			t.Fatal(err)
		}
		if got.From != "x" {
			t.Errorf("payload from %q", got.From)
		}
		if got.Timers {
			timers++
		}
		tasks += len(got.Tasks)
	}
	if tasks != len(a.Tasks) || timers != 1 {
		t.Fatalf("%d tasks and %d timer flags in the payloads, want %d and 1", tasks, timers, len(a.Tasks))
	}
	if ch := channelName(strings.Repeat("s", 80)); len(ch) > 63 {
		t.Fatalf("channel name %q is too long", ch)
	}
}

// DeleteAll of a store with open runs leaves no open-run counts behind:
// the counts change at commit, after the table holding them was emptied,
// unless DeleteAll applies them first (a negative count would let a domain
// of that id start more runs than its quota).
func testDeleteAllEmptiesOpenRunCounts(t *testing.T, url string) {
	ctx := context.Background()
	s := openOn(t, url, newSchema(t, url))
	newRun(t, s, "{}")
	if err := s.Write(ctx, func(tx store.Tx) error { return tx.DeleteAll(ctx) }); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{s.schema, "domain_open_runs"}.Sanitize()).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 0 {
		t.Errorf("after DeleteAll, domain_open_runs has %d rows", rows)
	}
}

// A write that changes the open-run counts of several domains (the
// statement with arrays, where a write of one domain sends one row) keeps
// each count, and the quota of each, at its commit.
func testOpenRunCountsOfSeveralDomainsInOneWrite(t *testing.T, url string) {
	ctx := context.Background()
	s := openOn(t, url, newSchema(t, url))
	s.EnforceOpenExecutions(2)
	var a, b int64
	// start opens a run in each domain, closeRuns closes runs: each a write of
	// several domains' counts.
	start := func(tx store.Tx, suffix string) (inA, inB int64, err error) {
		for _, r := range []struct {
			id     *int64
			domain int64
			name   string
		}{{&inA, a, "a" + suffix}, {&inB, b, "b" + suffix}} {
			*r.id, err = tx.ExecutionInsert(ctx, &store.Execution{DomainID: r.domain, WorkflowID: r.name, RunID: r.name,
				TypeName: "t", TypeVersion: "1", Open: true, StartedAt: time.Now(), State: []byte("{}")})
			if err != nil {
				return 0, 0, err
			}
		}
		return inA, inB, nil
	}
	closeRuns := func(tx store.Tx, ids ...int64) error {
		for _, id := range ids {
			if _, err := tx.ExecutionGet(ctx, id); err != nil {
				return err
			}
			if err := tx.ExecutionUpdate(ctx, &store.Execution{ID: id, Open: false, State: []byte("{}")}); err != nil {
				return err
			}
		}
		return nil
	}
	want := func(step string, wa, wb int) {
		t.Helper()
		var na, nb int
		err := s.Read(ctx, func(tx store.Tx) error {
			var err error
			if na, err = tx.ExecutionCountOpen(ctx, a); err != nil {
				return err
			}
			nb, err = tx.ExecutionCountOpen(ctx, b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if na != wa || nb != wb {
			t.Fatalf("%s, open runs %d and %d, want %d and %d", step, na, nb, wa, wb)
		}
	}
	// Both domains, and a run in each, in one write; then a second run in
	// each, in another.
	var firstA, firstB int64
	err := s.Write(ctx, func(tx store.Tx) error {
		var err error
		if a, err = insertDomain(ctx, tx, "a"); err != nil {
			return err
		}
		if b, err = insertDomain(ctx, tx, "b"); err != nil {
			return err
		}
		firstA, firstB, err = start(tx, "1")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, func(tx store.Tx) error { _, _, err := start(tx, "2"); return err }); err != nil {
		t.Fatal(err)
	}
	want("after a start in each, twice", 2, 2)
	// A third run in b, in the write that closes one of a's: over b's
	// quota at commit, so nothing of it is kept.
	err = s.Write(ctx, func(tx store.Tx) error {
		if err := closeRuns(tx, firstA); err != nil {
			return err
		}
		_, err := tx.ExecutionInsert(ctx, &store.Execution{DomainID: b, WorkflowID: "b3", RunID: "b3",
			TypeName: "t", TypeVersion: "1", Open: true, StartedAt: time.Now(), State: []byte("{}")})
		return err
	})
	if err == nil {
		t.Fatal("a write that left b with 3 open runs, over its quota of 2, committed")
	}
	want("after the write refused", 2, 2)
	// Closes in both, in one write; then starts in both, up to the quota.
	if err := s.Write(ctx, func(tx store.Tx) error { return closeRuns(tx, firstA, firstB) }); err != nil {
		t.Fatal(err)
	}
	want("after a close in each", 1, 1)
	if err := s.Write(ctx, func(tx store.Tx) error { _, _, err := start(tx, "3"); return err }); err != nil {
		t.Fatal(err)
	}
	want("after a start in each", 2, 2)
}
