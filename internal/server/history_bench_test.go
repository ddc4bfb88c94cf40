package server_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

// BenchmarkDecisionTaskHistory measures one decision round trip — a signal,
// then a poll that reads the whole history (in pages of 1,000) and an
// answer — on runs whose history already has about n events: how a
// decider's cost grows with its history.
func BenchmarkDecisionTaskHistory(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("events=%d", n), func(b *testing.B) {
			f := newFixture(b)
			ex := f.start("bench")
			for i := 0; i < n; i++ {
				_, err := f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: ex.WorkflowId, SignalName: aws.String("grow")})
				if err != nil {
					b.Fatal(err)
				}
			}
			poll := func() {
				in := &swf.PollForDecisionTaskInput{Domain: f.domain, TaskList: &types.TaskList{Name: aws.String(deciderList)}}
				d, err := f.c.PollForDecisionTask(ctx, in)
				if err != nil || d.TaskToken == nil {
					b.Fatalf("poll: %v", err)
				}
				events := len(d.Events)
				for page := d.NextPageToken; page != nil; {
					in.NextPageToken = page
					next, err := f.c.PollForDecisionTask(ctx, in)
					if err != nil {
						b.Fatal(err)
					}
					events += len(next.Events)
					page = next.NextPageToken
				}
				if events < n {
					b.Fatalf("read %d events, the history has more than %d", events, n)
				}
				if _, err := f.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: d.TaskToken}); err != nil {
					b.Fatal(err)
				}
			}
			poll()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: ex.WorkflowId, SignalName: aws.String("go")}); err != nil {
					b.Fatal(err)
				}
				poll()
			}
		})
	}
}
