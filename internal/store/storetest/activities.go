package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

func checkActivity(got, want *store.Activity) error {
	timeOK := (got.LastHeartbeat == nil) == (want.LastHeartbeat == nil) &&
		(got.LastHeartbeat == nil || got.LastHeartbeat.Equal(ms(*want.LastHeartbeat)))
	if got.ExecutionID != want.ExecutionID || got.ScheduledEventID != want.ScheduledEventID || got.ActivityID != want.ActivityID ||
		got.StartedEventID != want.StartedEventID || got.CancelRequested != want.CancelRequested ||
		!strPtrEqual(got.HeartbeatDetails, want.HeartbeatDetails) || !timeOK || string(got.Data) != string(want.Data) {
		return fmt.Errorf("activity %d: got %+v (details %s, heartbeat %s, data %s)\nwant %+v (details %s, heartbeat %s, data %s)",
			want.ScheduledEventID, got, show(got.HeartbeatDetails), show(got.LastHeartbeat), got.Data,
			want, show(want.HeartbeatDetails), show(want.LastHeartbeat), want.Data)
	}
	return nil
}

func checkActivities(ctx context.Context, tx store.Tx, executionID int64, want ...*store.Activity) error {
	got, err := tx.ActivityList(ctx, executionID)
	if err != nil {
		return err
	}
	if len(got) != len(want) {
		var ids []int64
		for _, a := range got {
			ids = append(ids, a.ScheduledEventID)
		}
		return fmt.Errorf("run %d has activities %v, want %d", executionID, ids, len(want))
	}
	for i := range got {
		if err := checkActivity(got[i], want[i]); err != nil {
			return err
		}
	}
	if n, err := tx.ActivityCount(ctx, executionID); err != nil || n != len(want) {
		return fmt.Errorf("ActivityCount(%d) = %d, %v; want %d", executionID, n, err, len(want))
	}
	return nil
}

func testActivities(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	a := insertRun(t, s, newRun(d, "a", "ra", t0))
	b := insertRun(t, s, newRun(d, "b", "rb", t0))
	hb := t0.Add(time.Second + 700*time.Microsecond)
	a9 := &store.Activity{ExecutionID: a, ScheduledEventID: 9, ActivityID: "nine", StartedEventID: 11, CancelRequested: true,
		HeartbeatDetails: ptr("half way"), LastHeartbeat: &hb, Data: []byte(`{"n":9}`)}
	a5 := &store.Activity{ExecutionID: a, ScheduledEventID: 5, ActivityID: "five", Data: []byte(`{"n":5}`)}
	a7 := &store.Activity{ExecutionID: a, ScheduledEventID: 7, ActivityID: "seven", StartedEventID: 8, Data: []byte(`{"n":7}`)}
	b5 := &store.Activity{ExecutionID: b, ScheduledEventID: 5, ActivityID: "b-five", Data: []byte(`{"b":5}`)}
	write(t, s, func(tx store.Tx) error {
		for _, act := range []*store.Activity{a9, a5, b5, a7} {
			if err := tx.ActivityPut(ctx, act); err != nil {
				return err
			}
		}
		return nil
	})
	read(t, s, func(tx store.Tx) error {
		if err := checkActivities(ctx, tx, a, a5, a7, a9); err != nil {
			return err
		}
		if err := checkActivities(ctx, tx, b, b5); err != nil {
			return err
		}
		return checkActivities(ctx, tx, a+b+100)
	})

	// Put replaces every column of an existing activity.
	a5 = &store.Activity{ExecutionID: a, ScheduledEventID: 5, ActivityID: "five-again", StartedEventID: 12, CancelRequested: true,
		HeartbeatDetails: ptr("d"), LastHeartbeat: ptr(t0.Add(time.Minute)), Data: []byte(`{"n":55}`)}
	a9 = &store.Activity{ExecutionID: a, ScheduledEventID: 9, ActivityID: "nine", StartedEventID: 11, Data: []byte(`{"n":99}`)}
	write(t, s, func(tx store.Tx) error {
		if err := tx.ActivityPut(ctx, a5); err != nil {
			return err
		}
		return tx.ActivityPut(ctx, a9)
	})
	read(t, s, func(tx store.Tx) error { return checkActivities(ctx, tx, a, a5, a7, a9) })

	write(t, s, func(tx store.Tx) error {
		if err := tx.ActivityDelete(ctx, a, 7); err != nil {
			return err
		}
		// Deleting what is not there is no error.
		if err := tx.ActivityDelete(ctx, a, 7); err != nil {
			return err
		}
		return tx.ActivityDelete(ctx, b, 9)
	})
	read(t, s, func(tx store.Tx) error {
		if err := checkActivities(ctx, tx, a, a5, a9); err != nil {
			return err
		}
		return checkActivities(ctx, tx, b, b5)
	})

	write(t, s, func(tx store.Tx) error { return tx.ActivityDeleteAll(ctx, a) })
	read(t, s, func(tx store.Tx) error {
		if err := checkActivities(ctx, tx, a); err != nil {
			return err
		}
		return checkActivities(ctx, tx, b, b5)
	})
	write(t, s, func(tx store.Tx) error { return tx.ActivityDeleteAll(ctx, a) })
}

