package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"

	"github.com/openswf/openswf/internal/bench"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/store/sqlite"
)

// runBench measures an endpoint, or a server it starts for the purpose on
// a fresh database when none is given.
func runBench(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := bench.Options{Out: stdout}
	fs.StringVar(&o.Endpoint, "endpoint", "", "SWF endpoint URL to measure, or several, comma-separated (servers sharing one database: each goroutine calls one); empty: start openswf on a temporary database")
	fs.DurationVar(&o.Duration, "duration", bench.DefaultOptions.Duration, "how long each timed load runs")
	fs.DurationVar(&o.Warmup, "warmup", bench.DefaultOptions.Warmup, "how long the workflow load runs, unmeasured, before the timed one (servers warm: connections open, statements prepared); 0: none")
	fs.IntVar(&o.Concurrency, "concurrency", bench.DefaultOptions.Concurrency, "goroutines sending heartbeats")
	fs.IntVar(&o.Tasks, "tasks", bench.DefaultOptions.Tasks, "activity tasks in flight for the heartbeat load")
	fs.IntVar(&o.Starters, "starters", bench.DefaultOptions.Starters, "goroutines starting workflows")
	fs.IntVar(&o.Deciders, "deciders", bench.DefaultOptions.Deciders, "decider goroutines")
	fs.IntVar(&o.Workers, "workers", bench.DefaultOptions.Workers, "activity worker goroutines")
	fs.StringVar(&o.Domain, "domain", bench.DefaultOptions.Domain, "domain to use (registered if missing)")
	fs.BoolVar(&o.SkipHeartbeats, "skip-heartbeats", false, "leave the heartbeat load out")
	fs.BoolVar(&o.SkipWorkflows, "skip-workflows", false, "leave the workflow load out")
	fs.BoolVar(&o.Marks, "marks", false, "print a line \"mark: LOAD start\" as each timed load starts (after its setup) and \"mark: LOAD end\" as it ends, for scripts that measure the server's CPU over the load alone")
	seed := fs.Int("seed-closed", 0, "write this many closed runs into -database (the server stopped) and exit: to measure how the server fares as they pile up")
	database := fs.String("database", "", "with -seed-closed: the SQLite file to seed")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of this process (load generator and, without -endpoint, server) to `file`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *seed > 0 {
		if *database == "" {
			return fmt.Errorf("-seed-closed needs -database")
		}
		st, err := sqlite.Open(ctx, *database)
		if err != nil {
			return err
		}
		defer st.Close()
		return bench.SeedClosed(ctx, st, o.Domain, *seed, stdout)
	}
	if o.Endpoint == "" {
		// As `openswf serve` does (see there).
		if _, set := os.LookupEnv("GOGC"); !set {
			debug.SetGCPercent(400)
		}
		dir, err := os.MkdirTemp("", "openswf-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		srv, err := server.Start(ctx, server.Config{Listen: "127.0.0.1:0", Database: filepath.Join(dir, "openswf.db")})
		if err != nil {
			return err
		}
		defer srv.Shutdown(context.Background())
		o.Endpoint = srv.URL()
		fmt.Fprintf(stdout, "openswf %s at %s, database %s (SQLite, synchronous=FULL)\n", versionString(), o.Endpoint, srv.Database())
	}
	fmt.Fprintf(stdout, "load: %v per load, %d heartbeat goroutines over %d tasks; workflows: %d starters, %d deciders, %d workers, after %v unmeasured\n",
		o.Duration, o.Concurrency, o.Tasks, o.Starters, o.Deciders, o.Workers, o.Warmup)
	_, err := bench.Run(ctx, o)
	return err
}
