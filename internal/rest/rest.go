// Package rest is the one HTTP core under the app's Microsoft clients (internal/graph and
// internal/partnercenter, each a thin layer of its own): a JSON request to one service, with an
// access token that goes to that service's origin only, sent again when Microsoft asks for it
// (429, 503 and 504, honouring Retry-After) and, for requests that change nothing, when no whole
// answer came (a dropped connection or HTTP/2 stream, an answer cut off), with a limit on the
// requests in flight and on the size of an answer.
//
// No error of this package contains the token, a header or Microsoft's free text: errors name
// the service, the request's method and path, and what went wrong. When the core stops trying,
// its error says so: a *GaveUpError (Microsoft kept asking to wait) or a *NetworkError (no whole
// answer came); both carry an Explanation in plain words.
package rest

import (
	"bytes"
	"context"
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

// TokenSource hands out an access token for the service, for the tenant the client works on.
// It is asked before every try, so it should cache tokens and renew them before they expire.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// Options tune a Client. The zero value gives the defaults.
type Options struct {
	MaxConcurrency int           // requests in flight at once across the client; default 4
	MaxRetries     int           // retries per request after the first try; default 5, negative for none
	MaxBackoff     time.Duration // the longest single wait, Retry-After included; default 30s
	// Sleep waits between tries. Nil means a real wait that ends early when the context is
	// cancelled. Tests inject their own.
	Sleep func(ctx context.Context, d time.Duration) error
}

// MaxBody is the largest answer a client reads. Graph's pages and $batch answers are a few
// hundred kilobytes, Partner Center's less; anything larger is refused, not truncated.
const MaxBody = 64 << 20

// Config describes the service a Client calls.
type Config struct {
	Service string // the service's name in errors: "Microsoft Graph", "Partner Center"
	BaseURL string // scheme, host and optional path prefix: the only place the token is sent
	HTTP    *http.Client
	Tokens  TokenSource
	Options Options
	// ErrorOf turns an answer with a status other than 2xx into the service's own error.
	ErrorOf func(r Request, a Answer) error
}

// Client sends requests to one service. It is safe for concurrent use; copies share the limit
// on requests in flight.
type Client struct {
	cfg        Config
	base       *url.URL
	hc         *http.Client
	sem        chan struct{}
	maxRetries int
	maxBackoff time.Duration
	sleep      func(ctx context.Context, d time.Duration) error
}

// New checks the base URL and sets the defaults. The client never follows redirects: a 3xx
// answer is the service's error, so the token is never sent anywhere else.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("base URL %q must be an absolute https address without user, query or fragment", cfg.BaseURL)
	}
	if cfg.Tokens == nil {
		return nil, errors.New("nil TokenSource")
	}
	hc := cfg.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	noRedirect := *hc
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	o := cfg.Options
	c := &Client{cfg: cfg, base: u, hc: &noRedirect, maxRetries: o.MaxRetries, maxBackoff: o.MaxBackoff, sleep: o.Sleep}
	if o.MaxConcurrency <= 0 {
		o.MaxConcurrency = 4
	}
	c.sem = make(chan struct{}, o.MaxConcurrency)
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
	return c, nil
}

// Base is the base URL, without a trailing slash.
func (c *Client) Base() *url.URL { return c.base }

// MaxRetries is how often a request is tried again at most.
func (c *Client) MaxRetries() int { return c.maxRetries }

// Wait sleeps before another try, as the client's options say; it ends early when ctx ends.
func (c *Client) Wait(ctx context.Context, d time.Duration) error {
	return c.sleep(ctx, min(d, c.maxBackoff))
}

// Backoff is the wait before retry number attempt when the service named none.
func (c *Client) Backoff(attempt int) time.Duration { return retry.Backoff(attempt, c.maxBackoff) }

// Request is one request, as it is sent, possibly several times.
type Request struct {
	Method string
	URL    string      // absolute; on the base URL's origin (see SameOrigin)
	Path   string      // what errors show of it: the path below the base URL, without the query
	Body   []byte      // JSON; nil for none
	Header http.Header // headers besides Authorization, Accept and Content-Type
	// Idempotent says the request changes nothing, so it may be sent again when no whole answer
	// came. GET and HEAD always are; a caller marks others (a $batch of GETs).
	Idempotent bool
}

