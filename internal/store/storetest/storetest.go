// Package storetest is the conformance suite of store.Store: every
// implementation runs it, so that SQLite and PostgreSQL behave alike.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// Run runs the suite; open must return a new, empty store for each call.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"DomainInsertGet", testDomainInsertGet},
		{"DomainList", testDomainList},
		{"DomainTags", testDomainTags},
		{"Types", testTypes},
		{"TypeList", testTypeList},
		{"TypeGetAhead", testTypeGetAhead},
		{"WriteRollsBack", testWriteRollsBack},
		{"Meta", testMeta},
		{"ExecutionInsertFind", testExecutionInsertFind},
		{"ExecutionDelete", testExecutionDelete},
		{"CountOpenInWrite", testCountOpenInWrite},
		{"StartLookup", testStartLookup},
		{"ExecutionList", testExecutionList},
		{"ExecutionListPaging", testExecutionListPaging},
		{"Events", testEvents},
		{"EventListAtCommit", testEventListAtCommit},
		{"Activities", testActivities},
		{"ActivitiesWithRun", testActivitiesWithRun},
		{"ActivityHeartbeat", testActivityHeartbeat},
		{"HeartbeatOutsideWrite", testHeartbeatOutsideWrite},
		{"Tasks", testTasks},
		{"ReadOne", testReadOne},
		{"TakeThenGetRun", testTakeThenGetRun},
		{"Timers", testTimers},
		{"DeleteAll", testDeleteAll},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 8_000_000, time.UTC)

func write(t *testing.T, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Write(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Read(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func insertDomain(t *testing.T, s store.Store, name, status string) int64 {
	t.Helper()
	var id int64
	write(t, s, func(tx store.Tx) error {
		var err error
		id, err = tx.DomainInsert(context.Background(), &store.Domain{Name: name, Status: status, Retention: "1", CreatedAt: t0})
		return err
	})
	return id
}

func testDomainInsertGet(t *testing.T, s store.Store) {
	ctx := context.Background()
	desc := "the description"
	write(t, s, func(tx store.Tx) error {
		_, err := tx.DomainInsert(ctx, &store.Domain{Name: "d1", Status: store.StatusRegistered, Description: &desc, Retention: "NONE", CreatedAt: t0})
		return err
	})
	err := s.Write(ctx, func(tx store.Tx) error {
		_, err := tx.DomainInsert(ctx, &store.Domain{Name: "d1", Status: store.StatusRegistered, Retention: "3", CreatedAt: t0})
		return err
	})
	if !errors.Is(err, store.ErrExists) {
		t.Fatalf("second insert: got %v, want ErrExists", err)
	}
	read(t, s, func(tx store.Tx) error {
		d, err := tx.DomainGetByName(ctx, "d1")
		if err != nil {
			return err
		}
		if d.Name != "d1" || d.Status != store.StatusRegistered || d.Description == nil || *d.Description != desc ||
			d.Retention != "NONE" || !d.CreatedAt.Equal(t0.Truncate(time.Millisecond)) || d.DeprecatedAt != nil || d.ID == 0 {
			return fmt.Errorf("got %+v", d)
		}
		if _, err := tx.DomainGetByName(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("missing domain: got %v, want ErrNotFound", err)
		}
		n, err := tx.DomainCount(ctx)
		if err != nil || n != 1 {
			return fmt.Errorf("count = %d, %v", n, err)
		}
		return nil
	})
	at := t0.Add(time.Hour)
	write(t, s, func(tx store.Tx) error {
		d, err := tx.DomainGetByName(ctx, "d1")
		if err != nil {
			return err
		}
		return tx.DomainSetStatus(ctx, d.ID, store.StatusChange{Status: store.StatusDeprecated, DeprecatedAt: &at})
	})
	read(t, s, func(tx store.Tx) error {
		d, err := tx.DomainGetByName(ctx, "d1")
		if err != nil {
			return err
		}
		if d.Status != store.StatusDeprecated || d.DeprecatedAt == nil || !d.DeprecatedAt.Equal(at.Truncate(time.Millisecond)) {
			return fmt.Errorf("after deprecation got %+v", d)
		}
		return nil
	})
}

func names(ds []*store.Domain) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Name)
	}
	return out
}

