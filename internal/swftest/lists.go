package swftest

import (
	"context"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

// The vocabulary, continued: a domain without the fixture's types, the counts
// of waiting tasks and open runs a test reads back, the times of the fake
// clock, and long polls made on another goroutine.

// At is the time of the fake clock d after Epoch, where every test server's
// clock starts: the timestamp the server gives what it records then.
func At(d time.Duration) time.Time { return Epoch.Add(d) }

// AllTime is a start time filter that lets every run through.
func AllTime() *types.ExecutionTimeFilter {
	return &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}
}

// BareDomain registers a domain, with a retention period of one day and
// no types in it, for a test of domains or types themselves; its
// RegisterTypes adds the fixture's types.
func (s *Server) BareDomain(name string) *Domain {
	s.t.Helper()
	d := &Domain{Server: s, Name: name}
	_, err := s.Client.RegisterDomain(context.Background(), &swf.RegisterDomainInput{
		Name: aws.String(name), WorkflowExecutionRetentionPeriodInDays: aws.String("1"),
	})
	d.must(err)
	return d
}

// DescribeDomain returns a domain's detail.
func (s *Server) DescribeDomain(name string) *swf.DescribeDomainOutput {
	s.t.Helper()
	out, err := s.Client.DescribeDomain(context.Background(), &swf.DescribeDomainInput{Name: aws.String(name)})
	if err != nil {
		s.t.Fatal(err)
	}
	return out
}

// ClientAs returns an SWF client of the server that signs with the access
// key id and secret given, to act as a user of the server's users file.
func (s *Server) ClientAs(keyID, secret string) *swf.Client {
	return s.ClientWith(credentials.NewStaticCredentialsProvider(keyID, secret, ""))
}

// WaitClockWaiters waits until at least n timers wait on the server's fake
// clock: every long poll arms one when it starts to wait (and the timer
// loop one while a durable timer is armed), so it is how a test knows that
// its polls are parked on the server.
func (s *Server) WaitClockWaiters(n int) {
	s.t.Helper()
	WaitFor(s.t, "timers waiting on the clock", func() bool { return s.Clock.Waiters() >= n })
}

// PendingDecisions counts the decision tasks waiting on a list, and fails
// the test if the count is truncated.
func (d *Domain) PendingDecisions(list string) int32 {
	d.t.Helper()
	out, err := d.Client.CountPendingDecisionTasks(context.Background(), &swf.CountPendingDecisionTasksInput{Domain: aws.String(d.Name), TaskList: &types.TaskList{Name: aws.String(list)}})
	d.must(err)
	if out.Truncated {
		d.t.Fatalf("count of %s truncated", list)
	}
	return out.Count
}

// PendingActivities counts the activity tasks waiting on a list, and fails
// the test if the count is truncated.
func (d *Domain) PendingActivities(list string) int32 {
	d.t.Helper()
	out, err := d.Client.CountPendingActivityTasks(context.Background(), &swf.CountPendingActivityTasksInput{Domain: aws.String(d.Name), TaskList: &types.TaskList{Name: aws.String(list)}})
	d.must(err)
	if out.Truncated {
		d.t.Fatalf("count of %s truncated", list)
	}
	return out.Count
}

// OpenCounts returns a run's open activity tasks and open decision tasks,
// as DescribeWorkflowExecution counts them.
func (d *Domain) OpenCounts(ex *types.WorkflowExecution) (activities, decisions int32) {
	d.t.Helper()
	c := d.Describe(ex).OpenCounts
	return c.OpenActivityTasks, c.OpenDecisionTasks
}

// WantHistoryFrom fails the test unless the run's events from id first on
// have exactly the types want, in order, and returns the whole history.
func (d *Domain) WantHistoryFrom(ex *types.WorkflowExecution, first int64, want ...types.EventType) []types.HistoryEvent {
	d.t.Helper()
	h := d.History(ex)
	var got []types.EventType
	if first >= 1 && int(first-1) <= len(h) {
		got = EventTypes(h[first-1:])
	}
	if !slices.Equal(got, want) {
		d.t.Fatalf("events from %d on:\n got %v\nwant %v", first, got, want)
	}
	return h
}

// OpenWorkflowIDs lists the workflowIds of the domain's open runs, newest
// first, and fails the test unless CountOpenWorkflowExecutions agrees.
func (d *Domain) OpenWorkflowIDs() []string {
	d.t.Helper()
	out, err := d.Client.ListOpenWorkflowExecutions(context.Background(), &swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: AllTime()})
	d.must(err)
	ids := workflowIDs(out.ExecutionInfos)
	n, err := d.Client.CountOpenWorkflowExecutions(context.Background(), &swf.CountOpenWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: AllTime()})
	d.must(err)
	if int(n.Count) != len(ids) || n.Truncated {
		d.t.Fatalf("CountOpenWorkflowExecutions = %d (truncated %v), ListOpenWorkflowExecutions has %v", n.Count, n.Truncated, ids)
	}
	return ids
}

// ClosedWorkflowIDs lists the workflowIds of the domain's closed runs,
// most recently started first, and fails the test unless
// CountClosedWorkflowExecutions agrees.
func (d *Domain) ClosedWorkflowIDs() []string {
	d.t.Helper()
	out, err := d.Client.ListClosedWorkflowExecutions(context.Background(), &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: AllTime()})
	d.must(err)
	ids := workflowIDs(out.ExecutionInfos)
	n, err := d.Client.CountClosedWorkflowExecutions(context.Background(), &swf.CountClosedWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: AllTime()})
	d.must(err)
	if int(n.Count) != len(ids) || n.Truncated {
		d.t.Fatalf("CountClosedWorkflowExecutions = %d (truncated %v), ListClosedWorkflowExecutions has %v", n.Count, n.Truncated, ids)
	}
	return ids
}

// WantOpen fails the test unless the workflowIds of the domain's open runs
// are want, newest first.
func (d *Domain) WantOpen(want ...string) {
	d.t.Helper()
	if got := d.OpenWorkflowIDs(); !slices.Equal(got, want) {
		d.t.Fatalf("open runs of %s = %v, want %v", d.Name, got, want)
	}
}

func workflowIDs(infos []types.WorkflowExecutionInfo) []string {
	var ids []string
	for _, i := range infos {
		ids = append(ids, aws.ToString(i.Execution.WorkflowId))
	}
	return ids
}

// PollDecisionAsync starts a long poll of a decision task list with client
// c on another goroutine (Await and Pending read its answer), for a test
// that acts while the poll waits.
func (d *Domain) PollDecisionAsync(c *swf.Client, list string) <-chan Result[*swf.PollForDecisionTaskOutput] {
	return Async(func() (*swf.PollForDecisionTaskOutput, error) {
		return c.PollForDecisionTask(context.Background(), &swf.PollForDecisionTaskInput{Domain: aws.String(d.Name), TaskList: &types.TaskList{Name: aws.String(list)}})
	})
}

// PollActivityAsync is PollDecisionAsync for an activity task list.
func (d *Domain) PollActivityAsync(c *swf.Client, list string) <-chan Result[*swf.PollForActivityTaskOutput] {
	return Async(func() (*swf.PollForActivityTaskOutput, error) {
		return c.PollForActivityTask(context.Background(), &swf.PollForActivityTaskInput{Domain: aws.String(d.Name), TaskList: &types.TaskList{Name: aws.String(list)}})
	})
}
