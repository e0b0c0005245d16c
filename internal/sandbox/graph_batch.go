package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"
)

// graphRoutes registers every simulated Graph endpoint on the Graph host's mux.
func (s *Server) graphRoutes(mux *http.ServeMux) {
	s.gdapRoutes(mux)
	s.directoryRoutes(mux)
	s.securityRoutes(mux)
	s.appRoutes(mux)
	s.appregRoutes(mux)
	s.handle(mux, "POST /v1.0/$batch", s.batch(mux, "v1.0"))
	s.handle(mux, "POST /beta/$batch", s.batch(mux, "beta"))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeGraphError(w, http.StatusNotFound, "Request_ResourceNotFound",
			"Resource not found for the segment in "+r.Method+" "+r.URL.Path+". (The sandbox does not simulate this request.)")
	})
}

// maxBatch is Graph's limit of requests in one $batch.
const maxBatch = 20

type batchItem struct {
	ID        string            `json:"id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers,omitempty"`
	Body      json.RawMessage   `json:"body,omitempty"`
	DependsOn []string          `json:"dependsOn,omitempty"`
}

type batchAnswer struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

// batch answers POST /{version}/$batch: each item is served by the same mux as a request of its
// own (with the batch's token), and may itself be throttled by the fault injector, as in Graph.
func (s *Server) batch(mux *http.ServeMux, version string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Requests []batchItem `json:"requests"`
		}
		raw, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
		if err == nil {
			err = json.Unmarshal(raw, &body)
		}
		if err != nil {
			writeGraphError(w, http.StatusBadRequest, "BadRequest", "The batch request body is not valid JSON.")
			return
		}
		if len(body.Requests) == 0 || len(body.Requests) > maxBatch {
			writeGraphError(w, http.StatusBadRequest, "BadRequest", "A batch must hold from 1 to 20 requests; this one holds "+strconv.Itoa(len(body.Requests))+".")
			return
		}
		ids := map[string]bool{}
		for _, it := range body.Requests {
			if it.ID == "" || ids[it.ID] || it.Method == "" || !strings.HasPrefix(it.URL, "/") {
				writeGraphError(w, http.StatusBadRequest, "BadRequest", "Every batch request needs a unique id, a method and a url that starts with '/'.")
				return
			}
			ids[it.ID] = true
		}
		status := map[string]int{}
		answers := make([]batchAnswer, 0, len(body.Requests))
		for _, it := range body.Requests {
			a := s.batchOne(r, mux, version, it, status)
			status[it.ID] = a.Status
			answers = append(answers, a)
		}
		writeJSON(w, http.StatusOK, map[string]any{"responses": answers})
	}
}

func (s *Server) batchOne(outer *http.Request, mux *http.ServeMux, version string, it batchItem, done map[string]int) batchAnswer {
	start := time.Now()
	for _, dep := range it.DependsOn {
		if st, ok := done[dep]; !ok || st >= 400 {
			return errorAnswer(it.ID, http.StatusFailedDependency, "FailedDependency", "This request depends on request "+dep+", which failed or did not run.")
		}
	}
	path := "/" + version + it.URL
	req, err := http.NewRequestWithContext(outer.Context(), it.Method, path, bytes.NewReader(it.Body))
	if err != nil {
		return errorAnswer(it.ID, http.StatusBadRequest, "BadRequest", "The batch item's method or url is not valid.")
	}
	req.Header.Set("Authorization", outer.Header.Get("Authorization"))
	for k, v := range it.Headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	switch s.faults.pickItem() {
	case faultRateLimited:
		rec.Header().Set("Retry-After", s.faults.retryAfter())
		writeGraphError(rec, http.StatusTooManyRequests, "TooManyRequests", "Too many requests. The sandbox was asked to throttle this one.")
	case faultUnavailable:
		rec.Header().Set("Retry-After", s.faults.retryAfter())
		writeGraphError(rec, http.StatusServiceUnavailable, "serviceNotAvailable", "The service is temporarily unavailable. The sandbox was asked to fail this one.")
	default:
		mux.ServeHTTP(rec, req)
	}
	res := rec.Result()
	headers := map[string]string{}
	for k := range res.Header {
		headers[k] = res.Header.Get(k)
	}
	a := batchAnswer{ID: it.ID, Status: res.StatusCode, Headers: headers}
	if b := bytes.TrimSpace(rec.Body.Bytes()); len(b) > 0 {
		a.Body = json.RawMessage(b)
	}
	s.trace.record(TraceEntry{Time: start.UTC(), Host: "graph", Method: it.Method, Path: templateOr(req.Pattern, path),
		RawPath: req.URL.Path, Query: queryNames(req.URL.Query()), Status: res.StatusCode, Duration: time.Since(start).Seconds(), InBatch: true})
	return a
}

func errorAnswer(id string, status int, code, message string) batchAnswer {
	rec := httptest.NewRecorder()
	writeGraphError(rec, status, code, message)
	return batchAnswer{ID: id, Status: status, Headers: map[string]string{"Content-Type": "application/json"}, Body: json.RawMessage(bytes.TrimSpace(rec.Body.Bytes()))}
}
