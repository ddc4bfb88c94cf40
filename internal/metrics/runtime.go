package metrics

import (
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// startTime is when the process started, near enough: when this package
// was initialized.
var startTime = time.Now()

// RegisterRuntime registers the standard metrics of a Go process, under
// the names and types Prometheus's Go client gives them, so that
// dashboards made for any Go service work: go_info, go_goroutines,
// go_threads, the go_memstats_* that matter, go_gc_cycles_total, and,
// where /proc exists (Linux), process_cpu_seconds_total,
// process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds and process_start_time_seconds.
func (r *Registry) RegisterRuntime() {
	r.NewInfo("go_info", "Information about the Go environment.", []string{"version"}, []string{runtime.Version()})
	r.NewGaugeFunc("go_goroutines", "Number of goroutines that currently exist.", func() float64 { return float64(runtime.NumGoroutine()) })
	r.NewGaugeFunc("go_threads", "Number of OS threads created.", func() float64 {
		n, _ := runtime.ThreadCreateProfile(nil)
		return float64(n)
	})
	mem := func(f func(*runtime.MemStats) uint64) func() float64 {
		return func() float64 {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			return float64(f(&ms))
		}
	}
	r.NewGaugeFunc("go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and still in use.", mem(func(m *runtime.MemStats) uint64 { return m.HeapAlloc }))
	r.NewGaugeFunc("go_memstats_heap_inuse_bytes", "Number of heap bytes that are in use.", mem(func(m *runtime.MemStats) uint64 { return m.HeapInuse }))
	r.NewGaugeFunc("go_memstats_sys_bytes", "Number of bytes obtained from system.", mem(func(m *runtime.MemStats) uint64 { return m.Sys }))
	r.NewCounterFunc("go_memstats_alloc_bytes_total", "Total number of bytes allocated, even if freed.", mem(func(m *runtime.MemStats) uint64 { return m.TotalAlloc }))
	r.NewGaugeFunc("go_memstats_last_gc_time_seconds", "Number of seconds since 1970 of last garbage collection.", mem(func(m *runtime.MemStats) uint64 { return m.LastGC / 1e9 }))
	r.NewCounterFunc("go_gc_cycles_total", "Count of completed GC cycles.", func() float64 {
		s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
		metrics.Read(s)
		if s[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return float64(s[0].Value.Uint64())
	})
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		return
	}
	r.NewCounterFunc("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", func() float64 { return procStat().cpu })
	r.NewGaugeFunc("process_resident_memory_bytes", "Resident memory size in bytes.", func() float64 { return procStat().rss })
	r.NewGaugeFunc("process_virtual_memory_bytes", "Virtual memory size in bytes.", func() float64 { return procStat().vsize })
	r.NewGaugeFunc("process_open_fds", "Number of open file descriptors.", func() float64 {
		fds, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			return 0
		}
		return float64(len(fds))
	})
	r.NewGaugeFunc("process_max_fds", "Maximum number of open file descriptors.", func() float64 {
		var l syscall.Rlimit
		if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) != nil {
			return 0
		}
		return float64(l.Cur)
	})
	r.NewGaugeFunc("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", func() float64 {
		return float64(startTime.UnixNano()) / 1e9
	})
}

// stat is what /proc/self/stat tells of the process.
type stat struct {
	cpu, rss, vsize float64
}

// userHZ is the unit of the CPU times in /proc/self/stat: USER_HZ, 100 on
// every Linux that Go runs on.
const userHZ = 100

// procStat reads /proc/self/stat; zeros if it cannot.
func procStat() stat {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return stat{}
	}
	// The command name, in parentheses, may hold spaces: the fields
	// counted here start after its closing parenthesis (field 3, state).
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:]
	}
	f := strings.Fields(s)
	if len(f) < 22 {
		return stat{}
	}
	num := func(i int) float64 {
		v, _ := strconv.ParseFloat(f[i], 64)
		return v
	}
	// Fields 14 and 15 (utime, stime), 23 (vsize) and 24 (rss, pages),
	// counted from 1 with state as 3.
	return stat{cpu: (num(11) + num(12)) / userHZ, vsize: num(20), rss: num(21) * float64(os.Getpagesize())}
}
