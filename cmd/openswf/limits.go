package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/openswf/openswf/internal/engine"
)

// limitFields maps the names of --limits to the quota each sets.
var limitFields = map[string]func(l *engine.Limits, n int64){
	"domains":                func(l *engine.Limits, n int64) { l.Domains = int(n) },
	"types-per-domain":       func(l *engine.Limits, n int64) { l.TypesPerDomain = int(n) },
	"domain-tags":            func(l *engine.Limits, n int64) { l.DomainTags = int(n) },
	"open-executions":        func(l *engine.Limits, n int64) { l.OpenExecutions = int(n) },
	"pollers-per-task-list":  func(l *engine.Limits, n int64) { l.PollersPerTaskList = int(n) },
	"retention-days":         func(l *engine.Limits, n int64) { l.RetentionDays = int(n) },
	"open-activities":        func(l *engine.Limits, n int64) { l.Run.OpenActivities = int(n) },
	"open-timers":            func(l *engine.Limits, n int64) { l.Run.OpenTimers = int(n) },
	"open-children":          func(l *engine.Limits, n int64) { l.Run.OpenChildren = int(n) },
	"open-lambdas":           func(l *engine.Limits, n int64) { l.Run.OpenLambdas = int(n) },
	"history-events":         func(l *engine.Limits, n int64) { l.Run.HistoryEvents = n },
	"max-execution-seconds":  func(l *engine.Limits, n int64) { l.Run.MaxExecutionSeconds = n },
	"data-size":              func(l *engine.Limits, n int64) { l.Sizes.Data = n },
	"heartbeat-details-size": func(l *engine.Limits, n int64) { l.Sizes.LimitedData = n },
	"lambda-input-size":      func(l *engine.Limits, n int64) { l.Sizes.FunctionInput = n },
}

// maxRetentionDays is the longest retention --limits accepts: a century.
const maxRetentionDays = 36500

// parseLimits reads "name=value,name=value" into quotas; the ones not
// named keep Amazon SWF's values.
func parseLimits(s string) (engine.Limits, error) {
	var l engine.Limits
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		set, known := limitFields[strings.TrimSpace(name)]
		if !ok || !known {
			names := make([]string, 0, len(limitFields))
			for n := range limitFields {
				names = append(names, n)
			}
			sort.Strings(names)
			return l, fmt.Errorf("%q is not name=value with a name among %s", part, strings.Join(names, ", "))
		}
		n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
		if err != nil || n <= 0 {
			return l, fmt.Errorf("%s must be a positive whole number, not %q", name, value)
		}
		set(&l, n)
	}
	if l.RetentionDays > maxRetentionDays {
		// Longer would overflow the durations that timers are armed with.
		return l, fmt.Errorf("retention-days can be at most %d", maxRetentionDays)
	}
	return l, nil
}
