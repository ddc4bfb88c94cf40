package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/openswf/openswf/internal/store"
)

func eventIDs(es []store.Event) []int64 {
	out := []int64{}
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func seq(from, to int64) []int64 {
	out := []int64{}
	if from <= to {
		for i := from; i <= to; i++ {
			out = append(out, i)
		}
	} else {
		for i := from; i >= to; i-- {
			out = append(out, i)
		}
	}
	return out
}

func testEvents(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	a := insertRun(t, s, newRun(d, "a", "ra", t0))
	b := insertRun(t, s, newRun(d, "b", "rb", t0))
	data := func(run string, id int64) []byte { return []byte(fmt.Sprintf(`{"run":%q,"eventId":%d}`, run, id)) }
	events := func(run string, from, to int64) []store.Event {
		var out []store.Event
		for i := from; i <= to; i++ {
			out = append(out, store.Event{ID: i, Data: data(run, i)})
		}
		return out
	}
	write(t, s, func(tx store.Tx) error {
		if err := tx.EventInsert(ctx, a, events("a", 1, 6)); err != nil {
			return err
		}
		return tx.EventInsert(ctx, b, events("b", 1, 3))
	})
	// Appending in a later transaction.
	write(t, s, func(tx store.Tx) error { return tx.EventInsert(ctx, a, events("a", 7, 10)) })

	cases := []struct {
		p    store.EventListParams
		want []int64
	}{
		{store.EventListParams{Limit: 100}, seq(1, 10)},
		{store.EventListParams{Limit: 4}, seq(1, 4)},
		{store.EventListParams{After: 4, Limit: 4}, seq(5, 8)},
		{store.EventListParams{After: 8, Limit: 4}, seq(9, 10)},
		{store.EventListParams{After: 10, Limit: 4}, []int64{}},
		{store.EventListParams{Upto: 6, Limit: 100}, seq(1, 6)},
		{store.EventListParams{Upto: 6, After: 4, Limit: 100}, seq(5, 6)},
		{store.EventListParams{Upto: 6, After: 4, Limit: 1}, seq(5, 5)},
		{store.EventListParams{Upto: 6, After: 6, Limit: 100}, []int64{}},
		{store.EventListParams{Upto: 20, Limit: 100}, seq(1, 10)},
		{store.EventListParams{Reverse: true, Limit: 100}, seq(10, 1)},
		{store.EventListParams{Reverse: true, Limit: 4}, seq(10, 7)},
		{store.EventListParams{Reverse: true, After: 7, Limit: 4}, seq(6, 3)},
		{store.EventListParams{Reverse: true, After: 3, Limit: 4}, seq(2, 1)},
		{store.EventListParams{Reverse: true, After: 1, Limit: 4}, []int64{}},
		{store.EventListParams{Reverse: true, Upto: 6, Limit: 3}, seq(6, 4)},
		{store.EventListParams{Reverse: true, Upto: 6, After: 4, Limit: 100}, seq(3, 1)},
	}
	read(t, s, func(tx store.Tx) error {
		for _, c := range cases {
			c.p.ExecutionID = a
			got, err := tx.EventList(ctx, c.p)
			if err != nil {
				return err
			}
			if !slices.Equal(eventIDs(got), c.want) {
				return fmt.Errorf("EventList(%+v) = %v, want %v", c.p, eventIDs(got), c.want)
			}
			for _, e := range got {
				if string(e.Data) != string(data("a", e.ID)) {
					return fmt.Errorf("event %d has data %s", e.ID, e.Data)
				}
			}
		}
		got, err := tx.EventList(ctx, store.EventListParams{ExecutionID: b, Limit: 100})
		if err != nil {
			return err
		}
		if !slices.Equal(eventIDs(got), seq(1, 3)) || string(got[2].Data) != string(data("b", 3)) {
			return fmt.Errorf("history of run b: %v", got)
		}
		if got, err := tx.EventList(ctx, store.EventListParams{ExecutionID: a + b + 100, Limit: 100}); err != nil || len(got) != 0 {
			return fmt.Errorf("history of a missing run: %v, %v", got, err)
		}
		return nil
	})
}

// testEventListAtCommit: the page EventListAtCommit asks for in a write is
// the history as the write left it, what it added after asking included;
// in a read, the history the read saw.
func testEventListAtCommit(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	a := insertRun(t, s, newRun(d, "a", "ra", t0))
	event := func(id int64) store.Event {
		return store.Event{ID: id, Data: []byte(fmt.Sprintf(`{"eventId":%d}`, id))}
	}
	write(t, s, func(tx store.Tx) error { return tx.EventInsert(ctx, a, []store.Event{event(1), event(2)}) })
	check := func(page func() ([]store.Event, error), want []int64) {
		t.Helper()
		got, err := page()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(eventIDs(got), want) {
			t.Fatalf("page %v, want %v", eventIDs(got), want)
		}
		for _, e := range got {
			if string(e.Data) != string(event(e.ID).Data) {
				t.Fatalf("event %d: %s", e.ID, e.Data)
			}
		}
	}
	var first, second, backwards func() ([]store.Event, error)
	write(t, s, func(tx store.Tx) error {
		first = tx.EventListAtCommit(ctx, store.EventListParams{ExecutionID: a, Upto: 4, Limit: 10})
		second = tx.EventListAtCommit(ctx, store.EventListParams{ExecutionID: a, After: 1, Limit: 2})
		backwards = tx.EventListAtCommit(ctx, store.EventListParams{ExecutionID: a, Reverse: true, Limit: 3})
		return tx.EventInsert(ctx, a, []store.Event{event(3), event(4), event(5)})
	})
	check(first, seq(1, 4))
	check(second, seq(2, 3))
	check(backwards, seq(5, 3))
	var seen func() ([]store.Event, error)
	read(t, s, func(tx store.Tx) error {
		seen = tx.EventListAtCommit(ctx, store.EventListParams{ExecutionID: a, Limit: 100})
		return nil
	})
	check(seen, seq(1, 5))
}
