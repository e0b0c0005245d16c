// Package partnercenter is a small client for the Partner Center REST API
// (api.partnercenter.microsoft.com): the partner's organization profile, the
// list of customers, and consent for the partner's app in a customer tenant
// (Secure Application Model).
//
// Shapes follow Microsoft's Partner Center REST reference: "Get an
// organization profile", "Get a list of customers", "Partner Center REST
// headers", "Partner Center REST error codes" and "Control Panel Vendor APIs"
// (learn.microsoft.com/partner-center/developer/...).
//
// Like the Graph client, it retries 429, 503 and 504 honouring Retry-After,
// sends its token only to its base URL, and never puts the token, a header or
// Microsoft's free-text description into an error message.
package partnercenter

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/retry"
)

// maxBody is the largest answer the client reads.
const maxBody = 32 << 20

// TokenSource hands out an access token for Partner Center
// (https://api.partnercenter.microsoft.com/user_impersonation). Partner Center
// refuses an App+User token whose sign-in did not include MFA (see
// Error.MFARequired).
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// Options tune a Client. The zero value gives the defaults.
type Options struct {
	MaxRetries int           // retries per request after the first try; default 5, negative for none
	MaxBackoff time.Duration // the longest single wait, Retry-After included; default 30s
	// Sleep waits between tries. Nil means a real wait that ends early when
	// the context is cancelled. Tests inject their own.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client calls Partner Center for one partner. It is safe for concurrent use.
type Client struct {
	base       string // absolute, no trailing slash
	hc         *http.Client
	tokens     TokenSource
	maxRetries int
	maxBackoff time.Duration
	sleep      func(ctx context.Context, d time.Duration) error
}

// New returns a client for the Partner Center API at baseURL, for example
// "https://api.partnercenter.microsoft.com" or the sandbox's
// "https://127.0.0.1:PORT/partnercenter" (cloud.Cloud.PartnerCenterURL). A nil
// hc means http.DefaultClient. The client never follows redirects.
//
// New panics when baseURL is not an absolute http(s) URL or tokens is nil:
// both come from the program, not from the user.
func New(baseURL string, hc *http.Client, tokens TokenSource, opts Options) *Client {
	base := strings.TrimRight(baseURL, "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		panic(fmt.Sprintf("partnercenter.New: base URL %q must be an absolute https address without user, query or fragment", baseURL))
	}
	if tokens == nil {
		panic("partnercenter.New: nil TokenSource")
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	noRedirect := *hc
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c := &Client{base: base, hc: &noRedirect, tokens: tokens, maxRetries: opts.MaxRetries, maxBackoff: opts.MaxBackoff, sleep: opts.Sleep}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = 5
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	if c.maxBackoff <= 0 {
		c.maxBackoff = 30 * time.Second
	}
	if c.sleep == nil {
		c.sleep = retry.Sleep
	}
	return c
}

// request is one call as the client sends it, possibly several times.
type request struct {
	method string
	path   string // below the base URL, starting with /v1/; may hold a query
	body   any
	header http.Header // extra headers, such as MS-ContinuationToken
}

// shown is what errors show of the request: its path without the query.
func (r request) shown() string {
	p, _, _ := strings.Cut(r.path, "?")
	return p
}

// answer is one answer, read in full.
type answer struct {
	status int
	body   []byte
}

// do sends a request, retrying 429, 503 and 504, and returns the answer of a
// 2xx status, or an *Error for any other status. The same MS-RequestId and
// MS-CorrelationId go with every try, as Partner Center asks for retries.
func (c *Client) do(ctx context.Context, r request) (answer, error) {
	var body []byte
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return answer{}, fmt.Errorf("partner center %s %s: encode the request body: %w", r.method, r.shown(), err)
		}
		body = b
	}
	requestID, correlationID := newGUID(), newGUID()
	for attempt := 0; ; attempt++ {
		a, header, again, err := c.attempt(ctx, r, body, requestID, correlationID)
		var wait time.Duration
		switch {
		case err != nil:
			if !again || ctx.Err() != nil || attempt >= c.maxRetries {
				return answer{}, err
			}
			wait = retry.Backoff(attempt, c.maxBackoff)
		case a.status >= 200 && a.status < 300:
			return a, nil
		default:
			e := newError(r.method, r.shown(), a.status, header, a.body, requestID)
			if !retry.Retryable(a.status) {
				return answer{}, e
			}
			if attempt >= c.maxRetries {
				return answer{}, fmt.Errorf("gave up after %d tries: %w", attempt+1, e)
			}
			wait = retry.Delay(attempt, header.Get("Retry-After"), c.maxBackoff, time.Now())
		}
		if err := c.sleep(ctx, wait); err != nil {
			return answer{}, fmt.Errorf("partner center %s %s: wait before trying again: %w", r.method, r.shown(), err)
		}
	}
}

// attempt sends a request once. again says whether a failure without an
// answer may be retried: only transport failures of a GET.
func (c *Client) attempt(ctx context.Context, r request, body []byte, requestID, correlationID string) (a answer, h http.Header, again bool, err error) {
	fail := func(what string, err error, again bool) (answer, http.Header, bool, error) {
		return answer{}, nil, again, fmt.Errorf("partner center %s %s: %s: %w", r.method, r.shown(), what, err)
	}
	token, err := c.tokens.Token(ctx)
	if err != nil {
		return fail("get an access token", err, false)
	}
	if token == "" {
		return fail("get an access token", errors.New("the token source gave an empty token"), false)
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, c.base+r.path, rd)
	if err != nil {
		return fail("build the request", err, false)
	}
	for k, vs := range r.header {
		req.Header[k] = vs
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("MS-RequestId", requestID)
	req.Header.Set("MS-CorrelationId", correlationID)
	req.Header.Set("X-Locale", "en-US")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	safe := r.method == http.MethodGet
	resp, err := c.hc.Do(req)
	if err != nil {
		return fail("send", err, safe)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return fail("read the answer", err, safe)
	}
	if len(b) > maxBody {
		return answer{}, nil, false, &DecodeError{Method: r.method, Path: r.shown(), Reason: fmt.Sprintf("the answer is larger than %d MiB", maxBody>>20)}
	}
	return answer{status: resp.StatusCode, body: b}, resp.Header, false, nil
}

// decodeInto decodes a 2xx answer that must hold one JSON object.
func decodeInto(r request, a answer, out any) error {
	b := bytes.TrimSpace(a.body)
	if len(b) == 0 || b[0] != '{' {
		return &DecodeError{Method: r.method, Path: r.shown(), Reason: "the answer is not a JSON object"}
	}
	if err := json.Unmarshal(b, out); err != nil {
		return &DecodeError{Method: r.method, Path: r.shown(), Reason: "the answer is not the JSON this request expects", Err: err}
	}
	return nil
}

// newGUID returns a random version 4 GUID for MS-RequestId and
// MS-CorrelationId.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