func testActivityHeartbeat(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	a := insertRun(t, s, newRun(d, "a", "ra", t0))
	b := insertRun(t, s, newRun(d, "b", "rb", t0))
	unstarted := &store.Activity{ExecutionID: a, ScheduledEventID: 5, ActivityID: "unstarted", Data: []byte(`{"n":5}`)}
	started := &store.Activity{ExecutionID: a, ScheduledEventID: 7, ActivityID: "started", StartedEventID: 8, Data: []byte(`{"n":7}`)}
	canceled := &store.Activity{ExecutionID: a, ScheduledEventID: 9, ActivityID: "canceled", StartedEventID: 10, CancelRequested: true,
		HeartbeatDetails: ptr("old"), LastHeartbeat: ptr(t0), Data: []byte(`{"n":9}`)}
	write(t, s, func(tx store.Tx) error {
		for _, act := range []*store.Activity{unstarted, started, canceled} {
			if err := tx.ActivityPut(ctx, act); err != nil {
				return err
			}
		}
		return nil
	})

	// Heartbeats that match no started activity change nothing, even when
	// the transaction that tried them commits.
	checkHeartbeatsMiss(t, s,
		store.Heartbeat{ExecutionID: a, ScheduledEventID: 5, StartedEventID: 0},
		store.Heartbeat{ExecutionID: a, ScheduledEventID: 5, StartedEventID: 6},
		store.Heartbeat{ExecutionID: a, ScheduledEventID: 7, StartedEventID: 9},
		store.Heartbeat{ExecutionID: a, ScheduledEventID: 7, StartedEventID: 0},
		store.Heartbeat{ExecutionID: a, ScheduledEventID: 8, StartedEventID: 8},
		store.Heartbeat{ExecutionID: a, ScheduledEventID: 11, StartedEventID: 12},
		store.Heartbeat{ExecutionID: b, ScheduledEventID: 7, StartedEventID: 8},
	)
	read(t, s, func(tx store.Tx) error { return checkActivities(ctx, tx, a, unstarted, started, canceled) })

	at1 := t0.Add(time.Second + 400*time.Microsecond)
	write(t, s, func(tx store.Tx) error {
		return checkHeartbeat(ctx, tx, store.Heartbeat{ExecutionID: a, ScheduledEventID: 7, StartedEventID: 8, Details: ptr("10%"), At: at1},
			false, "heartbeat of the started activity")
	})
	started.HeartbeatDetails, started.LastHeartbeat = ptr("10%"), &at1
	read(t, s, func(tx store.Tx) error { return checkActivities(ctx, tx, a, unstarted, started, canceled) })

	// A heartbeat without details clears them; one of an activity whose
	// cancellation was requested says so.
	at2 := t0.Add(2 * time.Second)
	write(t, s, func(tx store.Tx) error {
		if err := checkHeartbeat(ctx, tx, store.Heartbeat{ExecutionID: a, ScheduledEventID: 7, StartedEventID: 8, At: at2},
			false, "second heartbeat of the started activity"); err != nil {
			return err
		}
		return checkHeartbeat(ctx, tx, store.Heartbeat{ExecutionID: a, ScheduledEventID: 9, StartedEventID: 10, At: at2},
			true, "heartbeat of the canceled activity")
	})
	started.HeartbeatDetails, started.LastHeartbeat = nil, &at2
	canceled.HeartbeatDetails, canceled.LastHeartbeat = nil, &at2
	read(t, s, func(tx store.Tx) error { return checkActivities(ctx, tx, a, unstarted, started, canceled) })

	// Once the cancellation is requested of the started one, its heartbeat
	// reports it; once it is started, so can the other.
	started.CancelRequested = true
	unstarted.StartedEventID = 13
	write(t, s, func(tx store.Tx) error {
		if err := tx.ActivityPut(ctx, started); err != nil {
			return err
		}
		return tx.ActivityPut(ctx, unstarted)
	})
	at3 := t0.Add(3 * time.Second)
	write(t, s, func(tx store.Tx) error {
		if err := checkHeartbeat(ctx, tx, store.Heartbeat{ExecutionID: a, ScheduledEventID: 7, StartedEventID: 8, Details: ptr("x"), At: at3},
			true, "heartbeat after the cancel request"); err != nil {
			return err
		}
		return checkHeartbeat(ctx, tx, store.Heartbeat{ExecutionID: a, ScheduledEventID: 5, StartedEventID: 13, Details: ptr("y"), At: at3},
			false, "heartbeat of the newly started activity")
	})
	started.HeartbeatDetails, started.LastHeartbeat = ptr("x"), &at3
	unstarted.HeartbeatDetails, unstarted.LastHeartbeat = ptr("y"), &at3
	read(t, s, func(tx store.Tx) error { return checkActivities(ctx, tx, a, unstarted, started, canceled) })

	// A deleted activity takes no heartbeat.
	write(t, s, func(tx store.Tx) error { return tx.ActivityDelete(ctx, a, 7) })
	err := s.Write(ctx, func(tx store.Tx) error {
		_, err := tx.ActivityHeartbeat(ctx, store.Heartbeat{ExecutionID: a, ScheduledEventID: 7, StartedEventID: 8, At: at3})
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("heartbeat of a deleted activity: %v, want ErrNotFound", err)
	}
}

// checkHeartbeat records h and checks that it reports the cancellation
// requested (wantCancel); what names the heartbeat in an error.
func checkHeartbeat(ctx context.Context, tx store.Tx, h store.Heartbeat, wantCancel bool, what string) error {
	c, err := tx.ActivityHeartbeat(ctx, h)
	if err != nil || c != wantCancel {
		return fmt.Errorf("%s = %v, %v; want %v, nil", what, c, err, wantCancel)
	}
	return nil
}

// checkHeartbeatsMiss checks that each heartbeat, which matches no started
// activity, is ErrNotFound (each in a write that commits).
func checkHeartbeatsMiss(t *testing.T, s store.Store, hs ...store.Heartbeat) {
	t.Helper()
	ctx := context.Background()
	for _, h := range hs {
		h.Details, h.At = ptr("bad"), t0.Add(time.Hour)
		write(t, s, func(tx store.Tx) error {
			if c, err := tx.ActivityHeartbeat(ctx, h); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("ActivityHeartbeat(%+v) = %v, %v; want ErrNotFound", h, c, err)
			}
			return nil
		})
	}
}

