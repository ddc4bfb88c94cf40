package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// historyJSON serves a run's whole history as a file, in the shape
// `aws swf get-workflow-execution-history` prints: {"events": [...]},
// every page joined, indented by four spaces, timestamps as ISO 8601
// strings as the AWS CLI shows them (Python's isoformat, in UTC).
func (h *handler) historyJSON(w http.ResponseWriter, r *http.Request) {
	domain := r.PathValue("domain")
	q := r.URL.Query()
	wid, rid := q.Get("workflowId"), q.Get("runId")
	if wid == "" || rid == "" {
		h.fail(w, r, badRequest("A history's download needs its workflowId and runId: ?workflowId=…&runId=…."))
		return
	}
	in := &swfapi.GetWorkflowExecutionHistoryInput{Domain: &domain, Execution: &swfapi.WorkflowExecution{WorkflowId: &wid, RunId: &rid},
		MaximumPageSize: swfapi.Ptr(int32(1000))}
	var events []swfapi.HistoryEvent
	for {
		hist, err := call(r.Context(), in, h.svc.GetWorkflowExecutionHistory)
		if err != nil {
			h.fail(w, r, invalidAsNotFound(err, "There is no execution of workflowId %q and runId %q in domain %q", wid, rid, domain))
			return
		}
		events = append(events, hist.Events...)
		if swfapi.Deref(hist.NextPageToken) == "" {
			break
		}
		in.NextPageToken = hist.NextPageToken
	}
	h.writeHistory(w, r, wid, rid, events)
}

// writeHistory answers with a run's whole history as a file to download,
// in the shape `aws swf get-workflow-execution-history` prints.
func (h *handler) writeHistory(w http.ResponseWriter, r *http.Request, wid, rid string, history []swfapi.HistoryEvent) {
	events := make([]map[string]any, 0, len(history))
	for _, e := range history {
		m, err := cliEvent(e)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		events = append(events, m)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(map[string]any{"events": events}); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "history-"+safeFileName(wid)+"-"+safeFileName(rid)+".json"))
	w.Write(b.Bytes())
}

// cliEvent is an event as the AWS CLI prints it: its members in the API's
// JSON, the timestamp as an ISO 8601 string.
func cliEvent(e swfapi.HistoryEvent) (map[string]any, error) {
	raw := e.Raw
	if raw == nil {
		var err error
		if raw, err = json.Marshal(e); err != nil {
			return nil, err
		}
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("read event: %w", err)
	}
	if n, ok := m["eventTimestamp"].(json.Number); ok {
		var t swfapi.Timestamp
		if err := t.UnmarshalJSON([]byte(n)); err == nil {
			m["eventTimestamp"] = isoformat(t.Time)
		}
	}
	return m, nil
}

// isoformat writes t as Python's datetime.isoformat does for an aware
// time in UTC: microseconds only when there are any.
func isoformat(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02T15:04:05+00:00")
	}
	return t.Format("2006-01-02T15:04:05.000000+00:00")
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// safeFileName keeps a name to characters any file system takes.
func safeFileName(s string) string {
	s = unsafeFileChars.ReplaceAllString(s, "_")
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}
