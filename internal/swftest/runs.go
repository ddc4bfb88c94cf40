package swftest

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

// The vocabulary, continued: how a run stands (its status, its open counts),
// what an event holds and when it was recorded, a run's first decision
// task, more workflow types, and an outage of the server.

// WantEqual fails the test unless got and want are deeply equal (an
// event's attributes as the SDK parsed them, and those expected, member by
// member), showing both as JSON.
func WantEqual(t testing.TB, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %s\nwant %s", what, asJSON(got), asJSON(want))
	}
}

func asJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// WantAt fails the test unless the event was recorded at the time at (on
// the fake clock: At gives its times).
func WantAt(t testing.TB, e types.HistoryEvent, at time.Time) {
	t.Helper()
	if got := aws.ToTime(e.EventTimestamp); !got.Equal(at) {
		t.Fatalf("event %d (%s) at %v, want %v", e.EventId, e.EventType, got, at)
	}
}

// EventsOf returns the events of type typ, in order.
func EventsOf(h []types.HistoryEvent, typ types.EventType) []types.HistoryEvent {
	var out []types.HistoryEvent
	for _, e := range h {
		if e.EventType == typ {
			out = append(out, e)
		}
	}
	return out
}

// WantStatus fails the test unless the run is status and, closed, closed
// with closeStatus ("" for an open run).
func (d *Domain) WantStatus(ex *types.WorkflowExecution, status types.ExecutionStatus, closeStatus types.CloseStatus) {
	d.t.Helper()
	info := d.Describe(ex).ExecutionInfo
	if info.ExecutionStatus != status || info.CloseStatus != closeStatus {
		d.t.Fatalf("%s is %s %s, want %s %s", aws.ToString(ex.WorkflowId), info.ExecutionStatus, info.CloseStatus, status, closeStatus)
	}
}

// WantOpenCounts fails the test unless the run's open counts (activity
// tasks, decision tasks, timers, children, Lambda functions) are exactly
// want.
func (d *Domain) WantOpenCounts(ex *types.WorkflowExecution, want types.WorkflowExecutionOpenCounts) {
	d.t.Helper()
	got := d.Describe(ex).OpenCounts
	if got.OpenActivityTasks != want.OpenActivityTasks || got.OpenDecisionTasks != want.OpenDecisionTasks || got.OpenTimers != want.OpenTimers ||
		got.OpenChildWorkflowExecutions != want.OpenChildWorkflowExecutions || got.OpenLambdaFunctions != want.OpenLambdaFunctions {
		d.t.Fatalf("open counts of %s: %s, want %s", aws.ToString(ex.WorkflowId), asJSON(got), asJSON(want))
	}
}

// FirstDecision polls DeciderList and fails the test unless the task is
// the first decision task of the run ex (its DecisionTaskStarted is event
// 3): the start of a test that runs one workflow at a time.
func (d *Domain) FirstDecision(ex *types.WorkflowExecution) *swf.PollForDecisionTaskOutput {
	d.t.Helper()
	task := d.PollDecision()
	if aws.ToString(task.WorkflowExecution.RunId) != aws.ToString(ex.RunId) || task.StartedEventId != 3 {
		d.t.Fatalf("decision task of %s at event %d, want the first of %s", aws.ToString(task.WorkflowExecution.WorkflowId), task.StartedEventId, aws.ToString(ex.WorkflowId))
	}
	return task
}

// RegisterWorkflowType registers another workflow type in the domain,
// without defaults unless mod sets them, and returns the error.
func (d *Domain) RegisterWorkflowType(name, version string, mod ...func(*swf.RegisterWorkflowTypeInput)) error {
	in := &swf.RegisterWorkflowTypeInput{Domain: aws.String(d.Name), Name: aws.String(name), Version: aws.String(version)}
	for _, m := range mod {
		m(in)
	}
	_, err := d.Client.RegisterWorkflowType(context.Background(), in)
	return err
}

// DownFor shuts the server down, moves its fake clock by dur while no
// server runs to fire anything, and starts it again on the same database
// and clock, as after an outage. Client points at the new server
// afterwards.
func (s *Server) DownFor(dur time.Duration) {
	s.t.Helper()
	s.stop()
	s.Clock.Advance(dur)
	s.start()
}