// testHeartbeatOutsideWrite: a store that records heartbeats on their own
// (store.Heartbeater) does what ActivityHeartbeat does in a write, and
// commits it.
func testHeartbeatOutsideWrite(t *testing.T, s store.Store) {
	hb, ok := s.(store.Heartbeater)
	if !ok {
		t.Skip("the store records heartbeats in writes only")
	}
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	a := insertRun(t, s, newRun(d, "a", "ra", t0))
	started := &store.Activity{ExecutionID: a, ScheduledEventID: 7, ActivityID: "started", StartedEventID: 8, Data: []byte(`{"n":7}`)}
	canceled := &store.Activity{ExecutionID: a, ScheduledEventID: 9, ActivityID: "canceled", StartedEventID: 10, CancelRequested: true, Data: []byte(`{"n":9}`)}
	unstarted := &store.Activity{ExecutionID: a, ScheduledEventID: 5, ActivityID: "unstarted", Data: []byte(`{"n":5}`)}
	write(t, s, func(tx store.Tx) error {
		for _, act := range []*store.Activity{started, canceled, unstarted} {
			if err := tx.ActivityPut(ctx, act); err != nil {
				return err
			}
		}
		return nil
	})
	for _, h := range []store.Heartbeat{
		{ExecutionID: a, ScheduledEventID: 5, StartedEventID: 0},
		{ExecutionID: a, ScheduledEventID: 7, StartedEventID: 9},
		{ExecutionID: a + 100, ScheduledEventID: 7, StartedEventID: 8},
	} {
		h.Details, h.At = ptr("bad"), t0.Add(time.Hour)
		if c, err := hb.ActivityHeartbeatNow(ctx, h); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("ActivityHeartbeatNow(%+v) = %v, %v; want ErrNotFound", h, c, err)
		}
	}
	at := t0.Add(time.Second + 300*time.Microsecond)
	if c, err := hb.ActivityHeartbeatNow(ctx, store.Heartbeat{ExecutionID: a, ScheduledEventID: 7, StartedEventID: 8, Details: ptr("half"), At: at}); err != nil || c {
		t.Fatalf("heartbeat of the started activity = %v, %v; want false, nil", c, err)
	}
	if c, err := hb.ActivityHeartbeatNow(ctx, store.Heartbeat{ExecutionID: a, ScheduledEventID: 9, StartedEventID: 10, At: at}); err != nil || !c {
		t.Fatalf("heartbeat of the canceled activity = %v, %v; want true, nil", c, err)
	}
	started.HeartbeatDetails, started.LastHeartbeat = ptr("half"), ptr(ms(at))
	canceled.LastHeartbeat = ptr(ms(at))
	read(t, s, func(tx store.Tx) error { return checkActivities(ctx, tx, a, unstarted, started, canceled) })
}

