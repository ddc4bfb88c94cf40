package storetest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

func runIDs(es []*store.Execution) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.RunID)
	}
	return out
}

func testExecutionList(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	other := insertDomain(t, s, "other", store.StatusRegistered)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	run := func(wf, run, typ, ver string, start int, tags ...string) *store.Execution {
		e := newRun(d, wf, run, at(start))
		e.TypeName, e.TypeVersion, e.Tags = typ, ver, tags
		return e
	}
	for _, e := range []*store.Execution{
		closeRun(run("w1", "r5", "A", "1", 0), "FAILED", at(8)),
		run("w1", "r1", "A", "1", 1, "red"),
		run("w2", "r2", "A", "2", 2, "blue"),
		run("w3", "r3", "B", "1", 3, "red", "blue"),
		closeRun(run("w4", "r4", "A", "1", 4), "COMPLETED", at(10)),
		closeRun(run("w5", "r6", "B", "1", 5, "red"), "COMPLETED", at(9)),
		// Runs that no listing of d shows.
		{DomainID: other, WorkflowID: "w1", RunID: "x1", TypeName: "A", TypeVersion: "1", Open: true, StartedAt: at(2), Tags: []string{"red"}, State: []byte("{}")},
		closeRun(&store.Execution{DomainID: other, WorkflowID: "w4", RunID: "x2", TypeName: "A", TypeVersion: "1", StartedAt: at(4), Tags: []string{"red"}, State: []byte("{}")}, "COMPLETED", at(9)),
	} {
		insertRun(t, s, e)
	}
	// The boundaries are given with sub-millisecond parts, which the store
	// drops as it does from the times it keeps.
	bound := func(min int) *time.Time { return ptr(at(min).Add(300 * time.Microsecond)) }
	cases := []struct {
		p    store.ExecutionListParams
		want []string
	}{
		// Open runs, newest first by start time.
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true}}, []string{"r3", "r2", "r1"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true}, Reverse: true}, []string{"r1", "r2", "r3"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, StartedFrom: bound(2)}}, []string{"r3", "r2"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, StartedTo: bound(2)}}, []string{"r2", "r1"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, StartedFrom: bound(2), StartedTo: bound(2)}}, []string{"r2"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, StartedFrom: bound(4)}}, []string{}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, TypeName: ptr("A")}}, []string{"r2", "r1"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, TypeName: ptr("A"), TypeVersion: ptr("1")}}, []string{"r1"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, TypeVersion: ptr("1")}}, []string{"r3", "r1"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, TypeName: ptr("C")}}, []string{}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, Tag: ptr("red")}}, []string{"r3", "r1"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, Tag: ptr("blue")}}, []string{"r3", "r2"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, Tag: ptr("re")}}, []string{}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, WorkflowID: ptr("w1")}}, []string{"r1"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, WorkflowID: ptr("w4")}}, []string{}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, Tag: ptr("red"), TypeName: ptr("A")}}, []string{"r1"}},
		// Closed runs, by start time.
		{store.ExecutionListParams{}, []string{"r6", "r4", "r5"}},
		{store.ExecutionListParams{Reverse: true}, []string{"r5", "r4", "r6"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{StartedFrom: bound(4)}}, []string{"r6", "r4"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{StartedTo: bound(4)}}, []string{"r4", "r5"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{ClosedFrom: bound(9)}}, []string{"r6", "r4"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{CloseStatus: ptr("COMPLETED")}}, []string{"r6", "r4"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{CloseStatus: ptr("FAILED")}}, []string{"r5"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{CloseStatus: ptr("TIMED_OUT")}}, []string{}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{WorkflowID: ptr("w1")}}, []string{"r5"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Tag: ptr("red")}}, []string{"r6"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{TypeName: ptr("A"), CloseStatus: ptr("COMPLETED")}}, []string{"r4"}},
		// Closed runs, by close time.
		{store.ExecutionListParams{ByCloseTime: true}, []string{"r4", "r6", "r5"}},
		{store.ExecutionListParams{ByCloseTime: true, Reverse: true}, []string{"r5", "r6", "r4"}},
		{store.ExecutionListParams{ByCloseTime: true, ExecutionFilter: store.ExecutionFilter{ClosedFrom: bound(9)}}, []string{"r4", "r6"}},
		{store.ExecutionListParams{ByCloseTime: true, ExecutionFilter: store.ExecutionFilter{ClosedTo: bound(9)}}, []string{"r6", "r5"}},
		{store.ExecutionListParams{ByCloseTime: true, ExecutionFilter: store.ExecutionFilter{ClosedFrom: bound(9), ClosedTo: bound(9)}}, []string{"r6"}},
		{store.ExecutionListParams{ByCloseTime: true, ExecutionFilter: store.ExecutionFilter{ClosedFrom: bound(11)}}, []string{}},
		{store.ExecutionListParams{ByCloseTime: true, ExecutionFilter: store.ExecutionFilter{StartedFrom: bound(4), ClosedTo: bound(9)}}, []string{"r6"}},
	}
	read(t, s, func(tx store.Tx) error {
		for _, c := range cases {
			c.p.DomainID = d
			if err := checkListing(ctx, tx, c.p, c.want); err != nil {
				return err
			}
		}
		// Listed runs carry all their columns.
		got, err := tx.ExecutionList(ctx, store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{DomainID: d, WorkflowID: ptr("w5")}, Limit: 10})
		if err != nil {
			return err
		}
		if len(got) != 1 {
			return fmt.Errorf("listing w5: %v", runIDs(got))
		}
		want := closeRun(run("w5", "r6", "B", "1", 5, "red"), "COMPLETED", at(9))
		want.ID = got[0].ID
		if err := checkRun(got[0], want); err != nil {
			return fmt.Errorf("listed run: %w", err)
		}
		for _, open := range []bool{true, false} {
			if n, err := tx.ExecutionCount(ctx, store.ExecutionFilter{DomainID: other, Open: open}); err != nil || n != 1 {
				return fmt.Errorf("ExecutionCount of the other domain (open %v) = %d, %v; want 1", open, n, err)
			}
		}
		return nil
	})
}

