// Package graph is a thin Microsoft Graph client on net/http: one request
// (Do, DoWithHeaders), every page of a collection (List, Pages), and many
// requests in few round trips ($batch: Batch).
//
// It retries what Microsoft asks to be retried (429, 503, 504, honouring
// Retry-After), keeps the number of requests in flight under a limit, decodes
// Graph's error body into *Error, and refuses answers it cannot read with a
// *DecodeError rather than returning partial data.
//
// The client sends its access token only to the scheme and host of the base
// URL it was made with. No error, panic or log line of this package contains
// the token: errors name the request, the status and Microsoft's error code,
// never a header or Microsoft's free-text message.
//
// The package has no models: each caller declares the structs it needs, with
// JSON tags that follow Graph's property names (see List).
package graph

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

// maxBody is the largest response body the client reads. Graph pages are a
// few hundred kilobytes; anything larger is refused, not truncated.
const maxBody = 64 << 20

// TokenSource hands out an access token for Microsoft Graph for the tenant this
// client works on. The client asks for a token before every request, so the
// source should cache tokens and renew them before they expire.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// Options tune a Client. The zero value gives the defaults.
type Options struct {
	MaxConcurrency int           // requests in flight at once across the client (pages and batches included); default 4
	MaxRetries     int           // retries per request and per batch item after the first try; default 5, negative for none
	MaxBackoff     time.Duration // the longest single wait, Retry-After included; default 30s
	// Sleep waits between tries. Nil means a real wait that ends early when
	// the context is cancelled. Tests inject their own.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client calls Microsoft Graph for one tenant. It is safe for concurrent use.
type Client struct {
	base       *url.URL // scheme, host and optional path prefix, no trailing slash
	hc         *http.Client
	tokens     TokenSource
	sem        chan struct{} // one slot per request in flight, shared by copies
	maxRetries int
	maxBackoff time.Duration
	sleep      func(ctx context.Context, d time.Duration) error
	header     http.Header // headers added to every request (Eventual)
}

// New returns a client for the Graph service at baseURL, for example
// "https://graph.microsoft.com" or the sandbox's "https://127.0.0.1:PORT/graph"
// (cloud.Cloud.GraphURL, without a version). A nil hc means
// http.DefaultClient. The client never follows redirects: a 3xx answer is an
// *Error, so the token is never sent anywhere else.
//
// New panics when baseURL is not an absolute http(s) URL or tokens is nil:
// both come from the program, not from the user.
func New(baseURL string, hc *http.Client, tokens TokenSource, opts Options) *Client {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		panic(fmt.Sprintf("graph.New: base URL %q must be an absolute https address without user, query or fragment", baseURL))
	}
	if tokens == nil {
		panic("graph.New: nil TokenSource")
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	noRedirect := *hc
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	c := &Client{
		base:       u,
		hc:         &noRedirect,
		tokens:     tokens,
		maxRetries: opts.MaxRetries,
		maxBackoff: opts.MaxBackoff,
		sleep:      opts.Sleep,
	}
	if opts.MaxConcurrency <= 0 {
		opts.MaxConcurrency = 4
	}
	c.sem = make(chan struct{}, opts.MaxConcurrency)
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

// Eventual returns a client that sends "ConsistencyLevel: eventual" with every
// request, as Graph's advanced queries ($count, $search, some $filter and
// $orderby) require. It shares the receiver's concurrency limit.
func (c *Client) Eventual() *Client {
	e := *c
	e.header = c.header.Clone()
	if e.header == nil {
		e.header = http.Header{}
	}
	e.header.Set("ConsistencyLevel", "eventual")
	return &e
}

// Do sends one request and decodes the answer into out.
//
// path is relative to the base URL and starts with the version:
// "/v1.0/tenantRelationships/delegatedAdminRelationships" or "/beta/...". It
// must already be escaped (use url.PathEscape for ids and url.Values.Encode
// for a query). in, when not nil, is sent as JSON. out, when not nil, receives
// the JSON body of a 2xx answer; an answer without a body (204) leaves it
// untouched.
//
// A non-2xx answer is an *Error; a 2xx body that does not decode into out is a
// *DecodeError.
func (c *Client) Do(ctx context.Context, method, path string, in, out any) error {
	_, err := c.DoWithHeaders(ctx, method, path, nil, in, out)
	return err
}

// Response is what DoWithHeaders reports besides the decoded body.
type Response struct {
	Status int
	Header http.Header // for example Location after a 202 Accepted, or ETag
}

// DoWithHeaders is Do with extra request headers, such as If-Match (PATCH of
// an access assignment needs it), and with the status and headers of the
// answer, such as Location after 202 Accepted. The extra headers cannot
// replace Authorization.
func (c *Client) DoWithHeaders(ctx context.Context, method, path string, header http.Header, in, out any) (*Response, error) {
	k, err := c.newCall(method, path, header, in)
	if err != nil {
		return nil, err
	}
	r, err := c.send(ctx, k)
	if err != nil {
		return nil, err
	}
	if out != nil && len(bytes.TrimSpace(r.body)) > 0 {
		if err := json.Unmarshal(r.body, out); err != nil {
			return nil, &DecodeError{Method: k.method, Path: k.path, Reason: "the answer is not the JSON this request expects", Err: err}
		}
	}
	return &Response{Status: r.status, Header: r.header}, nil
}

// call is one request as the client sends it, possibly several times.
type call struct {
	method string
	url    string      // absolute
	path   string      // what errors show: the path below the base URL, without the query
	body   []byte      // nil when there is no body
	header http.Header // extra request headers
}

// reply is one answer, read in full.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// newCall checks a caller's path and encodes the body.
func (c *Client) newCall(method, path string, header http.Header, in any) (call, error) {
	shown, _, _ := strings.Cut(path, "?")
	if method == "" || strings.ContainsAny(method, " \t\r\n") {
		return call{}, fmt.Errorf("graph request %q: method %q is not valid", shown, method)
	}
	if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") {
		return call{}, fmt.Errorf("graph %s %q: the path must start with one / and the version, as in /v1.0/users", method, shown)
	}
	full := c.base.String() + path
	if _, err := url.Parse(full); err != nil {
		return call{}, fmt.Errorf("graph %s %s: the path is not a valid URL path (escape ids and queries): %w", method, shown, err)
	}
	k := call{method: method, url: full, path: shown, header: c.header}
	if len(header) > 0 {
		k.header = c.header.Clone()
		if k.header == nil {
			k.header = http.Header{}
		}
		for key, vs := range header {
			k.header[http.CanonicalHeaderKey(key)] = append([]string(nil), vs...)
		}
	}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return call{}, fmt.Errorf("graph %s %s: encode the request body: %w", method, shown, err)
		}
		k.body = b
	}
	return k, nil
}