// testActivitiesWithRun: in a write, ActivityList after the run was read
// (by ExecutionGet, or with a task by TaskTake) returns the run's
// activities as they are, and what the write changed of them since (a
// store may read them with the run).
func testActivitiesWithRun(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	a := insertRun(t, s, newRun(d, "a", "ra", t0))
	empty := insertRun(t, s, newRun(d, "e", "re", t0))
	hb := t0.Add(time.Second)
	a3 := &store.Activity{ExecutionID: a, ScheduledEventID: 3, ActivityID: "three", StartedEventID: 4, HeartbeatDetails: ptr("d"), LastHeartbeat: &hb, Data: []byte(`{"n":3}`)}
	a9 := &store.Activity{ExecutionID: a, ScheduledEventID: 9, ActivityID: "nine", CancelRequested: true, Data: []byte(`{"n":9}`)}
	a5 := &store.Activity{ExecutionID: a, ScheduledEventID: 5, ActivityID: "five", Data: []byte(`{"n":5}`)}
	write(t, s, func(tx store.Tx) error {
		for _, act := range []*store.Activity{a9, a3} {
			if err := tx.ActivityPut(ctx, act); err != nil {
				return err
			}
		}
		return nil
	})
	k := store.TaskListKey{DomainID: d, Kind: "activity", TaskList: "L"}
	insertTasks(t, s, newTask(d, "activity", "L", 0, a, 9), newTask(d, "activity", "L", 0, empty, 1))
	for _, byTask := range []bool{false, true} {
		err := s.Write(ctx, func(tx store.Tx) error {
			for _, id := range []int64{a, empty} {
				if byTask {
					task, err := tx.TaskTake(ctx, k)
					if err != nil || task.ExecutionID != id {
						return fmt.Errorf("TaskTake = %+v, %v; want the task of run %d", task, err, id)
					}
				}
				if _, err := tx.ExecutionGet(ctx, id); err != nil {
					return err
				}
			}
			if err := checkActivities(ctx, tx, empty); err != nil {
				return err
			}
			if err := checkActivities(ctx, tx, a, a3, a9); err != nil {
				return err
			}
			// Changed in the write, after the run was read.
			if _, err := tx.ExecutionGet(ctx, a); err != nil {
				return err
			}
			if err := tx.ActivityPut(ctx, a5); err != nil {
				return err
			}
			if err := checkActivities(ctx, tx, a, a3, a5, a9); err != nil {
				return err
			}
			if _, err := tx.ExecutionGet(ctx, a); err != nil {
				return err
			}
			if err := tx.ActivityDelete(ctx, a, 5); err != nil {
				return err
			}
			if err := checkActivities(ctx, tx, a, a3, a9); err != nil {
				return err
			}
			if _, err := tx.ExecutionGet(ctx, a); err != nil {
				return err
			}
			if _, err := tx.ActivityHeartbeat(ctx, store.Heartbeat{ExecutionID: a, ScheduledEventID: 3, StartedEventID: 4, Details: ptr("later"), At: hb}); err != nil {
				return err
			}
			later := *a3
			later.HeartbeatDetails = ptr("later")
			if err := checkActivities(ctx, tx, a, &later, a9); err != nil {
				return err
			}
			if _, err := tx.ExecutionGet(ctx, a); err != nil {
				return err
			}
			if err := tx.ActivityDeleteAll(ctx, a); err != nil {
				return err
			}
			if err := checkActivities(ctx, tx, a); err != nil {
				return err
			}
			return errors.New("roll back")
		})
		if err == nil || err.Error() != "roll back" {
			t.Fatalf("byTask=%v: %v", byTask, err)
		}
	}
}
