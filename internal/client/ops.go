package client

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/openswf/openswf/internal/archive"
	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swfapi"
)

// History reads a run's whole history, every page, as the JSON of each
// event the server sent. Without a runID it reads the workflowId's open
// run, or else its run started last, and says which run it read.
func (c *Client) History(ctx context.Context, domain, workflowID, runID string) ([]json.RawMessage, string, error) {
	if runID == "" {
		var err error
		if runID, err = c.latestRun(ctx, domain, workflowID); err != nil {
			return nil, "", err
		}
	}
	in := map[string]any{"domain": domain, "execution": map[string]string{"workflowId": workflowID, "runId": runID}}
	if c.PageSize > 0 {
		in["maximumPageSize"] = c.PageSize
	}
	var events []json.RawMessage
	for {
		var page struct {
			Events        []json.RawMessage `json:"events"`
			NextPageToken string            `json:"nextPageToken"`
		}
		if err := c.post(ctx, "/", "SimpleWorkflowService.GetWorkflowExecutionHistory", in, &page); err != nil {
			return nil, "", err
		}
		events = append(events, page.Events...)
		if page.NextPageToken == "" {
			return events, runID, nil
		}
		in["nextPageToken"] = page.NextPageToken
	}
}

// latestRun finds the workflowId's open run, or else the one started last.
func (c *Client) latestRun(ctx context.Context, domain, workflowID string) (string, error) {
	for _, op := range []string{"ListOpenWorkflowExecutions", "ListClosedWorkflowExecutions"} {
		var out struct {
			ExecutionInfos []struct {
				Execution struct {
					RunID string `json:"runId"`
				} `json:"execution"`
			} `json:"executionInfos"`
		}
		in := map[string]any{"domain": domain, "startTimeFilter": map[string]any{"oldestDate": 0}, "executionFilter": map[string]string{"workflowId": workflowID}, "maximumPageSize": 1}
		if err := c.post(ctx, "/", "SimpleWorkflowService."+op, in, &out); err != nil {
			return "", err
		}
		if len(out.ExecutionInfos) > 0 {
			return out.ExecutionInfos[0].Execution.RunID, nil
		}
	}
	return "", errors.New("the domain " + domain + " has no run of workflowId " + workflowID)
}

// ImportHistory loads a closed run's history into a domain.
func (c *Client) ImportHistory(ctx context.Context, in *engine.ImportHistoryInput) (*swfapi.WorkflowExecution, error) {
	out := &swfapi.WorkflowExecution{}
	return out, c.post(ctx, server.ExtensionPaths.ImportHistory, server.ExtensionTarget+"ImportHistory", in, out)
}

// Reset starts a workflow again from one of its decisions.
func (c *Client) Reset(ctx context.Context, in *engine.ResetInput) (*swfapi.WorkflowExecution, error) {
	out := &swfapi.WorkflowExecution{}
	return out, c.post(ctx, server.ExtensionPaths.ResetWorkflowExecution, server.ExtensionTarget+"ResetWorkflowExecution", in, out)
}

// ListArchived lists a page of a domain's archived runs.
func (c *Client) ListArchived(ctx context.Context, in *engine.ListArchivedExecutionsInput) (*engine.ListArchivedExecutionsOutput, error) {
	out := &engine.ListArchivedExecutionsOutput{}
	return out, c.post(ctx, server.ExtensionPaths.ListArchivedExecutions, server.ExtensionTarget+"ListArchivedExecutions", in, out)
}

// GetArchived reads an archived run.
func (c *Client) GetArchived(ctx context.Context, in *engine.GetArchivedExecutionInput) (*archive.Record, error) {
	out := &archive.Record{}
	return out, c.post(ctx, server.ExtensionPaths.GetArchivedExecution, server.ExtensionTarget+"GetArchivedExecution", in, out)
}
