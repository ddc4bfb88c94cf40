package metrics

import (
	"io"
	"slices"
	"strings"
)

// Sample is one series of a family read at scrape time: its label values
// (one per label name) and its value.
type Sample struct {
	Values []string
	Value  float64
}

// funcVec is a family of gauges or counters whose series a function gives
// at each scrape.
type funcVec struct {
	n, help, kind string
	labels        []string
	fn            func() []Sample
}

// NewGaugeVecFunc registers a gauge family whose series fn gives at each
// scrape: for values that live elsewhere (a database, the runtime), read
// when asked for rather than kept up to date.
func (r *Registry) NewGaugeVecFunc(name, help string, fn func() []Sample, labels ...string) {
	r.add(&funcVec{n: name, help: help, kind: "gauge", labels: labels, fn: fn})
}

// NewCounterFunc registers a counter whose value fn gives at each scrape
// (a total something else keeps, like the CPU time of the process).
func (r *Registry) NewCounterFunc(name, help string, fn func() float64) {
	r.add(&funcVec{n: name, help: help, kind: "counter", fn: func() []Sample { return []Sample{{Value: fn()}} }})
}

// NewInfo registers a gauge of value 1 whose labels say something about
// the process (its version, say): the "info" metric pattern.
func (r *Registry) NewInfo(name, help string, labels, values []string) {
	s := []Sample{{Values: slices.Clone(values), Value: 1}}
	r.add(&funcVec{n: name, help: help, kind: "gauge", labels: labels, fn: func() []Sample { return s }})
}

func (f *funcVec) name() string { return f.n }

func (f *funcVec) write(w io.Writer) {
	samples := f.fn()
	slices.SortFunc(samples, func(a, b Sample) int {
		return strings.Compare(strings.Join(a.Values, "\xff"), strings.Join(b.Values, "\xff"))
	})
	header(w, f.n, f.help, f.kind)
	for _, s := range samples {
		io.WriteString(w, f.n+labelText(f.labels, s.Values, "", "")+" "+formatFloat(s.Value)+"\n")
	}
}
