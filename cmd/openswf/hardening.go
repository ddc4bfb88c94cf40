package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/server"
)

// connFlags are the settings of connections and long polls: how long polls
// wait, and what keeps slow, idle or greedy clients from holding the server.
type connFlags struct {
	pollWait, headerTimeout, bodyTimeout, idleTimeout      *time.Duration
	maxHeaderBytes, maxConnections, maxBodyReads, maxPolls *int
	maxPollsPerUser                                        *int
	allowedHosts                                           *string
}

// connectionFlags defines them on fs, with their OPENSWF_* variables.
func connectionFlags(
	fs *flag.FlagSet,
	durationFlag func(name, env string, def time.Duration, usage string) *time.Duration,
	intFlag func(name, env string, def int, usage string) *int,
) connFlags {
	var c connFlags
	c.pollWait = durationFlag("long-poll-wait", "OPENSWF_LONG_POLL_WAIT", engine.DefaultLongPollWait, "how long a poll waits for a task")
	c.headerTimeout = durationFlag("header-timeout", "OPENSWF_HEADER_TIMEOUT", server.DefaultReadHeaderTimeout, "how long a client may take to send a request's headers")
	c.bodyTimeout = durationFlag("body-timeout", "OPENSWF_BODY_TIMEOUT", server.DefaultBodyTimeout, "how long a client may take to send a request's body (long polls still wait their full time)")
	c.idleTimeout = durationFlag("idle-timeout", "OPENSWF_IDLE_TIMEOUT", server.DefaultIdleTimeout, "how long an idle keep-alive connection stays open")
	c.maxHeaderBytes = intFlag("max-header-bytes", "OPENSWF_MAX_HEADER_BYTES", server.DefaultMaxHeaderBytes, "largest request headers, in bytes")
	c.maxConnections = intFlag("max-connections", "OPENSWF_MAX_CONNECTIONS", server.DefaultMaxConnections, "most connections open at once; more wait to be accepted")
	c.maxBodyReads = intFlag("max-body-reads", "OPENSWF_MAX_BODY_READS", server.DefaultMaxBodyReads, "most request bodies read at once before their signature is checked")
	c.maxPolls = intFlag("max-polls", "OPENSWF_MAX_POLLS", 0, "most long polls waiting on the server; 0: three quarters of --max-connections")
	c.maxPollsPerUser = intFlag("max-polls-per-user", "OPENSWF_MAX_POLLS_PER_USER", server.DefaultMaxPollsPerUser, "with --users: most long polls one user may have waiting")
	c.allowedHosts = fs.String("allowed-hosts", env("OPENSWF_ALLOWED_HOSTS", ""), "without --users: host names, besides localhost and loopback addresses, that requests may be addressed to, comma-separated (OPENSWF_ALLOWED_HOSTS)")
	return c
}

// check refuses settings that would disable a protection.
func (c connFlags) check() error {
	for name, d := range map[string]time.Duration{"--long-poll-wait": *c.pollWait, "--header-timeout": *c.headerTimeout, "--body-timeout": *c.bodyTimeout, "--idle-timeout": *c.idleTimeout} {
		if d <= 0 {
			return fmt.Errorf("%s must be positive, not %v", name, d)
		}
	}
	for name, n := range map[string]int{"--max-header-bytes": *c.maxHeaderBytes, "--max-connections": *c.maxConnections,
		"--max-body-reads": *c.maxBodyReads, "--max-polls-per-user": *c.maxPollsPerUser} {
		if n <= 0 {
			return fmt.Errorf("%s must be positive, not %d", name, n)
		}
	}
	if *c.maxPolls < 0 {
		return fmt.Errorf("--max-polls must not be negative, not %d", *c.maxPolls)
	}
	return nil
}

// withConn returns cfg with the connection settings of c.
func withConn(cfg server.Config, c connFlags) server.Config {
	cfg.LongPollWait = *c.pollWait
	cfg.ReadHeaderTimeout, cfg.BodyTimeout, cfg.IdleTimeout = *c.headerTimeout, *c.bodyTimeout, *c.idleTimeout
	cfg.MaxHeaderBytes, cfg.MaxConnections, cfg.MaxBodyReads = *c.maxHeaderBytes, *c.maxConnections, *c.maxBodyReads
	cfg.MaxPolls, cfg.MaxPollsPerUser = *c.maxPolls, *c.maxPollsPerUser
	cfg.AllowedHosts = splitList(*c.allowedHosts)
	return cfg
}

// envInt reads a whole-number variable such as OPENSWF_MAX_CONNECTIONS.
func envInt(name string, def int) (int, error) {
	v, ok := os.LookupEnv(name)
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return def, fmt.Errorf("%s: %q is not a whole number", name, v)
	}
	return n, nil
}

// splitList reads a comma-separated list, without empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// warnReadable warns when the users file, which holds secret keys, may be
// read by users other than its owner.
func warnReadable(logger *slog.Logger, path string) {
	if mode, loose := auth.ReadableByOthers(path); loose {
		logger.Warn("the users file holds secret keys but others may read it: chmod 600 it", "path", path, "mode", mode.String())
	}
}
