package rest

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/onboard365/onboard365/internal/explain"
)

// GaveUpError is a request that Microsoft kept answering with 429, 503 or 504 until the client
// stopped trying. Err is the service's own error for the last answer.
type GaveUpError struct {
	Service, Method, Path string
	Tries                 int
	Status                int
	Err                   error
}

func (e *GaveUpError) Error() string {
	return fmt.Sprintf("gave up after %d tries: %v", e.Tries, e.Err)
}

func (e *GaveUpError) Unwrap() error { return e.Err }

// Explanation says that Microsoft kept asking to wait, and that the person can try again later.
func (e *GaveUpError) Explanation() explain.Explanation {
	return explain.GaveUp(e.Service, e.Status, e.Tries)
}

// NetworkError is a request that got no whole answer: the connection could not be made, broke
// (a dropped HTTP/2 stream), or the answer was cut off.
type NetworkError struct {
	Service, Method, Path string
	Tries                 int  // how often it was sent
	CutOff                bool // an answer began but did not end
	Err                   error
}

func (e *NetworkError) Error() string {
	if e.CutOff {
		return fmt.Sprintf("%s %s %s: read the answer: %v", e.Service, e.Method, e.Path, e.Err)
	}
	return fmt.Sprintf("%s %s %s: %v", e.Service, e.Method, e.Path, e.Err)
}

func (e *NetworkError) Unwrap() error { return e.Err }

// Explanation names the service and says what broke, in plain words.
func (e *NetworkError) Explanation() explain.Explanation {
	return explain.Network(e.Service, e.Err, e.Tries)
}

// DecodeError says that an answer could not be used: its body is not the JSON expected (not
// JSON, cut short, a page without its items, a malformed $batch answer) or a page link is unsafe
// or loops.
type DecodeError struct {
	Service string // "Microsoft Graph", "Partner Center"
	Method  string
	Path    string
	Page    int    // the 1-based page number when listing, else 0
	Reason  string // what is wrong, as a sentence fragment
	Err     error  // the underlying decoding error, if any
}

func (e *DecodeError) Error() string {
	service := e.Service
	if service == "" {
		service = "Microsoft"
	}
	s := service + " " + e.Method + " " + e.Path
	if e.Page > 0 {
		s += " page " + strconv.Itoa(e.Page)
	}
	s += ": " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Explanation says in plain words that the service's answer could not be used.
func (e *DecodeError) Explanation() explain.Explanation { return explain.Unreadable(e.Service) }

// JSONString is the value of a JSON string, or "" for anything else (error bodies disagree on
// the types of their fields).
func JSONString(raw json.RawMessage) string {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}
