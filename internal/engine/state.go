package engine

import (
	"time"

	"github.com/openswf/openswf/internal/matching"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// retention is how long a domain keeps closed runs.
func retention(d *store.Domain) time.Duration {
	days, none, _ := swfapi.ParseDuration(d.Retention)
	if none {
		return 0
	}
	return time.Duration(days) * 24 * time.Hour
}

// unknownExecution is the answer to a call naming a run that does not exist
// or is not open, in Amazon SWF's words: the whole identity when a runId was
// given, the workflowId alone otherwise (clients such as simpleflow read the
// missing resource out of this message).
func unknownExecution(workflowID, runID string) error {
	if runID == "" {
		return fault(swfapi.CodeUnknownResourceFault, "Unknown execution, workflowId = %s", workflowID)
	}
	return fault(swfapi.CodeUnknownResourceFault, "Unknown execution: WorkflowExecution=[workflowId=%s, runId=%s]", workflowID, runID)
}

// wakeups is what to tell pollers and the timer loop once a transaction
// has committed.
type wakeups struct {
	tasks map[matching.Key]int
	// timers says timers were armed, and due when the earliest of them
	// falls due (zero when not known), for the timer loop to wake only if
	// it is before the timer it waits for.
	timers bool
	due    time.Time
	// observed is what was recorded, for Config.Observe.
	observed []Observation
}

func (w *wakeups) add(o wakeups) {
	for k, n := range o.tasks {
		if w.tasks == nil {
			w.tasks = map[matching.Key]int{}
		}
		w.tasks[k] += n
	}
	if o.timers {
		w.armed(o.due)
	}
	w.observed = append(w.observed, o.observed...)
}

// armed records a timer armed to fall due at due (zero: not known, which
// wakes the timer loop whatever it waits for).
func (w *wakeups) armed(due time.Time) {
	switch {
	case !w.timers:
		w.timers, w.due = true, due
	case w.due.IsZero():
	case due.IsZero() || due.Before(w.due):
		w.due = due
	}
}

// wake notifies, after a commit, the pollers of the task lists that got
// tasks and the timer loop if timers were armed. Of the tasks, only those
// for which no poller of this process was woken are announced to the
// others: a poller here takes the rest, and another process's poller woken
// for them would only find them gone.
func (e *Engine) wake(w wakeups) {
	var unclaimed map[matching.Key]int
	for k, n := range w.tasks {
		if left := e.matcher.Notify(k, n); left > 0 && e.announcer != nil {
			if unclaimed == nil {
				unclaimed = map[matching.Key]int{}
			}
			unclaimed[k] = left
		}
	}
	if w.timers && e.timerWake != nil {
		e.timerWake(w.due)
	}
	if e.announcer != nil {
		e.announcer.add(wakeups{tasks: unclaimed})
	}
	if e.cfg.Observe != nil {
		for _, o := range w.observed {
			e.cfg.Observe(o)
		}
	}
}
