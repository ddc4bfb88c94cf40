package server_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/postgres"
	"github.com/openswf/openswf/internal/swftest"
	"github.com/openswf/openswf/internal/throttle"
)

// The tests of this file run two servers on one PostgreSQL schema, through
// the wire, with the servers' housekeeping (re-looks, what they tell each
// other) on a fake wall clock, and each server's store wrapped so that the
// test can make it die between a commit and its announcement, or run a
// write again as PostgreSQL does after a deadlock.

// shaky is a server's PostgreSQL store, which the test can make fail.
type shaky struct {
	*postgres.Store
	// dead: the server has died after its commits; what it would announce
	// is lost (lost counts the announcements of tasks).
	dead atomic.Bool
	lost atomic.Int64
	// reruns: that many of the next writes fail at their end, as on a
	// deadlock, and run again.
	reruns atomic.Int64
}

func (s *shaky) Announce(ctx context.Context, a store.Announcement) error {
	if s.dead.Load() {
		if len(a.Tasks) > 0 {
			s.lost.Add(1)
		}
		return nil
	}
	return s.Store.Announce(ctx, a)
}

func (s *shaky) Write(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Write(ctx, func(tx store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if s.reruns.Add(-1) >= 0 {
			return &pgconn.PgError{Code: "40P01", Message: "deadlock detected (made by the test)"}
		}
		s.reruns.Store(0)
		return nil
	})
}

// cluster is two servers, A and B, on one PostgreSQL schema.
type cluster struct {
	a, b   *swftest.Domain
	sa, sb *shaky
	wall   *clock.Fake
}

