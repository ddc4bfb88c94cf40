package server

import (
	"html/template"
	"net/http"
	"strings"
)

// Links are where a server's parts are, for its start-up banner and its
// front page.
type Links struct {
	Service  string `json:"service"`
	Version  string `json:"version,omitempty"`
	Endpoint string `json:"endpoint"`
	Console  string `json:"console"`
	Metrics  string `json:"metrics"`
	Health   string `json:"health"`
	// Clock is the manual clock's endpoint; Reset the store's reset (dev
	// mode); each empty when the server has none.
	Clock string `json:"clock,omitempty"`
	Reset string `json:"reset,omitempty"`
	// TryCLI is an AWS CLI command to try.
	TryCLI string `json:"try"`
}

// LinksAt returns the links of the server reached at base (such as
// http://127.0.0.1:7930).
func (s *Server) LinksAt(base string) Links {
	l := Links{
		Service:  "openswf serves the Amazon SWF API (2012-01-25): point an AWS SDK or the AWS CLI at the endpoint URL",
		Version:  s.cfg.Version,
		Endpoint: base,
		Console:  base + "/console/",
		Metrics:  base + "/metrics",
		Health:   base + "/healthz",
		TryCLI:   "aws swf list-domains --registration-status REGISTERED --endpoint-url " + base,
	}
	if s.manual != nil {
		l.Clock = base + ClockPath
	}
	if s.cfg.Dev {
		l.Reset = base + ResetPath
	}
	return l
}

var indexPage = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>openswf</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44em;margin:2em auto;padding:0 1em}code{background:#f3f3f3;padding:.1em .3em}</style>
</head><body>
<h1>openswf{{with .Version}} <small>{{.}}</small>{{end}}</h1>
<p>This server speaks the Amazon SWF API (2012-01-25). Point an AWS SDK or the AWS CLI at <code>{{.Endpoint}}</code> as its endpoint URL.</p>
<ul>
<li><a href="{{.Console}}">Console</a>: domains, executions and their histories</li>
<li><a href="{{.Metrics}}">Metrics</a> (Prometheus) and <a href="{{.Health}}">health</a></li>
{{with .Clock}}<li>Manual clock: <code>POST {{.}}</code> with <code>{"advance": "90m"}</code>, or <code>openswf clock advance 90m</code></li>{{end}}
{{with .Reset}}<li>Reset (empties every domain): <code>POST {{.}}</code></li>{{end}}
</ul>
<p>Try: <code>{{.TryCLI}}</code></p>
</body></html>
`))

// serveIndex answers GET /: a page for browsers, JSON for everything else,
// saying where the API, the console, the metrics and the health check are.
func (s *Server) serveIndex(w http.ResponseWriter, r *http.Request) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	l := s.LinksAt(scheme + "://" + r.Host)
	if strings.Contains(r.Header.Get("Accept"), "text/html") {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		indexPage.Execute(w, l)
		return
	}
	writeJSON(w, http.StatusOK, l)
}
