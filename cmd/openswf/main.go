// Command openswf is a self-hosted server for the Amazon Simple Workflow
// Service API: unmodified AWS SDKs, the AWS CLI and SWF frameworks work
// against it when pointed at its endpoint URL.
//
//	openswf serve [flags]   serve the API (flags, or OPENSWF_* variables)
//	openswf bench [flags]   measure a server through aws-sdk-go-v2
//	openswf backup FILE     copy the SQLite database, while it serves
//	openswf history, reset, archive
//	                        extensions beyond SWF (see 'openswf help')
//	openswf version         print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/openswf/openswf/internal/archive"
	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/lambda"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/store/sqlite"
	"github.com/openswf/openswf/internal/throttle"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise it comes from the module's build information.
var version = ""

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "openswf:", err)
		}
		os.Exit(2)
	}
}

const usage = `openswf serves the Amazon SWF API (2012-01-25).

Usage:
  openswf serve [flags]   serve the API until SIGINT or SIGTERM
  openswf bench [flags]   measure a server (or one started for the purpose)
  openswf backup [flags] FILE
                          copy the SQLite database to FILE while servers use it
  openswf version         print the version

Run 'openswf serve -h' for the settings.
`

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stderr)
	case "bench":
		return runBench(args[1:], stdout, stderr)
	case "backup":
		return backup(args[1:], stdout, stderr)
	case "history":
		return runHistory(args[1:], stdout, stderr)
	case "reset":
		return runReset(args[1:], stdout, stderr)
	case "archive":
		return runArchive(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "openswf", versionString())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage+"\n"+extensionsUsage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func versionString() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}

