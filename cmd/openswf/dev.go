package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swfapi"
)

// devLongPollWait is a development server's long poll: short, so that a
// worker stopped with ^C, or a test's poller, is not held for a minute.
const devLongPollWait = 5 * time.Second

// devSettings are the flags that serve and dev add for development.
type devSettings struct {
	dev     bool
	clock   string
	domains []string
}

// devFlags adds --clock (serve and dev) and --domain (dev) to fs.
func devFlags(fs *flag.FlagSet, dev bool) *devSettings {
	ds := &devSettings{dev: dev}
	fs.StringVar(&ds.clock, "clock", env("OPENSWF_CLOCK", "real"), "real, or manual: the clock starts at the real time and moves only when told (openswf clock advance 90m, POST /openswf/clock); long polls still wait on real time (OPENSWF_CLOCK)")
	if dev {
		fs.Func("domain", "register the domain `NAME` at start (retention 1 day); may be repeated", func(v string) error {
			for _, name := range strings.Split(v, ",") {
				if name = strings.TrimSpace(name); name != "" {
					ds.domains = append(ds.domains, name)
				}
			}
			return nil
		})
	}
	return ds
}

// pick returns a in a development server, b in others.
func pick[T any](dev bool, a, b T) T {
	if dev {
		return a
	}
	return b
}

func (ds *devSettings) check() error {
	if ds.clock != "real" && ds.clock != "manual" {
		return fmt.Errorf("--clock must be real or manual, not %q", ds.clock)
	}
	return nil
}

// announce registers a development server's domains and prints its
// banner: where everything is, and a command to try. Other servers say it
// in their log.
func (ds *devSettings) announce(ctx context.Context, srv *server.Server, region string, stdout io.Writer) error {
	if !ds.dev {
		return nil
	}
	for _, name := range ds.domains {
		err := srv.Service().RegisterDomain(ctx, &swfapi.RegisterDomainInput{Name: &name, WorkflowExecutionRetentionPeriodInDays: new("1")})
		if se, ok := errors.AsType[*swfapi.Error](err); ok && se.Code == swfapi.CodeDomainAlreadyExistsFault {
			err = nil // a database kept from an earlier run
		}
		if err != nil {
			return fmt.Errorf("--domain %s: %w", name, err)
		}
	}
	l := srv.LinksAt(srv.LocalURL())
	fmt.Fprintf(stdout, "\nopenswf %s: a development server (%s)\n\n", versionString(), srv.Database())
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  API endpoint\t%s\n  Console\t%s\n  Metrics\t%s\n  Health\t%s\n", l.Endpoint, l.Console, l.Metrics, l.Health)
	if l.Clock != "" {
		fmt.Fprintf(tw, "  Clock\tmanual, at %s: openswf clock advance 90m (or POST %s {\"advance\": \"90m\"})\n", srv.Now().UTC().Format(time.RFC3339), l.Clock)
	}
	fmt.Fprintf(tw, "  Wipe\topenswf wipe (or POST %s): empties every domain\n", l.Reset)
	if len(ds.domains) > 0 {
		fmt.Fprintf(tw, "  Domains\t%s\n", strings.Join(ds.domains, ", "))
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\nTry it (any access keys work):\n  export AWS_ACCESS_KEY_ID=dev AWS_SECRET_ACCESS_KEY=dev AWS_DEFAULT_REGION=%s\n  %s\n\n", region, l.TryCLI)
	return nil
}
