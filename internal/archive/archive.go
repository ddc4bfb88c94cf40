// Package archive keeps the runs that a domain's retention would delete:
// when a closed run's retention ends, the engine writes its execution info
// and its whole history here before it deletes it, so that histories
// outlive SWF's 90 days. This is an openswf extension: the SWF API's
// visibility is unchanged, archived runs are read back through openswf's
// own endpoints, the console and `openswf archive`.
//
// An archive is a directory (file:///DIR) or an S3 bucket and prefix
// (s3://BUCKET/PREFIX, any S3-compatible service). Each run is one JSON
// object, a Record, at DOMAIN/WORKFLOWID/RUNID.json, each part escaped as a
// URL path segment.
package archive

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/openswf/openswf/internal/swfapi"
)

// ErrNotFound: the archive holds no such run.
var ErrNotFound = errors.New("archive: no such run")

// Record is an archived run: what DescribeWorkflowExecution and
// GetWorkflowExecutionHistory showed of it before it was deleted.
type Record struct {
	Domain                 string                                 `json:"domain"`
	ExecutionInfo          *swfapi.WorkflowExecutionInfo          `json:"executionInfo"`
	ExecutionConfiguration *swfapi.WorkflowExecutionConfiguration `json:"executionConfiguration"`
	LatestExecutionContext *string                                `json:"latestExecutionContext,omitempty"`
	// ArchivedAt is when the run was archived.
	ArchivedAt *swfapi.Timestamp `json:"archivedAt"`
	// Events is the run's whole history, oldest first.
	Events []swfapi.HistoryEvent `json:"events"`
}

// Ref names an archived run.
type Ref struct {
	WorkflowID string `json:"workflowId"`
	RunID      string `json:"runId"`
}

// ListParams selects a page of a domain's archived runs, in the order of
// their keys (workflowId, then runId).
type ListParams struct {
	Domain string
	// WorkflowID, when set, keeps the runs of that workflowId.
	WorkflowID string
	// After, when set, starts the page after this key (as List returned it).
	After string
	Limit int
}

// Archive is where runs go when their retention ends.
type Archive interface {
	// Put writes a run, replacing a copy that is there already.
	Put(ctx context.Context, r *Record) error
	// Get reads a run back, or ErrNotFound.
	Get(ctx context.Context, domain, workflowID, runID string) (*Record, error)
	// List returns a page of runs and, when more follow, the key to pass
	// as After for the next page.
	List(ctx context.Context, p ListParams) (refs []Ref, next string, err error)
}

// Open returns the archive a URL names: file:///DIR or s3://BUCKET/PREFIX.
// endpoint, for S3, is the URL of an S3-compatible service other than AWS
// (requests then use path-style addressing); empty means AWS.
func Open(ctx context.Context, rawURL, endpoint string) (Archive, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("a file archive is file:///ABSOLUTE/DIR, not %q", rawURL)
		}
		if u.Path == "" {
			return nil, fmt.Errorf("a file archive needs a directory: file:///DIR")
		}
		return NewDir(u.Path)
	case "s3":
		if u.Host == "" {
			return nil, fmt.Errorf("an S3 archive is s3://BUCKET/PREFIX, not %q", rawURL)
		}
		return NewS3(ctx, u.Host, strings.Trim(u.Path, "/"), endpoint)
	}
	return nil, fmt.Errorf("an archive is file:///DIR or s3://BUCKET/PREFIX, not %q", rawURL)
}

// segment escapes a name as one path segment that is never "." or "..".
func segment(s string) string {
	e := url.PathEscape(s)
	if strings.HasPrefix(e, ".") {
		e = "%2E" + e[1:]
	}
	return e
}

func unsegment(s string) string {
	u, err := url.PathUnescape(s)
	if err != nil {
		return s
	}
	return u
}

// key is where a run is kept, relative to the archive's root.
func key(domain, workflowID, runID string) string {
	return segment(domain) + "/" + segment(workflowID) + "/" + segment(runID) + ".json"
}

// listPrefix is the part of the keys that a listing shares.
func listPrefix(p ListParams) string {
	prefix := segment(p.Domain) + "/"
	if p.WorkflowID != "" {
		prefix += segment(p.WorkflowID) + "/"
	}
	return prefix
}

// refOf reads a run's name back from its key below the domain's prefix.
func refOf(rel string) (Ref, bool) {
	wf, run, ok := strings.Cut(rel, "/")
	if !ok || strings.Contains(run, "/") || !strings.HasSuffix(run, ".json") {
		return Ref{}, false
	}
	return Ref{WorkflowID: unsegment(wf), RunID: unsegment(strings.TrimSuffix(run, ".json"))}, true
}

func check(r *Record) error {
	if r.ExecutionInfo == nil || r.ExecutionInfo.Execution == nil || r.ExecutionInfo.Execution.WorkflowId == nil || r.ExecutionInfo.Execution.RunId == nil {
		return errors.New("archive: a record names no execution")
	}
	return nil
}
