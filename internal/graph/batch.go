package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/onboard365/onboard365/internal/redact"
	"github.com/onboard365/onboard365/internal/rest"
	"github.com/onboard365/onboard365/internal/retry"
)

// batchSize is the most requests Graph accepts in one $batch.
const batchSize = 20

// BatchRequest is one request inside a $batch.
type BatchRequest struct {
	ID     string // the caller's name for this request, returned in its BatchResponse; any text, need not be unique
	Method string
	// URL is relative to the version root, as $batch wants it:
	// "/tenantRelationships/delegatedAdminRelationships/{id}", already escaped.
	URL     string
	Body    any               // sent as JSON when not nil
	Headers map[string]string // extra headers; Content-Type is added for a body
}

// BatchResponse is the answer to one BatchRequest.
type BatchResponse struct {
	ID      string            // the BatchRequest's ID
	Status  int               // the item's HTTP status
	Headers map[string]string // the item's headers, as Graph sent them
	Body    json.RawMessage   // the item's body; nil when it had none
	// Err is an *Error when Status is 400 or more (after the retries of a 429,
	// 503 or 504), naming the item's method and URL; nil otherwise.
	Err error
}

// Batch sends many requests in few round trips. It splits them into POST
// /{version}/$batch calls of at most 20, runs those within the client's
// concurrency limit, and tries again, in a later $batch, the items that got
// 429, 503 or 504, after waiting as long as the longest Retry-After among
// them asks (or a backoff). It returns one response per request, in request
// order.
//
// version is "v1.0" or "beta". Items are independent: dependsOn is not
// supported, because items may travel in different $batch calls.
//
// An item that failed is not an error of Batch: look at each response's Err.
// Batch itself fails when a $batch call fails or its answer is malformed
// (missing, unknown or repeated ids, too few responses): a *DecodeError.
func (c *Client) Batch(ctx context.Context, version string, reqs []BatchRequest) ([]BatchResponse, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	if version == "" || strings.Trim(version, "abcdefghijklmnopqrstuvwxyz0123456789.") != "" {
		return nil, fmt.Errorf("graph $batch: version %q is not valid; use v1.0 or beta", version)
	}
	items := make([]batchItem, len(reqs))
	for i, r := range reqs {
		it, err := newBatchItem(i, r)
		if err != nil {
			return nil, fmt.Errorf("graph $batch: request %d (%s): %w", i+1, r.ID, err)
		}
		items[i] = it
	}

	out := make([]BatchResponse, len(reqs))
	pending := make([]int, len(reqs))
	for i := range pending {
		pending[i] = i
	}
	for round := 0; ; round++ {
		got, err := c.batchRound(ctx, version, items, pending)
		if err != nil {
			return nil, err
		}
		var again []int
		wait, haveWait := time.Duration(0), false
		for _, i := range pending {
			a := got[i]
			if retry.Retryable(a.Status) && round < c.core.MaxRetries() {
				again = append(again, i)
				if d, ok := retry.After(header(a.Headers, "Retry-After"), time.Now()); ok {
					wait, haveWait = max(wait, d), true
				}
				continue
			}
			out[i] = BatchResponse{ID: reqs[i].ID, Status: a.Status, Headers: a.Headers, Body: a.Body}
			if a.Status >= 400 {
				out[i].Err = newError(reqs[i].Method, "/"+version+items[i].URL, a.Status, itemHeader(a.Headers), a.Body)
			}
		}
		if len(again) == 0 {
			return out, nil
		}
		if !haveWait {
			wait = c.core.Backoff(round)
		}
		if err := c.core.Wait(ctx, wait); err != nil {
			return nil, fmt.Errorf("graph $batch: wait before trying %d throttled requests again: %w", len(again), err)
		}
		pending = again
	}
}

// batchItem is one request as it goes into the $batch body. Its id is the
// request's index, so that answers map back whatever the caller's IDs are.
type batchItem struct {
	ID      string            `json:"id"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Body    json.RawMessage   `json:"body,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
}

func newBatchItem(i int, r BatchRequest) (batchItem, error) {
	if r.Method == "" || strings.ContainsAny(r.Method, " \t\r\n") {
		return batchItem{}, fmt.Errorf("method %q is not valid", r.Method)
	}
	if r.URL == "" || strings.Contains(r.URL, "://") {
		return batchItem{}, fmt.Errorf("URL %q must be relative to the version root, as in /users", r.URL)
	}
	it := batchItem{ID: strconv.Itoa(i), Method: r.Method, URL: r.URL}
	if !strings.HasPrefix(it.URL, "/") {
		it.URL = "/" + it.URL
	}
	if len(r.Headers) > 0 {
		it.Headers = make(map[string]string, len(r.Headers))
		for k, v := range r.Headers {
			it.Headers[k] = v
		}
	}
	if r.Body != nil {
		b, err := json.Marshal(r.Body)
		if err != nil {
			return batchItem{}, fmt.Errorf("encode the body: %w", err)
		}
		it.Body = b
		if header(it.Headers, "Content-Type") == "" {
			if it.Headers == nil {
				it.Headers = map[string]string{}
			}
			it.Headers["Content-Type"] = "application/json"
		}
	}
	return it, nil
}

