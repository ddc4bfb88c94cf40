// Command openswf is a self-hosted server for the Amazon Simple Workflow
// Service API: unmodified AWS SDKs, the AWS CLI and SWF frameworks work
// against it when pointed at its endpoint URL.
//
//	openswf serve [flags]   serve the API (flags, or OPENSWF_* variables)
//	openswf dev [flags]     a throwaway development server
//	openswf clock [advance D | set T]
//	                        read or move a manual clock
//	openswf wipe            empty a development server
//	openswf healthcheck     exit 0 if the server answers /healthz
//	openswf bench [flags]   measure a server through aws-sdk-go-v2
//	openswf backup FILE     copy the SQLite database, while it serves
//	openswf history, reset, archive
//	                        extensions beyond SWF (see 'openswf help')
//	openswf version         print the version
package main

import (
	"cmp"
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

	"github.com/aws/aws-sdk-go-v2/aws"

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
		if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
			os.Exit(1) // what container health checks take for "unhealthy"
		}
		os.Exit(2)
	}
}

const usage = `openswf serves the Amazon SWF API (2012-01-25).

Usage:
  openswf serve [flags]   serve the API until SIGINT or SIGTERM
  openswf dev [flags]     a development server: in memory, banner, reset; --clock manual
                          lets you move its time (serve's flags, and --domain NAME)
  openswf clock [advance DURATION | set TIME] [--endpoint URL]
                          read or move the clock of a server run with --clock manual
  openswf wipe [--endpoint URL]
                          empty a development server (every domain)
  openswf healthcheck [--endpoint URL]
                          exit 0 if the server answers its health check
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
	case "serve", "dev":
		return serve(args[1:], stdout, stderr, args[0] == "dev")
	case "clock", "wipe", "healthcheck":
		return control(args, stdout, stderr)
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

// versionString is the version the binary was stamped with: -ldflags
// "-X main.version=...", or the module's version (go install ...@v1.2.3, or
// the pseudo-version Go derives from the checkout), or else the VCS
// revision it was built from.
func versionString() string {
	info, _ := debug.ReadBuildInfo()
	return versionOf(version, info)
}

func versionOf(stamped string, info *debug.BuildInfo) string {
	if stamped != "" {
		return stamped
	}
	if info == nil {
		return "unknown"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision":
			rev = s.Value[:min(len(s.Value), 12)]
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "-dirty"
		}
	}
	if rev == "" {
		return "devel"
	}
	return "devel-" + rev + dirty
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

// serveFlags are the settings of serve and dev, from their flags and the
// environment variables that give the flags' defaults.
type serveFlags struct {
	ds                                                    *devSettings
	conn                                                  connFlags
	listen, database, region, account                     *string
	lambdaEndpoint, lambdaRegion, stsEndpoint             *string
	usersFile, trustedProxies, limits                     *string
	archiveURL, archiveEndpoint                           *string
	debugListen, logLevel, logFormat                      *string
	assumeRole, consoleActions, throttling, apiThrottling *bool
	// envErrs are the errors of environment variables that did not parse.
	envErrs []error
}

// newServeFlags defines the flags of serve (or dev) on fs.
func newServeFlags(fs *flag.FlagSet, dev bool) *serveFlags {
	f := &serveFlags{ds: devFlags(fs, dev)}
	f.listen = fs.String("listen", env("OPENSWF_LISTEN", server.DefaultListen), "`host:port` to serve on (OPENSWF_LISTEN)")
	f.database = fs.String("database", pick(dev, server.MemoryDatabase, env("OPENSWF_DATABASE", server.DefaultDatabasePath())), "SQLite database file, :memory: (a file removed at exit), or a PostgreSQL URL (postgres://...) that several servers may share (OPENSWF_DATABASE)")
	f.region = fs.String("region", env("OPENSWF_REGION", server.DefaultRegion), "region in domain ARNs (OPENSWF_REGION)")
	f.account = fs.String("account-id", env("OPENSWF_ACCOUNT_ID", server.DefaultAccountID), "account id in domain ARNs (OPENSWF_ACCOUNT_ID)")
	durationFlag := func(name, env string, def time.Duration, usage string) *time.Duration {
		d, err := envDuration(env, def)
		f.envErrs = append(f.envErrs, err)
		return fs.Duration(name, d, usage+" ("+env+")")
	}
	intFlag := func(name, env string, def int, usage string) *int {
		n, err := envInt(env, def)
		f.envErrs = append(f.envErrs, err)
		return fs.Int(name, n, usage+" ("+env+")")
	}
	f.conn = connectionFlags(fs, durationFlag, intFlag, pick(dev, devLongPollWait, engine.DefaultLongPollWait))
	f.lambdaEndpoint = fs.String("lambda-endpoint", env("OPENSWF_LAMBDA_ENDPOINT", ""), "base URL of the AWS Lambda Invoke API for Lambda tasks; empty: no Lambda service (OPENSWF_LAMBDA_ENDPOINT)")
	f.lambdaRegion = fs.String("lambda-region", env("OPENSWF_LAMBDA_REGION", ""), "region that Lambda requests are signed for; default: --region (OPENSWF_LAMBDA_REGION)")
	f.assumeRole = fs.Bool("lambda-assume-role", env("OPENSWF_LAMBDA_ASSUME_ROLE", "") == "true", "invoke each function as its execution's lambdaRole, assumed through STS (OPENSWF_LAMBDA_ASSUME_ROLE)")
	f.stsEndpoint = fs.String("sts-endpoint", env("OPENSWF_STS_ENDPOINT", ""), "STS endpoint for --lambda-assume-role; default https://sts.REGION.amazonaws.com (OPENSWF_STS_ENDPOINT)")
	f.usersFile = fs.String("users", env("OPENSWF_USERS", ""), "users `file` (JSON): access keys whose SigV4 signatures are checked, and each user's IAM policies; empty: no checks, any keys work (OPENSWF_USERS)")
	f.consoleActions = fs.Bool("console-actions", env("OPENSWF_CONSOLE_ACTIONS", "") == "true", "let the web console signal, request cancel, terminate and re-run executions, as the signed-in user's policies allow (OPENSWF_CONSOLE_ACTIONS)")
	f.trustedProxies = fs.String("trusted-proxies", env("OPENSWF_TRUSTED_PROXIES", ""), "with --users: addresses or CIDR blocks of reverse proxies in front, whose X-Forwarded-For and X-Forwarded-Proto give aws:SourceIp and aws:SecureTransport (OPENSWF_TRUSTED_PROXIES)")
	f.throttling = fs.Bool("decision-throttling", env("OPENSWF_DECISION_THROTTLING", "") == "true", "limit decisions that create things to Amazon SWF's rates, failing them with *_RATE_EXCEEDED (OPENSWF_DECISION_THROTTLING)")
	f.apiThrottling = fs.Bool("api-throttling", env("OPENSWF_API_THROTTLING", "") == "true", "limit calls to Amazon SWF's API rates (per operation, and per execution), answering ThrottlingException beyond them (OPENSWF_API_THROTTLING)")
	f.limits = fs.String("limits", env("OPENSWF_LIMITS", ""), "quotas to change from Amazon SWF's, as name=value,...; see the README (OPENSWF_LIMITS)")
	f.archiveURL, f.archiveEndpoint = archiveFlags(fs)
	f.debugListen = fs.String("debug-listen", env("OPENSWF_DEBUG_LISTEN", ""), "`host:port` to serve Go's profiler on (/debug/pprof/); empty: none (OPENSWF_DEBUG_LISTEN)")
	f.logLevel = fs.String("log-level", env("OPENSWF_LOG_LEVEL", "info"), "debug, info, warn or error (OPENSWF_LOG_LEVEL)")
	f.logFormat = fs.String("log-format", env("OPENSWF_LOG_FORMAT", "text"), "text or json (OPENSWF_LOG_FORMAT)")
	return f
}

// serve runs the server (dev: the development server) with the settings of
// args until SIGINT or SIGTERM, then shuts it down.
func serve(args []string, stdout, stderr io.Writer, dev bool) error {
	fs := flag.NewFlagSet(pick(dev, "dev", "serve"), flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := newServeFlags(fs, dev)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := errors.Join(append(f.envErrs, f.ds.check())...); err != nil {
		return err
	}
	if err := f.conn.check(); err != nil {
		return err
	}
	lim, err := parseLimits(*f.limits)
	if err != nil {
		return fmt.Errorf("--limits: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s takes no arguments, got %q", fs.Name(), fs.Args())
	}

	logger, err := newLogger(*f.logLevel, *f.logFormat, stderr)
	if err != nil {
		return err
	}

	tuneGC()

	authn, err := loadUsers(*f.usersFile, *f.trustedProxies, *f.region, *f.account, logger)
	if err != nil {
		return err
	}
	if authn == nil && !dev {
		logger.Warn("no --users file: requests are not authenticated, any access keys work; fine for development, not for a shared server")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	lambdaCreds, err := lambdaCredentials(ctx, *f.lambdaEndpoint, cmp.Or(*f.lambdaRegion, *f.region), logger)
	if err != nil {
		return err
	}

	srv, err := server.Start(ctx, withConn(server.Config{
		Listen:            *f.listen,
		Database:          *f.database,
		Region:            *f.region,
		AccountID:         *f.account,
		Limits:            lim,
		DecisionRates:     ratesIf(*f.throttling, engine.SWFDecisionRates),
		APIRates:          ratesIf(*f.apiThrottling, engine.SWFAPIRates),
		ExecutionAPIRates: ratesIf(*f.apiThrottling, engine.SWFExecutionAPIRates),
		Lambda: server.LambdaConfig{
			Endpoint: *f.lambdaEndpoint, Region: *f.lambdaRegion, AssumeRole: *f.assumeRole, STSEndpoint: *f.stsEndpoint,
			Credentials: lambdaCreds,
		},
		Auth:           authn,
		ConsoleActions: *f.consoleActions,
		Logger:         logger,
		ManualClock:    f.ds.clock == "manual",
		Dev:            dev,
		Version:        versionString(),
		ArchiveURL:     *f.archiveURL, ArchiveEndpoint: *f.archiveEndpoint,
	}, f.conn))
	if err != nil {
		return err
	}
	if err := f.ds.announce(ctx, srv, *f.region, stdout); err != nil {
		srv.Shutdown(context.Background())
		return err
	}
	if *f.debugListen != "" {
		defer startProfiler(*f.debugListen, logger).Close()
	}
	if authn != nil {
		defer reloadOnHUP(authn, logger, *f.usersFile, *f.region, *f.account)()
	}
	<-ctx.Done()
	stop()
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 75*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// loadUsers reads the users file (--users) and names the trusted proxies;
// without a file it returns nil (no authentication).
func loadUsers(path, proxyList, region, account string, logger *slog.Logger) (*auth.Authenticator, error) {
	proxies, err := auth.ParseProxies(proxyList)
	if err != nil {
		return nil, fmt.Errorf("--trusted-proxies: %w", err)
	}
	if path == "" {
		return nil, nil
	}
	authn, err := auth.Load(path, region, account)
	if err != nil {
		return nil, fmt.Errorf("--users: %w", err)
	}
	warnReadable(logger, path)
	authn.TrustProxies(proxies)
	warnShortSecrets(logger, authn)
	return authn, nil
}

// tuneGC collects garbage less often than Go's default: the server's live
// heap is small and its garbage plentiful, so this buys throughput for
// little memory. GOGC, when set, still decides.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(400)
	}
}

// newLogger makes the server's logger from --log-level and --log-format.
func newLogger(level, format string, w io.Writer) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
}

// ratesIf is rates when on, else nil (no limits).
func ratesIf(on bool, rates map[string]throttle.Rate) map[string]throttle.Rate {
	if on {
		return rates
	}
	return nil
}

// startProfiler serves Go's profiler at addr (--debug-listen).
func startProfiler(addr string, logger *slog.Logger) *http.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	dbg := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go dbg.ListenAndServe()
	logger.Info("profiler listening", "address", "http://"+addr+"/debug/pprof/")
	return dbg
}

// reloadOnHUP reads the users file again on each SIGHUP: keys and policies
// change without a restart; a file that does not load changes nothing. It
// returns the function that stops listening.
func reloadOnHUP(authn *auth.Authenticator, logger *slog.Logger, path, region, account string) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		for range hup {
			fresh, err := auth.Load(path, region, account)
			if err != nil {
				logger.Error("reloading the users file: kept the users as they were", "err", err)
				continue
			}
			warnReadable(logger, path)
			authn.Replace(fresh) // the proxies stay as they were
			warnShortSecrets(logger, authn)
			logger.Info("reloaded the users file", "path", path)
		}
	}()
	return func() { signal.Stop(hup) }
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

// warnShortSecrets warns of secret access keys shorter than
// auth.MinSecretLength: they sign API requests and console sign-ins, and a
// short one can be guessed.
func warnShortSecrets(logger *slog.Logger, a *auth.Authenticator) {
	for _, id := range a.ShortSecrets(auth.MinSecretLength) {
		logger.Warn("a secret access key is short: use one of at least 16 characters", "accessKeyId", id, "minimum", auth.MinSecretLength)
	}
}

// lambdaCredentials finds the server's AWS credentials for Lambda and STS
// through the SDK's standard chain, when a Lambda endpoint is set; without
// any, Lambda requests go unsigned (for local Lambda-compatible services).
func lambdaCredentials(ctx context.Context, endpoint, region string, logger *slog.Logger) (aws.CredentialsProvider, error) {
	if endpoint == "" {
		return nil, nil
	}
	creds, err := lambda.DefaultCredentials(ctx, region)
	if err == nil && creds == nil {
		logger.Warn("no AWS credentials found (environment, shared files, web identity, container or instance role): Lambda requests go unsigned")
	}
	return creds, err
}
