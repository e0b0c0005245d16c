package explain

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"
)

type explained struct{ x Explanation }

func (e explained) Error() string            { return "raw text with AADSTS50076" }
func (e explained) Explanation() Explanation { return e.x }

type namedService struct{ err error }

func (e namedService) Error() string   { return "reach it: " + e.err.Error() }
func (e namedService) Unwrap() error   { return e.err }
func (e namedService) Service() string { return "Partner Center" }

// The one path from an error to a sentence: an error that explains itself first (the outermost),
// then a stop, then a network or certificate failure named by its service, then a code in the
// text, and last the app's own sentence, cleaned.
func TestSentence(t *testing.T) {
	outer := explained{Explanation{What: "Onboard365 stopped waiting.", Do: "Wait a few minutes."}}
	tests := []struct {
		name string
		err  error
		says string
		not  string
	}{
		{"nothing", nil, "", "x"},
		{"explains itself, over the code in its text", fmt.Errorf("reading: %w", outer), "Onboard365 stopped waiting. Wait a few minutes.", "MFA"},
		{"stopped", fmt.Errorf("graph GET /x: %w", context.Canceled), "Stopped before it finished. Nothing more was changed.", "graph"},
		{"too long", context.DeadlineExceeded, "This took too long and was stopped. Check your internet connection", "  "},
		{"refused, named by its service", namedService{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}}, "Partner Center refused the connection.", "dial"},
		{"a certificate", namedService{x509.UnknownAuthorityError{}}, "did not trust the certificate of Partner Center", "x509"},
		{"a name not found", &net.DNSError{Name: "graph.example", Err: "no such host"}, "could not find Microsoft on the network", "no such host"},
		{"a code in the text", errors.New("sign-in failed: AADSTS50076"), "second sign-in check (MFA)", "sign-in failed"},
		{"the app's own", errors.New("give the profile a name"), "Give the profile a name.", ""},
		{"the app's own, cleaned", errors.New("no customer called \x1b[31mx\u202e"), "No customer called x.", "\x1b"},
	}
	for _, tt := range tests {
		got := Sentence(tt.err)
		if !strings.Contains(got, tt.says) || (tt.not != "" && strings.Contains(got, tt.not)) {
			t.Errorf("%s: %q, want it to say %q and not %q", tt.name, got, tt.says, tt.not)
		}
	}
}

// GaveUp and Network are the core's explanations: neither tells the person that the app waits.
func TestGaveUpAndNetwork(t *testing.T) {
	for _, x := range []Explanation{GaveUp("Microsoft Graph", 429, 6), GaveUp("Partner Center", 503, 3),
		Network("Microsoft Graph", errors.New("stream error: stream ID 43; INTERNAL_ERROR"), 4)} {
		s := x.String()
		if strings.Contains(s, "do not need to do anything") || strings.Contains(s, "stream ID") || !x.Known ||
			!(strings.Contains(s, "Microsoft Graph") || strings.Contains(s, "Partner Center")) {
			t.Errorf("%q", s)
		}
	}
	if s := GaveUp("Microsoft Graph", 429, 6).What; !strings.Contains(s, "after 6 tries") {
		t.Errorf("GaveUp says %q", s)
	}
}