// Answer is one answer, read in full.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// Send sends a request, trying again what may be tried again, and returns the answer of a 2xx
// status. Any other status is the service's error (Config.ErrorOf); one Microsoft kept answering
// with 429, 503 or 504 is a *GaveUpError around it. A request that got no whole answer is a
// *NetworkError. A 2xx answer to an idempotent request that is not whole JSON (cut off) is
// tried again; if it stays cut off, it is returned, for the caller's decoding to refuse.
func (c *Client) Send(ctx context.Context, r Request) (Answer, error) {
	idempotent := r.Idempotent || r.Method == http.MethodGet || r.Method == http.MethodHead
	for attempt := 0; ; attempt++ {
		a, err := c.attempt(ctx, r)
		last := attempt >= c.maxRetries
		var wait time.Duration
		var ne *NetworkError
		switch {
		case errors.As(err, &ne):
			ne.Tries = attempt + 1
			if !idempotent || ctx.Err() != nil || last {
				return Answer{}, err
			}
			wait = retry.Backoff(attempt, c.maxBackoff)
		case err != nil:
			return Answer{}, err
		case a.Status >= 200 && a.Status < 300:
			if !idempotent || last || len(bytes.TrimSpace(a.Body)) == 0 || json.Valid(a.Body) {
				return a, nil
			}
			wait = retry.Backoff(attempt, c.maxBackoff) // cut off: the whole answer may come next time
		default:
			e := c.cfg.ErrorOf(r, a)
			if !retry.Retryable(a.Status) {
				return Answer{}, e
			}
			if last {
				return Answer{}, &GaveUpError{Service: c.cfg.Service, Method: r.Method, Path: r.Path, Tries: attempt + 1, Status: a.Status, Err: e}
			}
			wait = retry.Delay(attempt, a.Header.Get("Retry-After"), c.maxBackoff, time.Now())
		}
		if err := c.sleep(ctx, wait); err != nil {
			return Answer{}, fmt.Errorf("%s %s %s: wait before trying again: %w", c.cfg.Service, r.Method, r.Path, err)
		}
	}
}

// attempt sends a request once.
func (c *Client) attempt(ctx context.Context, r Request) (Answer, error) {
	fail := func(what string, err error) error {
		return fmt.Errorf("%s %s %s: %s: %w", c.cfg.Service, r.Method, r.Path, what, err)
	}
	token, err := c.cfg.Tokens.Token(ctx)
	if err != nil {
		return Answer{}, fail("get an access token", err)
	}
	if token == "" {
		return Answer{}, fail("get an access token", errors.New("the token source gave an empty access token"))
	}
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return Answer{}, fail("build the request", err)
	}
	for key, vs := range r.Header {
		req.Header[key] = vs
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	if r.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return Answer{}, fmt.Errorf("%s %s %s: %w", c.cfg.Service, r.Method, r.Path, ctx.Err())
	}
	defer func() { <-c.sem }()

	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil { // stopped by the person or a time limit, not by the network
			return Answer{}, fmt.Errorf("%s %s %s: %w", c.cfg.Service, r.Method, r.Path, ctx.Err())
		}
		return Answer{}, &NetworkError{Service: c.cfg.Service, Method: r.Method, Path: r.Path, Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		if ctx.Err() != nil {
			return Answer{}, fmt.Errorf("%s %s %s: read the answer: %w", c.cfg.Service, r.Method, r.Path, ctx.Err())
		}
		return Answer{}, &NetworkError{Service: c.cfg.Service, Method: r.Method, Path: r.Path, Err: err, CutOff: true}
	}
	if len(b) > MaxBody {
		return Answer{}, &DecodeError{Service: c.cfg.Service, Method: r.Method, Path: r.Path, Reason: fmt.Sprintf("the answer is larger than %d MiB", MaxBody>>20)}
	}
	return Answer{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// ErrOtherHost is wrapped by the error of a link that leads away from the client's base URL.
var ErrOtherHost = errors.New("link leads to another host")

// SameOrigin parses a link the service sent (a next page) and checks that it has the base URL's
// scheme and host, so that the token never goes anywhere else.
func (c *Client) SameOrigin(link string) (*url.URL, error) {
	u, err := url.Parse(link)
	if err != nil {
		return nil, fmt.Errorf("the link is not a valid URL: %w", err)
	}
	if !u.IsAbs() || u.User != nil || !strings.EqualFold(u.Scheme, c.base.Scheme) || !strings.EqualFold(hostPort(u), hostPort(c.base)) {
		return nil, fmt.Errorf("%w: it points to %s://%s, and this client only sends its token to %s://%s",
			ErrOtherHost, u.Scheme, u.Host, c.base.Scheme, c.base.Host)
	}
	return u, nil
}

// hostPort is u's host with the scheme's default port made explicit.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[strings.ToLower(u.Scheme)]
	}
	return u.Hostname() + ":" + port
}

// ShownPath is what errors show for an absolute link: its path below the base URL, without the
// query.
func (c *Client) ShownPath(u *url.URL) string {
	p := u.EscapedPath()
	if rest, ok := strings.CutPrefix(p, c.base.EscapedPath()); ok && strings.HasPrefix(rest, "/") {
		return rest
	}
	return p
}
