package rest

import (
	"fmt"

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
