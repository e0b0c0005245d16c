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
// Its HTTP core is internal/rest's, as the Graph client's: it retries 429, 503
// and 504 honouring Retry-After, and reads whose answer did not come whole,
// keeps a few requests in flight at most, sends its token only to its base
// URL, and never puts the token, a header or Microsoft's free-text description
// into an error message.
package partnercenter

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/onboard365/onboard365/internal/rest"
)

// TokenSource hands out an access token for Partner Center
// (https://api.partnercenter.microsoft.com/user_impersonation). Partner Center
// refuses an App+User token whose sign-in did not include MFA (see
// Error.MFARequired).
type TokenSource = rest.TokenSource

// Options tune a Client (internal/rest's). The zero value gives the defaults:
// 4 requests in flight at once, 5 retries per request, waits of at most 30 s.
type Options = rest.Options

// Client calls Partner Center for one partner. It is safe for concurrent use.
type Client struct {
	core *rest.Client
	base string // absolute, no trailing slash
}

// service is how errors name Partner Center.
const service = "Partner Center"

// New returns a client for the Partner Center API at baseURL, for example
// "https://api.partnercenter.microsoft.com" or the sandbox's
// "https://127.0.0.1:PORT/partnercenter" (cloud.Cloud.PartnerCenterURL). A nil
// hc means http.DefaultClient. The client never follows redirects.
//
// New panics when baseURL is not an absolute http(s) URL or tokens is nil:
// both come from the program, not from the user.
func New(baseURL string, hc *http.Client, tokens TokenSource, opts Options) *Client {
	core, err := rest.New(rest.Config{
		Service: service, BaseURL: baseURL, HTTP: hc, Tokens: tokens, Options: opts,
		ErrorOf: func(r rest.Request, a rest.Answer) error {
			return newError(r.Method, r.Path, a.Status, a.Header, a.Body, r.Header.Get("MS-RequestId"))
		},
	})
	if err != nil {
		panic("partnercenter.New: " + err.Error())
	}
	return &Client{core: core, base: core.Base().String()}
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

// do sends a request through the core (retrying 429, 503 and 504, and reads whose answer did
// not come whole) and returns the answer of a 2xx status, or an *Error for any other status. The
// same MS-RequestId and MS-CorrelationId go with every try, as Partner Center asks for retries.
func (c *Client) do(ctx context.Context, r request) (answer, error) {
	k := rest.Request{Method: r.method, URL: c.base + r.path, Path: r.shown(), Header: http.Header{}}
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return answer{}, fmt.Errorf("partner center %s %s: encode the request body: %w", r.method, r.shown(), err)
		}
		k.Body = b
	}
	for key, vs := range r.header {
		k.Header[key] = vs
	}
	k.Header.Set("MS-RequestId", newGUID())
	k.Header.Set("MS-CorrelationId", newGUID())
	k.Header.Set("X-Locale", "en-US")
	a, err := c.core.Send(ctx, k)
	if err != nil {
		return answer{}, err
	}
	return answer{status: a.Status, body: a.Body}, nil
}

// decodeInto decodes a 2xx answer that must hold one JSON object.
func decodeInto(r request, a answer, out any) error {
	b := bytes.TrimSpace(a.body)
	if len(b) == 0 || b[0] != '{' {
		return &DecodeError{Service: service, Method: r.method, Path: r.shown(), Reason: "the answer is not a JSON object"}
	}
	if err := json.Unmarshal(b, out); err != nil {
		return &DecodeError{Service: service, Method: r.method, Path: r.shown(), Reason: "the answer is not the JSON this request expects", Err: err}
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
