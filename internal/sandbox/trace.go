package sandbox

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// TraceEntry is one line of the request log: what was asked, of which simulated host, and how it
// was answered. Path is the route's template, with ids as {id}, so lines can be grouped.
type TraceEntry struct {
	Time     time.Time `json:"time"`
	Host     string    `json:"host"`            // identity, graph or partnercenter
	Method   string    `json:"method"`          // as sent; for $batch items, the item's method
	Path     string    `json:"path"`            // the template, for example /v1.0/tenantRelationships/delegatedAdminRelationships/{id}
	RawPath  string    `json:"rawPath"`         // the path as sent, without the query
	Query    []string  `json:"query,omitempty"` // the names of the query's parameters ($select, $filter, ...), sorted; never their values
	Status   int       `json:"status"`          // the status answered
	Duration float64   `json:"duration"`        // seconds
	InBatch  bool      `json:"inBatch,omitempty"`
}

type tracer struct {
	mu  sync.Mutex
	enc *json.Encoder // nil: no trace
}

func newTracer(w io.Writer) *tracer {
	t := &tracer{}
	if w != nil {
		t.enc = json.NewEncoder(w)
	}
	return t
}

func (t *tracer) record(e TraceEntry) {
	if t.enc == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	_ = t.enc.Encode(e)
}

// queryNames are the names of a query's parameters, sorted.
func queryNames(q url.Values) []string {
	if len(q) == 0 {
		return nil
	}
	out := make([]string, 0, len(q))
	for k := range q {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// patternKey carries, through the request's context, where the matched route's template is put.
type patternKey struct{}

// statusRecorder remembers the status a handler answered.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (t *tracer) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		pattern := new(string)
		r = r.WithContext(context.WithValue(r.Context(), patternKey{}, pattern))
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			status := rec.status
			if status == 0 {
				status = 499 // no answer: the connection was cut
			}
			host, raw := hostOf(r.URL.Path)
			t.record(TraceEntry{Time: start.UTC(), Host: host, Method: r.Method, Path: templateOr(*pattern, raw),
				RawPath: raw, Query: queryNames(r.URL.Query()), Status: status, Duration: time.Since(start).Seconds()})
		}()
		next.ServeHTTP(rec, r)
	})
}

// withPattern wraps one host's mux so that the template of the route it matched reaches the trace.
func withPattern(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if p, ok := r.Context().Value(patternKey{}).(*string); ok && r.Pattern != "" {
			*p = r.Pattern
		}
	})
}

// hostOf says which simulated host a path belongs to, and the path as that host sees it.
func hostOf(path string) (host, rest string) {
	switch {
	case strings.HasPrefix(path, "/graph/"):
		return "graph", strings.TrimPrefix(path, "/graph")
	case strings.HasPrefix(path, "/partnercenter/"):
		return "partnercenter", strings.TrimPrefix(path, "/partnercenter")
	}
	return "identity", path
}

// templateOr turns a mux pattern ("GET /v1.0/x/{relationshipId}") into a template ("/v1.0/x/{id}");
// without a pattern (no route matched) it returns the raw path.
func templateOr(pattern, raw string) string {
	if pattern == "" {
		return raw
	}
	if _, after, ok := strings.Cut(pattern, " "); ok {
		pattern = after
	}
	parts := strings.Split(pattern, "/")
	rawParts := strings.Split(raw, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") && p != "{tenant}" {
			parts[i] = "{id}"
			if i < len(rawParts) {
				if m := keySegment.FindStringSubmatch(rawParts[i]); m != nil {
					parts[i] = m[1] + "(" + m[2] + "={id})" // servicePrincipals(appId='…') -> servicePrincipals(appId={id})
				}
			}
		}
	}
	return strings.Join(parts, "/")
}

// keySegment matches an alternate-key segment such as servicePrincipals(appId='...').
var keySegment = regexp.MustCompile(`^(\w+)\((\w+)='[^']*'\)$`)