// checkListing checks that the runs p lists are want (by runId), that
// ExecutionCount counts as many, and that a limit cuts the listing short.
func checkListing(ctx context.Context, tx store.Tx, p store.ExecutionListParams, want []string) error {
	n, err := tx.ExecutionCount(ctx, p.ExecutionFilter)
	if err != nil {
		return err
	}
	if n != len(want) {
		return fmt.Errorf("ExecutionCount(%+v) = %d, want %d", p.ExecutionFilter, n, len(want))
	}
	p.Limit = 100
	got, err := tx.ExecutionList(ctx, p)
	if err != nil {
		return err
	}
	if !slices.Equal(runIDs(got), want) {
		return fmt.Errorf("ExecutionList(%+v) = %v, want %v", p, runIDs(got), want)
	}
	p.Limit = 1
	got, err = tx.ExecutionList(ctx, p)
	if err != nil {
		return err
	}
	if want := want[:min(1, len(want))]; !slices.Equal(runIDs(got), want) {
		return fmt.Errorf("ExecutionList(%+v) = %v, want %v", p, runIDs(got), want)
	}
	return nil
}

// testExecutionListPaging pages through runs, many of which share start or
// close times.
func testExecutionListPaging(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	other := insertDomain(t, s, "other", store.StatusRegistered)
	at := func(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }
	// Start (and, for closed runs, close) seconds, in insertion order: the
	// ids do not follow the times.
	open := [][2]int{{3, 0}, {1, 0}, {2, 0}, {3, 0}, {2, 0}, {5, 0}, {2, 0}, {3, 0}, {0, 0}}
	closed := [][2]int{{4, 20}, {1, 21}, {4, 20}, {2, 22}, {4, 20}, {1, 19}, {3, 21}, {0, 20}}
	var runs []*store.Execution
	for i, tm := range append(open, closed...) {
		// Sub-millisecond parts differ between runs of the same millisecond.
		e := newRun(d, "w"+strconv.Itoa(i), "r"+strconv.Itoa(i), at(tm[0]).Add(time.Duration(i)*time.Microsecond))
		if i >= len(open) {
			closeRun(e, "COMPLETED", at(tm[1]).Add(time.Duration(i)*time.Microsecond))
		}
		runs = append(runs, e)
		insertRun(t, s, e)
		// Noise in another domain, with the same times.
		x := *e
		x.DomainID, x.WorkflowID = other, "x"+e.WorkflowID
		insertRun(t, s, &x)
	}
	for _, c := range []struct {
		open, byClose, reverse bool
	}{
		{true, false, false}, {true, false, true},
		{false, false, false}, {false, false, true},
		{false, true, false}, {false, true, true},
	} {
		want := listingOrder(runs, c.open, c.byClose, c.reverse)
		for _, limit := range []int{1, 2, 3, len(want), len(want) + 1} {
			p := store.ExecutionListParams{
				ExecutionFilter: store.ExecutionFilter{DomainID: d, Open: c.open},
				ByCloseTime:     c.byClose, Reverse: c.reverse, Limit: limit,
			}
			var got []int64
			read(t, s, func(tx store.Tx) error {
				var err error
				got, err = pageThrough(ctx, tx, p, len(want)+1)
				return err
			})
			if !slices.Equal(got, want) {
				t.Errorf("open %v, by close time %v, reverse %v, limit %d: paged through %v, want %v", c.open, c.byClose, c.reverse, limit, got, want)
			}
		}
	}
	// A page can start after a run that is not listed, such as a deleted
	// one: AfterTime and AfterID are only a position.
	read(t, s, func(tx store.Tx) error {
		got, err := tx.ExecutionList(ctx, store.ExecutionListParams{
			ExecutionFilter: store.ExecutionFilter{DomainID: d, Open: true},
			AfterTime:       ptr(ms(at(3))), AfterID: 0, Limit: 100,
		})
		if err != nil {
			return err
		}
		for _, e := range got {
			if !e.StartedAt.Before(ms(at(3))) {
				return fmt.Errorf("after (%v, 0) listed run started at %v", ms(at(3)), e.StartedAt)
			}
		}
		if len(got) != 5 {
			return fmt.Errorf("after (%v, 0) listed %v, want the 5 runs started before", ms(at(3)), runIDs(got))
		}
		return nil
	})
}

