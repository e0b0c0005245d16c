package partnercenter

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/redact"
	"github.com/onboard365/onboard365/internal/rest"
)

// mfaCode is the Partner Center error code of an App+User token whose sign-in
// did not include MFA (enforced since 1 April 2026; HTTP 401).
const mfaCode = "900421"

// Error is an answer from Partner Center with a status other than 2xx.
type Error struct {
	Method string // the request's method
	Path   string // the request's path below the base URL, without the query: "/v1/customers"
	Status int    // the HTTP status
	// Code is the body's "code" (a string or a number in the answer), such as
	// "900421"; empty when the body had none (a 401 often has no body). Only
	// short codes of letters, digits, "_" and "-" are kept.
	Code string
	// Description is the body's "description": Microsoft's free text, for a
	// developer's eyes, with anything shaped like a token removed. Error()
	// never includes it; show the user Explanation() instead.
	Description   string
	RequestID     string // the MS-RequestId of the answer, else the one the client sent
	CorrelationID string // the MS-CorrelationId of the answer
}

// Error names the request, the status and the code, and the request id that
// Microsoft support asks for. It never includes a header, the token or
// Microsoft's description.
func (e *Error) Error() string {
	s := fmt.Sprintf("Partner Center %s %s answered %d", e.Method, e.Path, e.Status)
	if e.Code != "" {
		s += " code " + e.Code
	}
	if e.RequestID != "" {
		s += " (MS-RequestId " + e.RequestID + ")"
	}
	return s
}

// MFARequired reports whether Partner Center refused the token because its
// sign-in had no MFA (error code 900421). The fix is a fresh sign-in with MFA.
func (e *Error) MFARequired() bool {
	return e.Code == mfaCode
}

// Explanation says in plain words what happened, why, and what to do.
func (e *Error) Explanation() explain.Explanation {
	if e.Code != "" {
		body, _ := json.Marshal(map[string]string{"code": e.Code})
		return explain.FromResponse(e.Status, body)
	}
	// No code: Partner Center's own words for the status when the table has
	// them (401: sign in again with MFA; 403: a Partner Center role is missing).
	if x, ok := explain.Lookup("Partner Center " + strconv.Itoa(e.Status)); ok {
		return x
	}
	return explain.FromResponse(e.Status, nil)
}

// newError makes the *Error of an answer. sentID is the MS-RequestId the
// client sent, used when the answer does not echo one.
func newError(method, path string, status int, header http.Header, body []byte, sentID string) *Error {
	e := &Error{Method: method, Path: path, Status: status}
	if d, ok := decodeError(body); ok {
		e.Code, e.Description = d.code, d.description
	}
	e.RequestID = redact.Field(header.Get("MS-RequestId"))
	if e.RequestID == "" {
		e.RequestID = sentID
	}
	e.CorrelationID = redact.Field(header.Get("MS-CorrelationId"))
	return e
}

type errorBody struct {
	code, description string
}

// decodeError reads Partner Center's error body (an ApiFault):
//
//	{"code": "900421" or 900421, "description": "...", "data": [...], "source": "..."}
//
// It reports false when the body is not a JSON object. The code is kept only
// when it is short and made of safe characters (see safeField).
func decodeError(body []byte) (errorBody, bool) {
	var b struct {
		Code        json.RawMessage `json:"code"`
		Description json.RawMessage `json:"description"`
	}
	if json.Unmarshal(body, &b) != nil {
		return errorBody{}, false
	}
	code := rest.JSONString(b.Code)
	if code == "" && isDigits(string(b.Code)) {
		code = string(b.Code) // a JSON number
	}
	return errorBody{code: redact.Field(code), description: redact.Tokens(rest.JSONString(b.Description))}, true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// DecodeError says that an answer could not be used (internal/rest's): its body is not the
// JSON expected, or a page link is unsafe or loops.
type DecodeError = rest.DecodeError
