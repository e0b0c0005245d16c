// Package graph is a thin Microsoft Graph client on net/http: one request
// (Do, DoWithHeaders), every page of a collection (List, Pages), and many
// requests in few round trips ($batch: Batch).
//
// Its HTTP core is internal/rest's: it retries what Microsoft asks to be
// retried (429, 503, 504, honouring Retry-After) and reads that change nothing
// whose answer did not come whole, and keeps the number of requests in flight
// under a limit. This package decodes Graph's error body into *Error, and
// refuses answers it cannot read with a *DecodeError rather than returning
// partial data.
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
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/onboard365/onboard365/internal/rest"
)

// TokenSource hands out an access token for Microsoft Graph for the tenant this
// client works on. The client asks for a token before every request, so the
// source should cache tokens and renew them before they expire.
type TokenSource = rest.TokenSource

// Options tune a Client (internal/rest's). The zero value gives the defaults:
// 4 requests in flight at once across the client (pages and batches
// included), 5 retries per request and per batch item, waits of at most 30 s.
type Options = rest.Options

// Client calls Microsoft Graph for one tenant. It is safe for concurrent use.
type Client struct {
	core   *rest.Client
	header http.Header // headers added to every request (Eventual)
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
	core, err := rest.New(rest.Config{
		Service: service, BaseURL: baseURL, HTTP: hc, Tokens: tokens, Options: opts,
		ErrorOf: func(r rest.Request, a rest.Answer) error {
			return newError(r.Method, r.Path, a.Status, a.Header, a.Body)
		},
	})
	if err != nil {
		panic("graph.New: " + err.Error())
	}
	return &Client{core: core}
}

// service is how errors name Microsoft Graph.
const service = "Microsoft Graph"

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
	r, err := c.core.Send(ctx, k)
	if err != nil {
		return nil, err
	}
	if out != nil && len(bytes.TrimSpace(r.Body)) > 0 {
		if err := json.Unmarshal(r.Body, out); err != nil {
			return nil, &DecodeError{Service: service, Method: k.Method, Path: k.Path, Reason: "the answer is not the JSON this request expects", Err: err}
		}
	}
	return &Response{Status: r.Status, Header: r.Header}, nil
}

// newCall checks a caller's path and encodes the body.
func (c *Client) newCall(method, path string, header http.Header, in any) (rest.Request, error) {
	shown, _, _ := strings.Cut(path, "?")
	if method == "" || strings.ContainsAny(method, " \t\r\n") {
		return rest.Request{}, fmt.Errorf("graph request %q: method %q is not valid", shown, method)
	}
	if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") {
		return rest.Request{}, fmt.Errorf("graph %s %q: the path must start with one / and the version, as in /v1.0/users", method, shown)
	}
	full := c.core.Base().String() + path
	if _, err := url.Parse(full); err != nil {
		return rest.Request{}, fmt.Errorf("graph %s %s: the path is not a valid URL path (escape ids and queries): %w", method, shown, err)
	}
	k := rest.Request{Method: method, URL: full, Path: shown, Header: c.header}
	if len(header) > 0 {
		k.Header = c.header.Clone()
		if k.Header == nil {
			k.Header = http.Header{}
		}
		for key, vs := range header {
			k.Header[http.CanonicalHeaderKey(key)] = append([]string(nil), vs...)
		}
	}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return rest.Request{}, fmt.Errorf("graph %s %s: encode the request body: %w", method, shown, err)
		}
		k.Body = b
	}
	return k, nil
}

// ErrOtherHost is wrapped by the error of a page link that leads away from the
// client's base URL.
var ErrOtherHost = rest.ErrOtherHost