// send makes a call, retrying what may be retried. It returns the reply of a
// 2xx answer, or an error: *Error for any other status.
func (c *Client) send(ctx context.Context, k call) (reply, error) {
	for attempt := 0; ; attempt++ {
		r, again, err := c.attempt(ctx, k)
		var wait time.Duration
		switch {
		case err != nil:
			if !again || ctx.Err() != nil || attempt >= c.maxRetries {
				return reply{}, err
			}
			wait = retry.Backoff(attempt, c.maxBackoff)
		case r.status >= 200 && r.status < 300:
			return r, nil
		default:
			e := newError(k.method, k.path, r.status, r.header, r.body)
			if !retry.Retryable(r.status) {
				return reply{}, e
			}
			if attempt >= c.maxRetries {
				return reply{}, fmt.Errorf("gave up after %d tries: %w", attempt+1, e)
			}
			wait = retry.Delay(attempt, r.header.Get("Retry-After"), c.maxBackoff, time.Now())
		}
		if err := c.sleep(ctx, wait); err != nil {
			return reply{}, fmt.Errorf("graph %s %s: wait before trying again: %w", k.method, k.path, err)
		}
	}
}

// attempt sends a call once. again says whether a failure without an answer
// may be retried: only transport failures of requests that change nothing.
func (c *Client) attempt(ctx context.Context, k call) (r reply, again bool, err error) {
	token, err := c.tokens.Token(ctx)
	if err != nil {
		return reply{}, false, fmt.Errorf("graph %s %s: get an access token: %w", k.method, k.path, err)
	}
	if token == "" {
		return reply{}, false, fmt.Errorf("graph %s %s: the token source gave an empty access token", k.method, k.path)
	}
	var body io.Reader
	if k.body != nil {
		body = bytes.NewReader(k.body)
	}
	req, err := http.NewRequestWithContext(ctx, k.method, k.url, body)
	if err != nil {
		return reply{}, false, fmt.Errorf("graph %s %s: build the request: %w", k.method, k.path, err)
	}
	for key, vs := range k.header {
		req.Header[key] = vs
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	if k.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return reply{}, false, fmt.Errorf("graph %s %s: %w", k.method, k.path, ctx.Err())
	}
	defer func() { <-c.sem }()

	safe := k.method == http.MethodGet || k.method == http.MethodHead
	resp, err := c.hc.Do(req)
	if err != nil {
		return reply{}, safe, fmt.Errorf("graph %s %s: %w", k.method, k.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return reply{}, safe, fmt.Errorf("graph %s %s: read the answer: %w", k.method, k.path, err)
	}
	if len(b) > maxBody {
		return reply{}, false, &DecodeError{Method: k.method, Path: k.path, Reason: fmt.Sprintf("the answer is larger than %d MiB", maxBody>>20)}
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}, false, nil
}

// ErrOtherHost is wrapped by the error of a page link that leads away from the
// client's base URL.
var ErrOtherHost = errors.New("link leads to another host")

// sameOrigin parses a link Graph sent and checks that it has the base URL's
// scheme and host, so that the token never goes anywhere else.
func (c *Client) sameOrigin(link string) (*url.URL, error) {
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

// shownPath is what errors show for an absolute link: its path below the base
// URL, without the query.
func (c *Client) shownPath(u *url.URL) string {
	p := u.EscapedPath()
	if rest, ok := strings.CutPrefix(p, c.base.EscapedPath()); ok && strings.HasPrefix(rest, "/") {
		return rest
	}
	return p
}