// batchAnswer is one item of a $batch answer.
type batchAnswer struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// batchRound sends the pending requests in $batch calls of at most 20, all at
// once within the concurrency limit, and returns the answers by request index.
func (c *Client) batchRound(ctx context.Context, version string, items []batchItem, pending []int) (map[int]batchAnswer, error) {
	k, err := c.newCall(http.MethodPost, "/"+version+"/$batch", nil, nil)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		got  = make(map[int]batchAnswer, len(pending))
		errs []error
	)
	for start := 0; start < len(pending); start += batchSize {
		chunk := pending[start:min(start+batchSize, len(pending))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers, err := c.sendBatch(ctx, k, items, chunk)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("graph $batch of requests %d to %d: %w", chunk[0]+1, chunk[len(chunk)-1]+1, err))
				cancel()
				return
			}
			for j, i := range chunk {
				got[i] = answers[j]
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		// Report the first error that is not just another chunk giving up
		// because of the cancel above.
		for _, err := range errs {
			if !errors.Is(err, context.Canceled) {
				return nil, err
			}
		}
		return nil, errs[0]
	}
	return got, nil
}

// sendBatch sends one $batch call and returns its answers in chunk order.
func (c *Client) sendBatch(ctx context.Context, k rest.Request, items []batchItem, chunk []int) ([]batchAnswer, error) {
	body := struct {
		Requests []batchItem `json:"requests"`
	}{Requests: make([]batchItem, len(chunk))}
	ids := make([]string, len(chunk))
	for j, i := range chunk {
		body.Requests[j] = items[i]
		ids[j] = items[i].ID
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode the $batch body: %w", err)
	}
	k.Body = b
	// A $batch of requests that change nothing changes nothing: it may be sent again when its
	// answer did not come whole.
	k.Idempotent = true
	for _, i := range chunk {
		if m := strings.ToUpper(items[i].Method); m != http.MethodGet && m != http.MethodHead {
			k.Idempotent = false
		}
	}
	r, err := c.core.Send(ctx, k)
	if err != nil {
		return nil, err
	}
	answers, err := decodeBatch(r.Body, ids)
	if err != nil {
		return nil, &DecodeError{Service: service, Method: k.Method, Path: k.Path, Reason: "the $batch answer is malformed", Err: err}
	}
	return answers, nil
}

// decodeBatch reads a $batch answer, {"responses":[{"id","status","headers","body"}]},
// and returns its items in the order of ids. Every id must be answered exactly
// once and nothing else; each status must be a valid HTTP status.
func decodeBatch(body []byte, ids []string) ([]batchAnswer, error) {
	var env struct {
		Responses *[]batchAnswer `json:"responses"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, err
	}
	if env.Responses == nil {
		return nil, errors.New(`it has no "responses" array`)
	}
	want := make(map[string]int, len(ids))
	for j, id := range ids {
		want[id] = j
	}
	out := make([]batchAnswer, len(ids))
	done := make([]bool, len(ids))
	for n, a := range *env.Responses {
		if a.ID == "" {
			return nil, fmt.Errorf("response %d has no id", n+1)
		}
		j, ok := want[a.ID]
		if !ok {
			return nil, fmt.Errorf("response %d answers an id that was not asked (%q)", n+1, redact.Field(a.ID))
		}
		if done[j] {
			return nil, fmt.Errorf("id %q is answered twice", a.ID)
		}
		if a.Status < 100 || a.Status > 599 {
			return nil, fmt.Errorf("response for id %q has status %d, which is not an HTTP status", a.ID, a.Status)
		}
		if string(a.Body) == "null" {
			a.Body = nil
		}
		out[j], done[j] = a, true
	}
	if n := len(*env.Responses); n < len(ids) {
		return nil, fmt.Errorf("it answers %d of %d requests", n, len(ids))
	}
	return out, nil
}

// header finds a header in a $batch item's headers, whatever its letter case.
func header(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// itemHeader turns a $batch item's headers into an http.Header.
func itemHeader(h map[string]string) http.Header {
	out := make(http.Header, len(h))
	for k, v := range h {
		out.Set(k, v)
	}
	return out
}
