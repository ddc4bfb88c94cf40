package archive

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

func record(domain, workflowID, runID string, events int) *Record {
	r := &Record{
		Domain: domain,
		ExecutionInfo: &swfapi.WorkflowExecutionInfo{
			Execution:       &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr(workflowID), RunId: swfapi.Ptr(runID)},
			WorkflowType:    &swfapi.WorkflowType{Name: swfapi.Ptr("t"), Version: swfapi.Ptr("1")},
			StartTimestamp:  swfapi.At(time.Unix(1700000000, 0)),
			ExecutionStatus: swfapi.ExecutionStatusClosed.Ptr(),
			CloseStatus:     swfapi.CloseStatusCompleted.Ptr(),
		},
		ArchivedAt: swfapi.At(time.Unix(1800000000, 123e6)),
	}
	for i := 1; i <= events; i++ {
		ev := swfapi.HistoryEvent{EventId: swfapi.Ptr(int64(i)), EventTimestamp: swfapi.At(time.Unix(1700000000+int64(i), 0))}
		ev.SetAttributes(&swfapi.WorkflowExecutionSignaledEventAttributes{SignalName: swfapi.Ptr("s" + strconv.Itoa(i))})
		r.Events = append(r.Events, ev)
	}
	return r
}

// testArchive checks what every archive must do.
func testArchive(t *testing.T, a Archive) {
	ctx := context.Background()
	if _, err := a.Get(ctx, "d", "w", "r"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of nothing: %v, want ErrNotFound", err)
	}
	// Names with characters that mean something in paths and URLs.
	runs := []*Record{
		record("d", "order/42", "run1", 3),
		record("d", "..", "run2", 1),
		record("d", "a b?c", "run3", 2),
		record("d", "a b?c", "run4", 1),
		record("other", "order/42", "run5", 1),
	}
	for _, r := range runs {
		if err := a.Put(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	// Putting again replaces.
	runs[0] = record("d", "order/42", "run1", 4)
	if err := a.Put(ctx, runs[0]); err != nil {
		t.Fatal(err)
	}
	for _, want := range runs {
		x := want.ExecutionInfo.Execution
		got, err := a.Get(ctx, want.Domain, *x.WorkflowId, *x.RunId)
		if err != nil {
			t.Fatalf("Get %s/%s: %v", *x.WorkflowId, *x.RunId, err)
		}
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		if string(gj) != string(wj) {
			t.Errorf("read back\n%s\nwant\n%s", gj, wj)
		}
	}

	var all []Ref
	after := ""
	for {
		refs, next, err := a.List(ctx, ListParams{Domain: "d", After: after, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, refs...)
		if next == "" {
			break
		}
		after = next
	}
	want := []Ref{{"..", "run2"}, {"a b?c", "run3"}, {"a b?c", "run4"}, {"order/42", "run1"}}
	if !slices.Equal(all, want) {
		t.Errorf("List in pages of 3 = %v, want %v", all, want)
	}
	refs, next, err := a.List(ctx, ListParams{Domain: "d", WorkflowID: "a b?c"})
	if err != nil || next != "" || !slices.Equal(refs, want[1:3]) {
		t.Errorf("List of one workflowId = %v %q %v, want %v", refs, next, err, want[1:3])
	}
	refs, _, err = a.List(ctx, ListParams{Domain: "none"})
	if err != nil || len(refs) != 0 {
		t.Errorf("List of an empty domain = %v %v", refs, err)
	}
}

func TestDirArchive(t *testing.T) {
	a, err := Open(context.Background(), "file://"+t.TempDir()+"/archive", "")
	if err != nil {
		t.Fatal(err)
	}
	testArchive(t, a)
}

func TestS3Archive(t *testing.T) {
	fake := newFakeS3(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	a, err := Open(context.Background(), "s3://bucket/some/prefix", fake.URL)
	if err != nil {
		t.Fatal(err)
	}
	testArchive(t, a)
	if !slices.Contains(fake.keys(), "some/prefix/d/order%2F42/run1.json") {
		t.Errorf("the objects are %q, want the run at some/prefix/d/order%%2F42/run1.json", fake.keys())
	}
}

func TestOpenRefuses(t *testing.T) {
	for _, u := range []string{"ftp://x/y", "file://host/dir", "s3:///prefix", "file://"} {
		if _, err := Open(context.Background(), u, ""); err == nil {
			t.Errorf("Open(%q) succeeded", u)
		}
	}
}

// fakeS3 is an in-process S3-compatible service of one bucket, speaking
// the calls the archive makes (PutObject, GetObject, ListObjectsV2,
// path-style) and refusing requests that are not SigV4-signed for s3.
type fakeS3 struct {
	*httptest.Server
	mu      sync.Mutex
	objects map[string][]byte
}

func newFakeS3(t *testing.T) *fakeS3 {
	f := &fakeS3{objects: map[string][]byte{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeS3) keys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var k []string
	for key := range f.objects {
		k = append(k, key)
	}
	slices.Sort(k)
	return k
}

func s3Error(w http.ResponseWriter, status int, code string) {
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message></Error>`, code, code)
}

func (f *fakeS3) serve(w http.ResponseWriter, r *http.Request) {
	if a := r.Header.Get("Authorization"); !strings.HasPrefix(a, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") || !strings.Contains(a, "/eu-west-1/s3/aws4_request") {
		s3Error(w, http.StatusForbidden, "AccessDenied")
		return
	}
	bucket, objKey, _ := strings.Cut(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	if bucket != "bucket" {
		s3Error(w, http.StatusNotFound, "NoSuchBucket")
		return
	}
	objKey, _ = url.PathUnescape(objKey)
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == http.MethodPut && objKey != "":
		body, _ := io.ReadAll(r.Body)
		f.objects[objKey] = body
		w.Header().Set("ETag", `"etag"`)
	case r.Method == http.MethodGet && objKey != "":
		body, ok := f.objects[objKey]
		if !ok {
			s3Error(w, http.StatusNotFound, "NoSuchKey")
			return
		}
		w.Write(body)
	case r.Method == http.MethodGet && r.URL.Query().Get("list-type") == "2":
		f.list(w, r.URL.Query())
	default:
		s3Error(w, http.StatusNotImplemented, "NotImplemented")
	}
}

type listResult struct {
	XMLName               xml.Name `xml:"ListBucketResult"`
	Name                  string
	Prefix                string
	KeyCount              int
	MaxKeys               int
	IsTruncated           bool
	NextContinuationToken string     `xml:",omitempty"`
	Contents              []listItem `xml:"Contents"`
}

type listItem struct{ Key string }

// list answers ListObjectsV2 in pages of max-keys (default 2, small to
// make the archive page).
func (f *fakeS3) list(w http.ResponseWriter, q url.Values) {
	prefix, after := q.Get("prefix"), q.Get("start-after")
	if tok := q.Get("continuation-token"); tok != "" {
		after = tok
	}
	max := 2
	if m, err := strconv.Atoi(q.Get("max-keys")); err == nil && m < max {
		max = m
	}
	res := listResult{Name: "bucket", Prefix: prefix, MaxKeys: max}
	keys := make([]string, 0, len(f.objects))
	for k := range f.objects {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !strings.HasPrefix(k, prefix) || k <= after {
			continue
		}
		if len(res.Contents) == max {
			res.IsTruncated = true
			res.NextContinuationToken = res.Contents[len(res.Contents)-1].Key
			break
		}
		res.Contents = append(res.Contents, listItem{Key: k})
	}
	res.KeyCount = len(res.Contents)
	w.Header().Set("Content-Type", "application/xml")
	xml.NewEncoder(w).Encode(res)
}