func testDomainList(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, n := range []string{"c", "a", "e", "b", "d"} {
		insertDomain(t, s, n, store.StatusRegistered)
	}
	insertDomain(t, s, "x-deprecated", store.StatusDeprecated)
	read(t, s, func(tx store.Tx) error {
		after := "b"
		cases := []struct {
			p    store.DomainListParams
			want []string
		}{
			{store.DomainListParams{Status: store.StatusRegistered, Limit: 10}, []string{"a", "b", "c", "d", "e"}},
			{store.DomainListParams{Status: store.StatusRegistered, Limit: 2}, []string{"a", "b"}},
			{store.DomainListParams{Status: store.StatusRegistered, After: &after, Limit: 2}, []string{"c", "d"}},
			{store.DomainListParams{Status: store.StatusRegistered, Reverse: true, Limit: 10}, []string{"e", "d", "c", "b", "a"}},
			{store.DomainListParams{Status: store.StatusRegistered, After: &after, Reverse: true, Limit: 10}, []string{"a"}},
			{store.DomainListParams{Status: store.StatusDeprecated, Limit: 10}, []string{"x-deprecated"}},
		}
		for _, c := range cases {
			got, err := tx.DomainList(ctx, c.p)
			if err != nil {
				return err
			}
			if !slices.Equal(names(got), c.want) {
				return fmt.Errorf("DomainList(%+v) = %v, want %v", c.p, names(got), c.want)
			}
		}
		return nil
	})
}

func testDomainTags(t *testing.T, s store.Store) {
	ctx := context.Background()
	id := insertDomain(t, s, "d", store.StatusRegistered)
	other := insertDomain(t, s, "other", store.StatusRegistered)
	write(t, s, func(tx store.Tx) error {
		if err := tx.DomainTagPut(ctx, other, []store.Tag{{Key: "k", Value: "elsewhere"}}); err != nil {
			return err
		}
		return tx.DomainTagPut(ctx, id, []store.Tag{{Key: "b", Value: "1"}, {Key: "a", Value: ""}})
	})
	write(t, s, func(tx store.Tx) error {
		if err := tx.DomainTagPut(ctx, id, []store.Tag{{Key: "b", Value: "2"}, {Key: "c", Value: "3"}}); err != nil {
			return err
		}
		return tx.DomainTagDelete(ctx, id, []string{"c", "never-there"})
	})
	read(t, s, func(tx store.Tx) error {
		got, err := tx.DomainTagList(ctx, id)
		if err != nil {
			return err
		}
		want := []store.Tag{{Key: "a", Value: ""}, {Key: "b", Value: "2"}}
		if !slices.Equal(got, want) {
			return fmt.Errorf("tags = %v, want %v", got, want)
		}
		return nil
	})
}

