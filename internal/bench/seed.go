package bench

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/workflow"
)

// SeedClosed writes n closed runs, with the history a benchmark workflow
// records, straight into a store, to measure how the server fares as
// closed executions pile up. The runs are spread over the last 30 days and
// kept 90 days, as a busy domain would keep them.
func SeedClosed(ctx context.Context, st store.Store, domain string, n int, out io.Writer) error {
	var domainID int64
	err := st.Write(ctx, func(tx store.Tx) error {
		d, err := tx.DomainGetByName(ctx, domain)
		if errors.Is(err, store.ErrNotFound) {
			domainID, err = tx.DomainInsert(ctx, &store.Domain{Name: domain, Status: store.StatusRegistered, Retention: "90", CreatedAt: time.Now()})
			return err
		}
		if err == nil {
			domainID = d.ID
		}
		return err
	})
	if err != nil {
		return err
	}
	const batch = 2000
	now := time.Now().UTC().Truncate(time.Millisecond)
	begin := time.Now()
	for done := 0; done < n; {
		k := min(batch, n-done)
		// The runIds of a batch are drawn before its write, which a store
		// may run more than once.
		var seed [32]byte
		rand.Read(seed[:])
		err := st.Write(ctx, func(tx store.Tx) error {
			ids := workflow.NewRunIDs(seed)
			for i := range k {
				if err := seedRun(ctx, tx, domainID, done+i, now, ids.Next()); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		done += k
		if done%100000 == 0 || done == n {
			fmt.Fprintf(out, "seeded %d closed runs (%.0f/s)\n", done, float64(done)/time.Since(begin).Seconds())
		}
	}
	return nil
}

// seedRun writes the jth seeded run, closed, with its history and its
// retention timer, through the codec the engine stores runs with.
func seedRun(ctx context.Context, tx store.Tx, domainID int64, j int, now time.Time, id string) error {
	started := now.Add(-time.Duration(j%(30*24*3600)) * time.Second)
	events := seedHistory(started)
	end := events[len(events)-1].EventTimestamp.Time
	x := &workflow.Execution{
		DomainID: domainID, WorkflowID: fmt.Sprintf("seed-%s-%d", runID, j), RunID: id,
		TypeName: *workflowType.Name, TypeVersion: *workflowType.Version,
		CloseStatus: swfapi.CloseStatusCompleted, StartedAt: started, ClosedAt: end, LastEventAt: end,
		Config: workflow.ConfigOf(events[0].WorkflowExecutionStartedEventAttributes), NextEventID: int64(len(events)) + 1,
	}
	row, err := workflow.EncodeExecution(x)
	if err != nil {
		return err
	}
	x.ID, err = tx.ExecutionInsert(ctx, row)
	if err != nil {
		return err
	}
	rows, err := workflow.EncodeEvents(events)
	if err != nil {
		return err
	}
	if err := tx.EventInsert(ctx, x.ID, rows); err != nil {
		return err
	}
	return tx.TimerPut(ctx, &store.Timer{Due: x.ClosedAt.Add(90 * 24 * time.Hour), ExecutionID: x.ID, Kind: string(workflow.TimerRetention)})
}

// seedHistory is the history of a benchmark workflow that started at t.
func seedHistory(t time.Time) []swfapi.HistoryEvent {
	tl := &swfapi.TaskList{Name: swfapi.Ptr(deciderList)}
	wl := &swfapi.TaskList{Name: swfapi.Ptr(workerList)}
	wt := &swfapi.WorkflowType{Name: workflowType.Name, Version: workflowType.Version}
	at := &swfapi.ActivityType{Name: activityType.Name, Version: activityType.Version}
	attrs := []any{
		&swfapi.WorkflowExecutionStartedEventAttributes{Input: swfapi.Ptr("bench"), ChildPolicy: swfapi.ChildPolicyTerminate.Ptr(), TaskList: tl, WorkflowType: wt,
			ExecutionStartToCloseTimeout: swfapi.Ptr("3600"), TaskStartToCloseTimeout: swfapi.Ptr("300"), TaskPriority: swfapi.Ptr("0"), ParentInitiatedEventId: swfapi.Ptr(int64(0))},
		&swfapi.DecisionTaskScheduledEventAttributes{TaskList: tl, TaskPriority: swfapi.Ptr("0"), StartToCloseTimeout: swfapi.Ptr("300")},
		&swfapi.DecisionTaskStartedEventAttributes{ScheduledEventId: swfapi.Ptr(int64(2))},
		&swfapi.DecisionTaskCompletedEventAttributes{ScheduledEventId: swfapi.Ptr(int64(2)), StartedEventId: swfapi.Ptr(int64(3))},
		&swfapi.ActivityTaskScheduledEventAttributes{ActivityType: at, ActivityId: swfapi.Ptr("work"), Input: swfapi.Ptr("bench"), TaskList: wl, TaskPriority: swfapi.Ptr("0"),
			ScheduleToStartTimeout: swfapi.Ptr("3600"), ScheduleToCloseTimeout: swfapi.Ptr("3600"), StartToCloseTimeout: swfapi.Ptr("3600"), HeartbeatTimeout: swfapi.Ptr("600"), DecisionTaskCompletedEventId: swfapi.Ptr(int64(4))},
		&swfapi.ActivityTaskStartedEventAttributes{ScheduledEventId: swfapi.Ptr(int64(5))},
		&swfapi.ActivityTaskCompletedEventAttributes{Result: swfapi.Ptr("done"), ScheduledEventId: swfapi.Ptr(int64(5)), StartedEventId: swfapi.Ptr(int64(6))},
		&swfapi.DecisionTaskScheduledEventAttributes{TaskList: tl, TaskPriority: swfapi.Ptr("0"), StartToCloseTimeout: swfapi.Ptr("300")},
		&swfapi.DecisionTaskStartedEventAttributes{ScheduledEventId: swfapi.Ptr(int64(8))},
		&swfapi.DecisionTaskCompletedEventAttributes{ScheduledEventId: swfapi.Ptr(int64(8)), StartedEventId: swfapi.Ptr(int64(9))},
		&swfapi.WorkflowExecutionCompletedEventAttributes{Result: swfapi.Ptr("ok"), DecisionTaskCompletedEventId: swfapi.Ptr(int64(10))},
	}
	events := make([]swfapi.HistoryEvent, len(attrs))
	for i, a := range attrs {
		events[i] = swfapi.HistoryEvent{EventId: swfapi.Ptr(int64(i + 1)), EventTimestamp: swfapi.At(t.Add(time.Duration(i) * 100 * time.Millisecond))}
		events[i].SetAttributes(a)
	}
	return events
}