// startCluster starts A and B with the configuration cfg (on top of the
// database and clocks), and waits until each knows of the other.
func startCluster(t *testing.T, cfg func(*server.Config)) *cluster {
	t.Helper()
	db := swftest.PostgresDatabase(t)
	c := &cluster{wall: clock.NewFake(swftest.Epoch)}
	config := func(s **shaky, swfClock clock.Clock) swftest.Option {
		return swftest.WithConfig(func(conf *server.Config) {
			conf.Database = db
			if swfClock != nil {
				conf.Clock = swfClock
			}
			if cfg != nil {
				cfg(conf)
			}
			server.SetWall(conf, c.wall)
			server.WrapStore(conf, func(st store.Store) store.Store {
				*s = &shaky{Store: st.(*postgres.Store)}
				return *s
			})
		})
	}
	c.a = swftest.NewDomain(t, config(&c.sa, nil))
	b := swftest.Start(t, config(&c.sb, c.a.Clock))
	c.b = &swftest.Domain{Server: b, Name: c.a.Name}
	// Each announcer waits for its time to tell it is alive; past it, each
	// hears the other, once both listen (which the test cannot see: the
	// time comes again until they have).
	swftest.WaitFor(t, "both announcers waiting", func() bool { return c.wall.Waiters() >= 2 })
	for range 50 {
		c.wall.Advance(3 * time.Second)
		deadline := time.Now().Add(200 * time.Millisecond)
		for time.Now().Before(deadline) {
			if c.servers(t, c.a) == 2 && c.servers(t, c.b) == 2 {
				// And each announcer waits for its next time again.
				swftest.WaitFor(t, "both announcers waiting again", func() bool { return c.wall.Waiters() >= 2 })
				return c
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	t.Fatalf("the servers count %v and %v servers, want 2", c.servers(t, c.a), c.servers(t, c.b))
	return nil
}

// servers is the number of live servers f's server counts (its metrics).
func (c *cluster) servers(t *testing.T, f *swftest.Domain) float64 {
	_, samples := scrape(t, f.URL())
	return samples["openswf_servers"]
}

// waitServers waits until f's server counts n live servers (its metrics).
func (c *cluster) waitServers(t *testing.T, f *swftest.Domain, n int) {
	t.Helper()
	swftest.WaitFor(t, "the server to count "+strconv.Itoa(n)+" servers", func() bool { return c.servers(t, f) == float64(n) })
}

// A server that dies between its commits and their announcements costs a
// poller on the other server one re-look, not its whole long poll: the
// poll looks again after engine.DefaultPollRelook (on the housekeeping
// clock; the SWF clock, which ends polls, stands still) and gets the
// acknowledged tasks, each once.
func TestDeadServersTasksFoundOnRelook(t *testing.T) {
	t.Parallel()
	c := startCluster(t, nil)
	// Besides the two announcers' timers, the poll's re-look: it has looked,
	// found nothing, and waits.
	polled := c.b.PollDecisionAsync(c.b.Client, swftest.DeciderList)
	swftest.WaitFor(t, "the poll on B to wait", func() bool { return c.wall.Waiters() >= 3 })

	c.sa.dead.Store(true)
	const runs = 3
	started := map[string]bool{}
	for i := range runs {
		started[aws.ToString(c.a.Start("lost-"+strconv.Itoa(i)).RunId)] = true
	}
	swftest.WaitFor(t, "A to lose its announcement", func() bool { return c.sa.lost.Load() > 0 })
	must(t, c.a.Server.Server.Shutdown(ctx))
	c.a.Server.Server = nil
	swftest.Pending(t, polled, "the poll on B, before it looked again,")

	c.wall.Advance(engine.DefaultPollRelook)
	got := map[string]int{}
	task := swftest.Await(t, polled)
	if task.TaskToken == nil {
		t.Fatal("after a re-look the poll on B came back empty")
	}
	got[aws.ToString(task.WorkflowExecution.RunId)]++
	for range runs - 1 {
		got[aws.ToString(c.b.PollDecision().WorkflowExecution.RunId)]++
	}
	for id := range started {
		if got[id] != 1 {
			t.Errorf("run %s: its first decision task was delivered %d times", id, got[id])
		}
	}
	// Nothing more waits on the list.
	pending, err := c.b.Client.CountPendingDecisionTasks(ctx, &swf.CountPendingDecisionTasksInput{Domain: aws.String(c.b.Name), TaskList: &types.TaskList{Name: aws.String(swftest.DeciderList)}})
	must(t, err)
	if pending.Count != 0 {
		t.Fatalf("%d decision tasks still pending, after the %d runs' were taken", pending.Count, runs)
	}
}

// The limits that hold for the whole service hold across two servers: each
// takes its share — half — of the API rates, of the decision rates and of
// the pollers a task list may have, and the whole again once the other is
// gone. A request spends its tokens once, though its write runs again.
func TestLimitsHoldAcrossServers(t *testing.T) {
	t.Parallel()
	c := startCluster(t, func(conf *server.Config) {
		conf.APIRates = map[string]throttle.Rate{"StartWorkflowExecution": {Burst: 6, PerSecond: 1}}
		conf.DecisionRates = map[string]throttle.Rate{string(types.DecisionTypeStartTimer): {Burst: 4, PerSecond: 1}}
		conf.Limits.PollersPerTaskList = 4
	})
	// API rates: three starts on each server, of six; the first start on
	// A runs its write twice, and spends one token.
	retries := func(f *swftest.Domain) float64 {
		_, samples := scrape(t, f.URL())
		return samples["openswf_store_write_retries_total"]
	}
	before := retries(c.a)
	c.sa.reruns.Store(1)
	c.a.Start("a0")
	if n := retries(c.a) - before; n != 1 {
		t.Fatalf("the start's write ran again %v times, want 1", n)
	}
	for name, f := range map[string]*swftest.Domain{"a": c.a, "b": c.b} {
		for i := range 4 {
			if name == "a" && i == 0 {
				continue // a0, above
			}
			_, err := f.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(f.Name),
				WorkflowId: aws.String(name + strconv.Itoa(i)), WorkflowType: swftest.WorkflowType("order", "1")})
			if i < 3 {
				must(t, err)
			} else {
				wantCode(t, err, "ThrottlingException")
			}
		}
	}

	// Decision rates: two timers on each server, of four; the first
	// decision on A runs its write twice, and spends one token.
	timers := func(ids ...string) []types.Decision {
		var ds []types.Decision
		for _, id := range ids {
			ds = append(ds, swftest.StartTimer(id, "600"))
		}
		return ds
	}
	before = retries(c.a)
	d := c.a.PollDecision()
	c.sa.reruns.Store(1)
	c.a.Decide(d.TaskToken, timers("t1")...)
	if n := retries(c.a) - before; n != 1 {
		t.Fatalf("the decision's write ran again %v times, want 1", n)
	}
	checkTimers(t, c.a, d.WorkflowExecution, map[string]bool{"t1": true})
	d = c.a.PollDecision()
	c.a.Decide(d.TaskToken, timers("t2", "t3")...)
	checkTimers(t, c.a, d.WorkflowExecution, map[string]bool{"t2": true, "t3": false})
	d = c.b.PollDecision()
	c.b.Decide(d.TaskToken, timers("t4", "t5", "t6")...)
	checkTimers(t, c.a, d.WorkflowExecution, map[string]bool{"t4": true, "t5": true, "t6": false})

	// Pollers: two waiting on each server, of four.
	for _, f := range []*swftest.Domain{c.a, c.b} {
		for range 2 {
			f.PollActivityAsync(f.Client, "idle")
		}
		swftest.WaitFor(t, "two polls waiting", func() bool {
			_, samples := scrape(t, f.URL())
			return samples["openswf_polls_waiting"] == 2
		})
		_, err := f.Client.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{Domain: aws.String(f.Name), TaskList: &types.TaskList{Name: aws.String("idle")}})
		wantCode(t, err, "LimitExceededFault")
	}

	// B dies without a word: once what it last said has expired, A takes
	// the whole limits again.
	c.sb.dead.Store(true)
	must(t, c.b.Server.Server.Shutdown(ctx))
	c.b.Server.Server = nil
	c.wall.Advance(13 * time.Second)
	c.waitServers(t, c.a, 1)
	c.a.PollActivityAsync(c.a.Client, "idle")
	swftest.WaitFor(t, "a third poll waiting on A", func() bool {
		_, samples := scrape(t, c.a.URL())
		return samples["openswf_polls_waiting"] == 3
	})
}

// checkTimers checks which of the named timers started in a run, and that
// those that did not failed for the rate.
func checkTimers(t *testing.T, f *swftest.Domain, ex *types.WorkflowExecution, want map[string]bool) {
	t.Helper()
	got := map[string]bool{}
	for _, e := range f.History(ex) {
		switch e.EventType {
		case types.EventTypeTimerStarted:
			got[aws.ToString(e.TimerStartedEventAttributes.TimerId)] = true
		case types.EventTypeStartTimerFailed:
			a := e.StartTimerFailedEventAttributes
			if a.Cause != types.StartTimerFailedCauseTimerCreationRateExceeded {
				t.Errorf("timer %s failed: %s", aws.ToString(a.TimerId), a.Cause)
			}
			got[aws.ToString(a.TimerId)] = false
		}
	}
	for id, started := range want {
		if s, ok := got[id]; !ok || s != started {
			t.Errorf("timer %s: started %v (decided: %v), want started %v", id, s, ok, started)
		}
	}
}