// listingOrder is the ids of the runs, open or closed, in the order a
// listing shows them: by time (start, or close) then id, newest first
// unless reverse.
func listingOrder(runs []*store.Execution, open, byClose, reverse bool) []int64 {
	type key struct {
		t  time.Time
		id int64
	}
	var keys []key
	for _, e := range runs {
		if e.Open != open {
			continue
		}
		k := key{ms(e.StartedAt), e.ID}
		if byClose {
			k.t = ms(*e.ClosedAt)
		}
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		r := a.t.Compare(b.t)
		if r == 0 {
			r = int(a.id - b.id)
		}
		if !reverse {
			r = -r
		}
		return r
	})
	var ids []int64
	for _, k := range keys {
		ids = append(ids, k.id)
	}
	return ids
}

// pageThrough lists the runs p lists, page by page (each of p.Limit runs
// at most, the next after the last of the one before), and returns their
// ids; more than maxPages pages is an error.
func pageThrough(ctx context.Context, tx store.Tx, p store.ExecutionListParams, maxPages int) ([]int64, error) {
	var got []int64
	for pages := 0; ; pages++ {
		if pages > maxPages {
			return got, fmt.Errorf("paging does not end: %v", got)
		}
		page, err := tx.ExecutionList(ctx, p)
		if err != nil {
			return got, err
		}
		if len(page) > p.Limit {
			return got, fmt.Errorf("page of %d runs with limit %d", len(page), p.Limit)
		}
		for _, e := range page {
			got = append(got, e.ID)
		}
		if len(page) < p.Limit {
			return got, nil
		}
		last := page[len(page)-1]
		p.AfterTime, p.AfterID = &last.StartedAt, last.ID
		if p.ByCloseTime {
			p.AfterTime = last.ClosedAt
		}
	}
}
