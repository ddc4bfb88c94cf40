// Package metrics keeps the server's counters and histograms and writes
// them in Prometheus's text exposition format (version 0.0.4), so that
// operators can scrape /metrics with Prometheus or anything that reads it.
// It is small on purpose: the few kinds of metric the server needs, on a
// registry of its own, without a dependency.
package metrics

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Registry holds metrics and writes them out.
type Registry struct {
	mu      sync.Mutex
	metrics []metric
}

type metric interface {
	name() string
	write(w io.Writer)
}

func (r *Registry) add(m metric) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range r.metrics {
		if o.name() == m.name() {
			panic("metrics: " + m.name() + " registered twice")
		}
	}
	r.metrics = append(r.metrics, m)
}

// WriteText writes every metric, in the order registered, in Prometheus's
// text format.
func (r *Registry) WriteText(w io.Writer) {
	r.mu.Lock()
	ms := slices.Clone(r.metrics)
	r.mu.Unlock()
	for _, m := range ms {
		m.write(w)
	}
}

// ContentType is the media type of WriteText's output.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

func header(w io.Writer, name, help, kind string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, escapeHelp(help), name, kind)
}

// family is the series of a metric, one per set of label values.
type family[S any] struct {
	mu     sync.RWMutex
	series map[string]*S
	// fresh makes the series of a set of label values.
	fresh func(values []string) *S
}

func newFamily[S any](fresh func(values []string) *S) family[S] {
	return family[S]{series: map[string]*S{}, fresh: fresh}
}

// get returns the series of the label values, made on first use.
func (f *family[S]) get(values []string) *S {
	key := strings.Join(values, "\xff")
	f.mu.RLock()
	s, ok := f.series[key]
	f.mu.RUnlock()
	if ok {
		return s
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok = f.series[key]; !ok {
		s = f.fresh(slices.Clone(values))
		f.series[key] = s
	}
	return s
}

// each calls fn with every series, in the order of their label values.
func (f *family[S]) each(fn func(*S)) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	keys := make([]string, 0, len(f.series))
	for k := range f.series {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fn(f.series[k])
	}
}

// CounterVec is a family of counters told apart by label values.
type CounterVec struct {
	n, help string
	labels  []string
	family[series]
}

type series struct {
	values []string
	count  atomic.Uint64
}

// NewCounterVec registers a counter family with these label names.
func (r *Registry) NewCounterVec(name, help string, labels ...string) *CounterVec {
	c := &CounterVec{n: name, help: help, labels: labels, family: newFamily(func(v []string) *series { return &series{values: v} })}
	r.add(c)
	return c
}

func (c *CounterVec) name() string { return c.n }

// Inc adds one to the counter of the label values (one per label name).
func (c *CounterVec) Inc(values ...string) {
	c.get(values).count.Add(1)
}

func (c *CounterVec) write(w io.Writer) {
	header(w, c.n, c.help, "counter")
	c.each(func(s *series) {
		fmt.Fprintf(w, "%s%s %d\n", c.n, labelText(c.labels, s.values, "", ""), s.count.Load())
	})
}

// HistogramVec is a family of histograms told apart by label values.
type HistogramVec struct {
	n, help string
	labels  []string
	bounds  []float64
	family[histogram]
}

type histogram struct {
	values  []string
	mu      sync.Mutex
	buckets []uint64 // per bound, not cumulative
	count   uint64
	sum     float64
}

// NewHistogramVec registers a histogram family with these upper bounds
// (ascending) and label names.
func (r *Registry) NewHistogramVec(name, help string, bounds []float64, labels ...string) *HistogramVec {
	if !slices.IsSorted(bounds) {
		panic("metrics: " + name + ": bounds must ascend")
	}
	h := &HistogramVec{n: name, help: help, labels: labels, bounds: bounds, family: newFamily(func(v []string) *histogram {
		return &histogram{values: v, buckets: make([]uint64, len(bounds))}
	})}
	r.add(h)
	return h
}

func (h *HistogramVec) name() string { return h.n }

// Observe adds an observation to the histogram of the label values.
func (h *HistogramVec) Observe(v float64, values ...string) {
	s := h.get(values)
	i, _ := slices.BinarySearch(h.bounds, v)
	s.mu.Lock()
	if i < len(s.buckets) {
		s.buckets[i]++
	}
	s.count++
	s.sum += v
	s.mu.Unlock()
}

func (h *HistogramVec) write(w io.Writer) {
	header(w, h.n, h.help, "histogram")
	h.each(func(s *histogram) {
		s.mu.Lock()
		var cum uint64
		for i, b := range h.bounds {
			cum += s.buckets[i]
			fmt.Fprintf(w, "%s_bucket%s %d\n", h.n, labelText(h.labels, s.values, "le", formatFloat(b)), cum)
		}
		fmt.Fprintf(w, "%s_bucket%s %d\n", h.n, labelText(h.labels, s.values, "le", "+Inf"), s.count)
		fmt.Fprintf(w, "%s_sum%s %s\n", h.n, labelText(h.labels, s.values, "", ""), formatFloat(s.sum))
		fmt.Fprintf(w, "%s_count%s %d\n", h.n, labelText(h.labels, s.values, "", ""), s.count)
		s.mu.Unlock()
	})
}

// gaugeFunc is a gauge read when the metrics are written.
type gaugeFunc struct {
	n, help string
	fn      func() float64
}

// NewGaugeFunc registers a gauge whose value fn gives at each scrape.
func (r *Registry) NewGaugeFunc(name, help string, fn func() float64) {
	r.add(&gaugeFunc{n: name, help: help, fn: fn})
}

func (g *gaugeFunc) name() string { return g.n }

func (g *gaugeFunc) write(w io.Writer) {
	header(w, g.n, g.help, "gauge")
	fmt.Fprintf(w, "%s %s\n", g.n, formatFloat(g.fn()))
}

// labelText is {a="x",b="y"} for the label names and values, with an extra
// label when extraName is set; empty without labels.
func labelText(names, values []string, extraName, extraValue string) string {
	if len(names) == 0 && extraName == "" {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		v := ""
		if i < len(values) {
			v = values[i]
		}
		b.WriteString(n + `="` + escapeLabel(v) + `"`)
	}
	if extraName != "" {
		if len(names) > 0 {
			b.WriteByte(',')
		}
		b.WriteString(extraName + `="` + extraValue + `"`)
	}
	b.WriteByte('}')
	return b.String()
}

func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func escapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
