package bench

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/store/sqlite"
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
		Endpoint: srv.URL(), Duration: 300 * time.Millisecond, Warmup: 200 * time.Millisecond, Concurrency: 4, Tasks: 8,
		Starters: 2, Deciders: 2, Workers: 2, Domain: "bench", Out: &out,
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if res.Heartbeats.Calls == 0 || res.Ceiling.Calls == 0 || res.Workflows.Completed == 0 || res.Workflows.Verified != res.Workflows.Completed {
		t.Fatalf("nothing measured: %+v\n%s", res, out.String())
	}
	// The warm-up ran whole workflows too, under ids of their own, which
	// the timed load neither counts nor verifies.
	if n, err := verify(context.Background(), NewClient(srv.URL()), "bench", "warm-"+runID+"-", 1); n != 1 || err != nil {
		t.Fatalf("the warm-up's first workflow: %d verified, %v\n%s", n, err, out.String())
	}
	t.Log("\n" + out.String())
}

// Seeded closed runs are real to the server: listed, described, their
// history read.
func TestSeedClosed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seeded.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := SeedClosed(context.Background(), st, "seeded", 25, &out); err != nil {
		t.Fatal(err)
	}
	st.Close()
	srv, err := server.Start(context.Background(), server.Config{Listen: "127.0.0.1:0", Database: path})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	c := NewClient(srv.URL())
	n, err := c.CountClosedWorkflowExecutions(context.Background(), &swf.CountClosedWorkflowExecutionsInput{
		Domain: aws.String("seeded"), StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))},
	})
	if err != nil || n.Count != 25 {
		t.Fatalf("count %v, %v", n, err)
	}
	list, err := c.ListClosedWorkflowExecutions(context.Background(), &swf.ListClosedWorkflowExecutionsInput{
		Domain: aws.String("seeded"), StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}, MaximumPageSize: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	h, err := c.GetWorkflowExecutionHistory(context.Background(), &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String("seeded"), Execution: list.ExecutionInfos[0].Execution})
	if err != nil {
		t.Fatal(err)
	}
	got := make([]types.EventType, len(h.Events))
	for i, e := range h.Events {
		got[i] = e.EventType
	}
	if !slices.Equal(got, expectedHistory) {
		t.Fatalf("seeded history %v", got)
	}
	// The run's state is what the engine stores: it describes the run as
	// its history does.
	d, err := c.DescribeWorkflowExecution(context.Background(), &swf.DescribeWorkflowExecutionInput{Domain: aws.String("seeded"), Execution: list.ExecutionInfos[0].Execution})
	if err != nil {
		t.Fatal(err)
	}
	info, cfg, last := d.ExecutionInfo, d.ExecutionConfiguration, h.Events[len(h.Events)-1]
	if info.CloseStatus != types.CloseStatusCompleted || !info.CloseTimestamp.Equal(*last.EventTimestamp) || !info.StartTimestamp.Equal(*h.Events[0].EventTimestamp) ||
		*cfg.TaskList.Name != deciderList || *cfg.TaskStartToCloseTimeout != "300" || *cfg.ExecutionStartToCloseTimeout != "3600" || cfg.ChildPolicy != types.ChildPolicyTerminate ||
		d.OpenCounts.OpenDecisionTasks != 0 || d.OpenCounts.OpenActivityTasks != 0 {
		t.Fatalf("seeded run described as %+v %+v %+v", info, cfg, d.OpenCounts)
	}
}
