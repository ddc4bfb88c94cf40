package server_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"

	"github.com/openswf/openswf/internal/swftest"
)

// BenchmarkHistory measures, on runs whose history has n events, what a
// decider pays to read it all (GetWorkflowExecutionHistory in pages of
// 1,000, the path PollForDecisionTask takes too), and what appending to it
// costs (a signal): reading grows with the history, appending does not.
func BenchmarkHistory(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10000} {
		d := swftest.NewDomain(b)
		c := d.PlainClient()
		ex := d.Start("bench")
		for range n - 2 {
			if _, err := c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: ex.WorkflowId, SignalName: aws.String("grow")}); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(fmt.Sprintf("read/events=%d", n), func(b *testing.B) {
			for b.Loop() {
				read := 0
				p := swf.NewGetWorkflowExecutionHistoryPaginator(c, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(d.Name), Execution: ex})
				for p.HasMorePages() {
					page, err := p.NextPage(ctx)
					if err != nil {
						b.Fatal(err)
					}
					read += len(page.Events)
				}
				if read < n {
					b.Fatalf("read %d events of %d", read, n)
				}
			}
		})
		b.Run(fmt.Sprintf("append/events=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: ex.WorkflowId, SignalName: aws.String("go")}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
