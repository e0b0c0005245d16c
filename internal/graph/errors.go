package graph

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/redact"
	"github.com/onboard365/onboard365/internal/rest"
)

// Error is an answer from Microsoft Graph with a status other than 2xx, or a
// $batch item with status 400 or more.
type Error struct {
	Method string // the request's method
	Path   string // the request's path below the base URL, without the query: "/v1.0/users/{id}"
	Status int    // the HTTP status
	// Code is Graph's error.code, such as "Authorization_RequestDenied"; empty
	// when the body had none. Only short codes of letters, digits, "_" and "-"
	// are kept.
	Code string
	// Message is Graph's error.message: Microsoft's free text, for a developer's
	// eyes, with anything shaped like a token removed (see redact). Error()
	// never includes it; show the user Explanation() instead.
	Message   string
	RequestID string // error.innerError.request-id, or the request-id header
	Date      string // error.innerError.date, or the Date header
}

// Error names the request, the status and the Graph code, and the request id
// and date that Microsoft support asks for. It never includes a header, the
// token or Microsoft's message.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Microsoft Graph %s %s answered %d", e.Method, e.Path, e.Status)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.RequestID != "" || e.Date != "" {
		b.WriteString(" (")
		if e.RequestID != "" {
			b.WriteString("request-id " + e.RequestID)
		}
		if e.RequestID != "" && e.Date != "" {
			b.WriteString(", ")
		}
		if e.Date != "" {
			b.WriteString("date " + e.Date)
		}
		b.WriteString(")")
	}
	return b.String()
}

// Explanation says in plain words what happened, why, and what to do.
func (e *Error) Explanation() explain.Explanation {
	var body []byte
	if e.Code != "" {
		body, _ = json.Marshal(map[string]map[string]string{"error": {"code": e.Code}})
	}
	return explain.FromResponse(e.Status, body)
}

// newError makes the *Error of an answer. header may be nil (batch items
// without headers).
func newError(method, path string, status int, header http.Header, body []byte) *Error {
	e := &Error{Method: method, Path: path, Status: status}
	if d, ok := decodeError(body); ok {
		e.Code, e.Message, e.RequestID, e.Date = d.code, d.message, d.requestID, d.date
	}
	if e.RequestID == "" {
		e.RequestID = redact.Field(header.Get("request-id"))
	}
	if e.Date == "" {
		e.Date = redact.Field(header.Get("Date"))
	}
	return e
}

// errorBody is what decodeError reads from Graph's error body.
type errorBody struct {
	code, message, requestID, date string
}

// decodeError reads Graph's error body:
//
//	{"error":{"code":"...","message":"...","innerError":{"date":"...","request-id":"...","client-request-id":"..."}}}
//
// It reports false when the body is not JSON or has no "error" object. Fields
// of the wrong type are left empty; code, request id and date are kept only
// when they are short and made of safe characters (see safeField), so that no
// secret echoed by a server can reach an error message.
func decodeError(body []byte) (errorBody, bool) {
	var outer struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &outer) != nil || len(outer.Error) == 0 || outer.Error[0] != '{' {
		return errorBody{}, false
	}
	var inner struct {
		Code       json.RawMessage `json:"code"`
		Message    json.RawMessage `json:"message"`
		InnerError json.RawMessage `json:"innerError"`
	}
	if json.Unmarshal(outer.Error, &inner) != nil {
		return errorBody{}, false
	}
	d := errorBody{code: redact.Field(rest.JSONString(inner.Code)), message: redact.Tokens(rest.JSONString(inner.Message))}
	var ie struct {
		Date      json.RawMessage `json:"date"`
		RequestID json.RawMessage `json:"request-id"`
	}
	if len(inner.InnerError) > 0 && inner.InnerError[0] == '{' && json.Unmarshal(inner.InnerError, &ie) == nil {
		d.date = redact.Field(rest.JSONString(ie.Date))
		d.requestID = redact.Field(rest.JSONString(ie.RequestID))
	}
	return d, true
}

// DecodeError says that an answer could not be used (internal/rest's): its body is not the
// JSON expected, or a page link is unsafe or loops.
type DecodeError = rest.DecodeError