// env returns the value of an OPENSWF_* variable, or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// envDuration reads a duration variable such as OPENSWF_LONG_POLL_WAIT=20s.
func envDuration(name string, def time.Duration) (time.Duration, error) {
	v, ok := os.LookupEnv(name)
	if !ok {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return def, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

func serve(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", env("OPENSWF_LISTEN", server.DefaultListen), "`host:port` to serve on (OPENSWF_LISTEN)")
	database := fs.String("database", env("OPENSWF_DATABASE", server.DefaultDatabasePath()), "SQLite database file, or a PostgreSQL URL (postgres://...) that several servers may share (OPENSWF_DATABASE)")
	region := fs.String("region", env("OPENSWF_REGION", server.DefaultRegion), "region in domain ARNs (OPENSWF_REGION)")
	account := fs.String("account-id", env("OPENSWF_ACCOUNT_ID", server.DefaultAccountID), "account id in domain ARNs (OPENSWF_ACCOUNT_ID)")
	defaultWait, envErr := envDuration("OPENSWF_LONG_POLL_WAIT", engine.DefaultLongPollWait)
	pollWait := fs.Duration("long-poll-wait", defaultWait, "how long a poll waits for a task (OPENSWF_LONG_POLL_WAIT)")
	lambdaEndpoint := fs.String("lambda-endpoint", env("OPENSWF_LAMBDA_ENDPOINT", ""), "base URL of the AWS Lambda Invoke API for Lambda tasks; empty: no Lambda service (OPENSWF_LAMBDA_ENDPOINT)")
	lambdaRegion := fs.String("lambda-region", env("OPENSWF_LAMBDA_REGION", ""), "region that Lambda requests are signed for; default: --region (OPENSWF_LAMBDA_REGION)")
	assumeRole := fs.Bool("lambda-assume-role", env("OPENSWF_LAMBDA_ASSUME_ROLE", "") == "true", "invoke each function as its execution's lambdaRole, assumed through STS (OPENSWF_LAMBDA_ASSUME_ROLE)")
	stsEndpoint := fs.String("sts-endpoint", env("OPENSWF_STS_ENDPOINT", ""), "STS endpoint for --lambda-assume-role; default https://sts.REGION.amazonaws.com (OPENSWF_STS_ENDPOINT)")
	usersFile := fs.String("users", env("OPENSWF_USERS", ""), "users `file` (JSON): access keys whose SigV4 signatures are checked, and each user's IAM policies; empty: no checks, any keys work (OPENSWF_USERS)")
	trustedProxies := fs.String("trusted-proxies", env("OPENSWF_TRUSTED_PROXIES", ""), "with --users: addresses or CIDR blocks of reverse proxies in front, whose X-Forwarded-For and X-Forwarded-Proto give aws:SourceIp and aws:SecureTransport (OPENSWF_TRUSTED_PROXIES)")
	throttling := fs.Bool("decision-throttling", env("OPENSWF_DECISION_THROTTLING", "") == "true", "limit decisions that create things to Amazon SWF's rates, failing them with *_RATE_EXCEEDED (OPENSWF_DECISION_THROTTLING)")
	apiThrottling := fs.Bool("api-throttling", env("OPENSWF_API_THROTTLING", "") == "true", "limit calls to Amazon SWF's API rates (per operation, and per execution), answering ThrottlingException beyond them (OPENSWF_API_THROTTLING)")
	limits := fs.String("limits", env("OPENSWF_LIMITS", ""), "quotas to change from Amazon SWF's, as name=value,...; see the README (OPENSWF_LIMITS)")
	archiveURL := fs.String("archive", env("OPENSWF_ARCHIVE", ""), "extension: where closed runs go when their retention ends, file:///DIR or s3://BUCKET/PREFIX; empty: they are deleted (OPENSWF_ARCHIVE)")
	archiveEndpoint := fs.String("archive-endpoint", env("OPENSWF_ARCHIVE_ENDPOINT", ""), "URL of an S3-compatible service for --archive s3://...; empty: AWS (OPENSWF_ARCHIVE_ENDPOINT)")
	debugListen := fs.String("debug-listen", env("OPENSWF_DEBUG_LISTEN", ""), "`host:port` to serve Go's profiler on (/debug/pprof/); empty: none (OPENSWF_DEBUG_LISTEN)")
	logLevel := fs.String("log-level", env("OPENSWF_LOG_LEVEL", "info"), "debug, info, warn or error (OPENSWF_LOG_LEVEL)")
	logFormat := fs.String("log-format", env("OPENSWF_LOG_FORMAT", "text"), "text or json (OPENSWF_LOG_FORMAT)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if envErr != nil {
		return envErr
	}
	if *pollWait <= 0 {
		return fmt.Errorf("--long-poll-wait must be positive, not %v", *pollWait)
	}
	lim, err := parseLimits(*limits)
	if err != nil {
		return fmt.Errorf("--limits: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	var handler slog.Handler
	switch strings.ToLower(*logFormat) {
	case "text":
		handler = slog.NewTextHandler(stderr, opts)
	case "json":
		handler = slog.NewJSONHandler(stderr, opts)
	default:
		return fmt.Errorf("--log-format must be text or json, not %q", *logFormat)
	}
	logger := slog.New(handler)

	// The server's live heap is small and its garbage plentiful: collecting
	// less often buys throughput for little memory. GOGC still decides.
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(400)
	}

	var authn *auth.Authenticator
	proxies, err := auth.ParseProxies(*trustedProxies)
	if err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	if *usersFile != "" {
		if authn, err = auth.Load(*usersFile, *region, *account); err != nil {
			return fmt.Errorf("--users: %w", err)
		}
		authn.TrustProxies(proxies)
	} else {
		logger.Warn("no --users file: requests are not authenticated, any access keys work; fine for development, not for a shared server")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var arch archive.Archive
	if *archiveURL != "" {
		if arch, err = archive.Open(ctx, *archiveURL, *archiveEndpoint); err != nil {
			return fmt.Errorf("--archive: %w", err)
		}
	}

	srv, err := server.Start(ctx, server.Config{
		Listen:       *listen,
		Database:     *database,
		Region:       *region,
		AccountID:    *account,
		LongPollWait: *pollWait,
		Limits:       lim,
		DecisionRates: func() map[string]throttle.Rate {
			if *throttling {
				return engine.SWFDecisionRates
			}
			return nil
		}(),
		APIRates: func() map[string]throttle.Rate {
			if *apiThrottling {
				return engine.SWFAPIRates
			}
			return nil
		}(),
		ExecutionAPIRates: func() map[string]throttle.Rate {
			if *apiThrottling {
				return engine.SWFExecutionAPIRates
			}
			return nil
		}(),
		Lambda: server.LambdaConfig{
			Endpoint: *lambdaEndpoint, Region: *lambdaRegion, AssumeRole: *assumeRole, STSEndpoint: *stsEndpoint,
			Credentials: lambda.Credentials{
				AccessKeyID: os.Getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY"), SessionToken: os.Getenv("AWS_SESSION_TOKEN"),
			},
		},
		Auth:    authn,
		Archive: arch,
		Logger:  logger,
	})
	if err != nil {
		return err
	}
	if *debugListen != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		dbg := &http.Server{Addr: *debugListen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go dbg.ListenAndServe()
		defer dbg.Close()
		logger.Info("profiler listening", "address", "http://"+*debugListen+"/debug/pprof/")
	}
	if authn != nil {
		// SIGHUP reads the users file again: keys and policies change
		// without a restart; a file that does not load changes nothing.
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		go func() {
			for range hup {
				fresh, err := auth.Load(*usersFile, *region, *account)
				if err != nil {
					logger.Error("reloading the users file: kept the users as they were", "err", err)
					continue
				}
				authn.Replace(fresh) // the proxies stay as they were
				logger.Info("reloaded the users file", "path", *usersFile)
			}
		}()
	}
	<-ctx.Done()
	stop()
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 75*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// backup copies the SQLite database to a new file, consistently, while
// servers go on using it.
func backup(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: openswf backup [--database PATH] FILE\n\nCopies the SQLite database to FILE (which must not exist) while servers use it.\nFor PostgreSQL, use its own tools (pg_dump, base backups).")
		fs.PrintDefaults()
	}
	database := fs.String("database", env("OPENSWF_DATABASE", server.DefaultDatabasePath()), "SQLite database file (OPENSWF_DATABASE)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("backup takes one argument: the file to write")
	}
	if server.IsPostgres(*database) {
		return errors.New("the database is PostgreSQL: back it up with its own tools (pg_dump, base backups)")
	}
	path, err := server.DatabasePath(*database)
	if err != nil {
		return err
	}
	if err := sqlite.Backup(context.Background(), path, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", path, fs.Arg(0))
	return nil
}