func testTypes(t *testing.T, s store.Store) {
	ctx := context.Background()
	id := insertDomain(t, s, "d", store.StatusRegistered)
	desc := "x"
	ty := &store.Type{DomainID: id, Kind: store.ActivityType, Name: "t", Version: "1", Status: store.StatusRegistered, Description: &desc, CreatedAt: t0, Config: []byte(`{"defaultTaskList":{"name":"l"}}`)}
	write(t, s, func(tx store.Tx) error { return tx.TypeInsert(ctx, ty) })
	// The same name and version as a workflow type is a different type.
	write(t, s, func(tx store.Tx) error {
		return tx.TypeInsert(ctx, &store.Type{DomainID: id, Kind: store.WorkflowType, Name: "t", Version: "1", Status: store.StatusRegistered, CreatedAt: t0, Config: []byte(`{}`)})
	})
	if err := s.Write(ctx, func(tx store.Tx) error { return tx.TypeInsert(ctx, ty) }); !errors.Is(err, store.ErrExists) {
		t.Fatalf("duplicate insert: got %v, want ErrExists", err)
	}
	key := store.TypeKey{DomainID: id, Kind: store.ActivityType, Name: "t", Version: "1"}
	read(t, s, func(tx store.Tx) error {
		got, err := tx.TypeGet(ctx, key)
		if err != nil {
			return err
		}
		if got.Name != "t" || got.Version != "1" || got.Kind != store.ActivityType || *got.Description != "x" ||
			string(got.Config) != string(ty.Config) || got.DeprecatedAt != nil {
			return fmt.Errorf("got %+v", got)
		}
		if n, err := tx.TypeCount(ctx, id, store.ActivityType); err != nil || n != 1 {
			return fmt.Errorf("count = %d, %v", n, err)
		}
		_, err = tx.TypeGet(ctx, store.TypeKey{DomainID: id, Kind: store.ActivityType, Name: "t", Version: "2"})
		if !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("missing type: %v", err)
		}
		return nil
	})
	at := t0.Add(time.Minute)
	write(t, s, func(tx store.Tx) error { return tx.TypeDeprecateAll(ctx, id, at) })
	read(t, s, func(tx store.Tx) error {
		for _, k := range []store.TypeKind{store.ActivityType, store.WorkflowType} {
			got, err := tx.TypeGet(ctx, store.TypeKey{DomainID: id, Kind: k, Name: "t", Version: "1"})
			if err != nil {
				return err
			}
			if got.Status != store.StatusDeprecated || got.DeprecatedAt == nil || !got.DeprecatedAt.Equal(at.Truncate(time.Millisecond)) {
				return fmt.Errorf("after DeprecateAll: %+v", got)
			}
		}
		return nil
	})
	write(t, s, func(tx store.Tx) error {
		return tx.TypeSetStatus(ctx, key, store.StatusChange{Status: store.StatusRegistered})
	})
	write(t, s, func(tx store.Tx) error { return tx.TypeDelete(ctx, key) })
	if err := s.Write(ctx, func(tx store.Tx) error { return tx.TypeDelete(ctx, key) }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func testTypeList(t *testing.T, s store.Store) {
	ctx := context.Background()
	id := insertDomain(t, s, "d", store.StatusRegistered)
	write(t, s, func(tx store.Tx) error {
		for _, nv := range [][2]string{{"b", "1"}, {"a", "2"}, {"a", "1"}, {"c", "1"}, {"b", "2"}} {
			if err := tx.TypeInsert(ctx, &store.Type{DomainID: id, Kind: store.WorkflowType, Name: nv[0], Version: nv[1], Status: store.StatusRegistered, CreatedAt: t0, Config: []byte("{}")}); err != nil {
				return err
			}
		}
		return tx.TypeInsert(ctx, &store.Type{DomainID: id, Kind: store.ActivityType, Name: "z", Version: "1", Status: store.StatusRegistered, CreatedAt: t0, Config: []byte("{}")})
	})
	key := func(ts []*store.Type) []string {
		var out []string
		for _, ty := range ts {
			out = append(out, ty.Name+ty.Version)
		}
		return out
	}
	read(t, s, func(tx store.Tx) error {
		a, b := "a", "b"
		cases := []struct {
			p    store.TypeListParams
			want []string
		}{
			{store.TypeListParams{Limit: 10}, []string{"a1", "a2", "b1", "b2", "c1"}},
			{store.TypeListParams{Limit: 10, Reverse: true}, []string{"c1", "b2", "b1", "a2", "a1"}},
			{store.TypeListParams{Limit: 2, AfterName: &a, AfterVersion: "2"}, []string{"b1", "b2"}},
			{store.TypeListParams{Limit: 10, AfterName: &b, AfterVersion: "1", Reverse: true}, []string{"a2", "a1"}},
			{store.TypeListParams{Limit: 10, Name: &b}, []string{"b1", "b2"}},
			{store.TypeListParams{Limit: 10, Name: &b, AfterName: &b, AfterVersion: "1"}, []string{"b2"}},
		}
		for _, c := range cases {
			c.p.DomainID, c.p.Kind, c.p.Status = id, store.WorkflowType, store.StatusRegistered
			got, err := tx.TypeList(ctx, c.p)
			if err != nil {
				return err
			}
			if !slices.Equal(key(got), c.want) {
				return fmt.Errorf("TypeList(%+v) = %v, want %v", c.p, key(got), c.want)
			}
		}
		return nil
	})
}

func testWriteRollsBack(t *testing.T, s store.Store) {
	ctx := context.Background()
	boom := errors.New("boom")
	err := s.Write(ctx, func(tx store.Tx) error {
		if _, err := tx.DomainInsert(ctx, &store.Domain{Name: "gone", Status: store.StatusRegistered, Retention: "1", CreatedAt: t0}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write returned %v, want the callback's error", err)
	}
	read(t, s, func(tx store.Tx) error {
		if _, err := tx.DomainGetByName(ctx, "gone"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("rolled-back domain is visible: %v", err)
		}
		return nil
	})
}

func testMeta(t *testing.T, s store.Store) {
	ctx := context.Background()
	read(t, s, func(tx store.Tx) error {
		if _, err := tx.MetaGet(ctx, "k"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("MetaGet of a missing key: %v", err)
		}
		return nil
	})
	write(t, s, func(tx store.Tx) error {
		v, err := tx.MetaPutIfAbsent(ctx, "k", []byte("first"))
		if err != nil || string(v) != "first" {
			return fmt.Errorf("first put: %q, %v", v, err)
		}
		v, err = tx.MetaPutIfAbsent(ctx, "k", []byte("second"))
		if err != nil || string(v) != "first" {
			return fmt.Errorf("second put: %q, %v (the first value must stay)", v, err)
		}
		return nil
	})
	write(t, s, func(tx store.Tx) error { return tx.MetaPut(ctx, "k", []byte("replaced")) })
	write(t, s, func(tx store.Tx) error { return tx.MetaPut(ctx, "new", []byte("put")) })
	read(t, s, func(tx store.Tx) error {
		for k, want := range map[string]string{"k": "replaced", "new": "put"} {
			if v, err := tx.MetaGet(ctx, k); err != nil || string(v) != want {
				return fmt.Errorf("MetaGet(%s) after MetaPut = %q, %v; want %q", k, v, err, want)
			}
		}
		return nil
	})
}

// testDeleteAll empties a store full of things, keeps its settings, and
// leaves it as usable as a new one.
func testDeleteAll(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	a := newRun(d, "a", "ra", t0)
	a.Tags = []string{"t"}
	insertRun(t, s, a)
	write(t, s, func(tx store.Tx) error {
		if err := tx.DomainTagPut(ctx, d, []store.Tag{{Key: "k", Value: "v"}}); err != nil {
			return err
		}
		if err := tx.TypeInsert(ctx, &store.Type{DomainID: d, Kind: store.WorkflowType, Name: "w", Version: "1", Status: store.StatusRegistered, CreatedAt: t0, Config: []byte(`{}`)}); err != nil {
			return err
		}
		if _, err := tx.MetaPutIfAbsent(ctx, "key", []byte("kept")); err != nil {
			return err
		}
		return fillRun(ctx, tx, a)
	})

	write(t, s, func(tx store.Tx) error { return tx.DeleteAll(ctx) })

	empty := "events [] activities [] (count 0) tasks [] timers []"
	if got := contentsOf(t, s, a); got != empty {
		t.Errorf("after DeleteAll, the run has %s", got)
	}
	read(t, s, func(tx store.Tx) error {
		if n, err := tx.DomainCount(ctx); err != nil || n != 0 {
			return fmt.Errorf("DomainCount after DeleteAll = %d, %v; want 0", n, err)
		}
		if _, err := tx.ExecutionGet(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("ExecutionGet after DeleteAll: %v, want ErrNotFound", err)
		}
		if got, err := tx.TimerNext(ctx); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("TimerNext after DeleteAll = %+v, %v; want ErrNotFound", got, err)
		}
		if v, err := tx.MetaGet(ctx, "key"); err != nil || string(v) != "kept" {
			return fmt.Errorf("MetaGet after DeleteAll = %q, %v; want the setting kept", v, err)
		}
		return nil
	})

	// The names are free again, and the new domain inherits nothing.
	d2 := insertDomain(t, s, "d", store.StatusRegistered)
	read(t, s, func(tx store.Tx) error {
		if tags, err := tx.DomainTagList(ctx, d2); err != nil || len(tags) != 0 {
			return fmt.Errorf("tags of a domain registered after DeleteAll: %v, %v", tags, err)
		}
		if n, err := tx.TypeCount(ctx, d2, store.WorkflowType); err != nil || n != 0 {
			return fmt.Errorf("types of a domain registered after DeleteAll: %d, %v", n, err)
		}
		if n, err := tx.ExecutionCountOpen(ctx, d2); err != nil || n != 0 {
			return fmt.Errorf("open runs of a domain registered after DeleteAll: %d, %v", n, err)
		}
		return nil
	})
	insertRun(t, s, newRun(d2, "a", "ra", t0))
}

func ptr[T any](v T) *T { return &v }

// ms is a time as the store keeps it: to the millisecond.
func ms(t time.Time) time.Time { return t.Truncate(time.Millisecond) }

func strPtrEqual(a, b *string) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func show[T any](p *T) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

// testTypeGetAhead: TypeGet after TypeGetAhead answers as without it,
// whatever came between: other statements, and changes of the types in
// the same write, before or after the statement that the reads ahead may
// go with.
func testTypeGetAhead(t *testing.T, s store.Store) {
	ctx := context.Background()
	id := insertDomain(t, s, "d", store.StatusRegistered)
	key := func(name string) store.TypeKey {
		return store.TypeKey{DomainID: id, Kind: store.ActivityType, Name: name, Version: "1"}
	}
	insert := func(tx store.Tx, name string) error {
		return tx.TypeInsert(ctx, &store.Type{DomainID: id, Kind: store.ActivityType, Name: name, Version: "1", Status: store.StatusRegistered, CreatedAt: t0, Config: []byte(`{"n":"` + name + `"}`)})
	}
	write(t, s, func(tx store.Tx) error { return insert(tx, "a") })
	// want checks TypeGet of a type: its status, or ErrNotFound for "".
	want := func(tx store.Tx, name, status string) error {
		got, err := tx.TypeGet(ctx, key(name))
		switch {
		case status == "" && !errors.Is(err, store.ErrNotFound):
			return fmt.Errorf("TypeGet(%s) = %+v, %v; want ErrNotFound", name, got, err)
		case status == "":
			return nil
		case err != nil:
			return fmt.Errorf("TypeGet(%s): %w", name, err)
		case got.Status != status || got.Name != name || string(got.Config) != `{"n":"`+name+`"}`:
			return fmt.Errorf("TypeGet(%s) = %+v (config %s), want status %s", name, got, got.Config, status)
		}
		return nil
	}
	other := func(tx store.Tx) error {
		_, err := tx.DomainGetByID(ctx, id)
		return err
	}
	deprecate := func(tx store.Tx, name string) error {
		return tx.TypeSetStatus(ctx, key(name), store.StatusChange{Status: store.StatusDeprecated, DeprecatedAt: &t0})
	}
	both := []store.TypeKey{key("a"), key("b")}
	read(t, s, func(tx store.Tx) error {
		tx.TypeGetAhead(ctx, both)
		if err := want(tx, "a", store.StatusRegistered); err != nil {
			return err
		}
		return want(tx, "b", "")
	})
	err := s.Write(ctx, func(tx store.Tx) error {
		tx.TypeGetAhead(ctx, both)
		if err := other(tx); err != nil {
			return err
		}
		for range 2 { // asked again, read again
			if err := want(tx, "a", store.StatusRegistered); err != nil {
				return err
			}
			if err := want(tx, "b", ""); err != nil {
				return err
			}
		}
		// Changed after the reads ahead went.
		tx.TypeGetAhead(ctx, both)
		if err := other(tx); err != nil {
			return err
		}
		if err := deprecate(tx, "a"); err != nil {
			return err
		}
		if err := insert(tx, "b"); err != nil {
			return err
		}
		if err := want(tx, "a", store.StatusDeprecated); err != nil {
			return err
		}
		if err := want(tx, "b", store.StatusRegistered); err != nil {
			return err
		}
		// Changed before they went.
		tx.TypeGetAhead(ctx, both)
		if err := deprecate(tx, "b"); err != nil {
			return err
		}
		if err := tx.TypeDelete(ctx, key("a")); err != nil {
			return err
		}
		if err := want(tx, "b", store.StatusDeprecated); err != nil {
			return err
		}
		if err := want(tx, "a", ""); err != nil {
			return err
		}
		return errors.New("roll back")
	})
	if err == nil || err.Error() != "roll back" {
		t.Fatal(err)
	}
	read(t, s, func(tx store.Tx) error {
		if err := want(tx, "a", store.StatusRegistered); err != nil {
			return err
		}
		return want(tx, "b", "")
	})
}
