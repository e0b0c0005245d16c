package explain

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"

	"github.com/onboard365/onboard365/internal/words"
)

// Explainer is an error that explains itself: Microsoft Graph's and Partner Center's errors, and
// the HTTP core's "gave up" and network errors.
type Explainer interface {
	Explanation() Explanation
}

// servicer is an error that names the service it happened with.
type servicer interface {
	Service() string
}

// Of is the one path from an error to its explanation, in this order: an error of the chain that
// explains itself (errors.As, so the outermost one wins: "gave up after 6 tries" over the 429
// inside it); a request stopped by the person or by its time limit; a network or certificate
// error, named by the service it happened with; and last, a code found in the error's text. It
// reports false when none of these applies: the error is the app's own sentence.
func Of(err error) (Explanation, bool) {
	if err == nil {
		return Explanation{}, false
	}
	var x Explainer
	if errors.As(err, &x) {
		return x.Explanation(), true
	}
	switch {
	case errors.Is(err, context.Canceled):
		return Explanation{Known: true, What: "Stopped before it finished.", Why: "Nothing more was changed.", Do: "Press Try again to run this step again."}, true
	case errors.Is(err, context.DeadlineExceeded):
		return Explanation{Known: true, What: "This took too long and was stopped.", Do: "Check your internet connection, then press Try again."}, true
	}
	if isNetwork(err) {
		service := ""
		var s servicer
		if errors.As(err, &s) {
			service = s.Service()
		}
		return Network(service, err, 0), true
	}
	if e := FromText(err.Error()); e.Known {
		return e, true
	}
	return Explanation{}, false
}

// isNetwork says whether err is a failure to reach a service: a certificate it did not trust,
// a name not found, a connection refused, timed out or broken.
func isNetwork(err error) bool {
	var (
		unknownCA x509.UnknownAuthorityError
		invalid   x509.CertificateInvalidError
		hostname  x509.HostnameError
		verify    *tls.CertificateVerificationError
		opErr     *net.OpError
		dns       *net.DNSError
	)
	return errors.As(err, &unknownCA) || errors.As(err, &invalid) || errors.As(err, &hostname) || errors.As(err, &verify) ||
		errors.As(err, &opErr) || errors.As(err, &dns)
}

// Sentence is what a person reads of an error: what happened, why, and what to do (Of); or,
// for the app's own errors, which are written as sentences already, the error itself, cleaned
// and made one sentence. It is what the window and the command line show of every error.
func Sentence(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := Of(err); ok {
		return words.Clean(e.String())
	}
	if s := words.Sentence(words.Clean(err.Error())); s != "" {
		return s
	}
	return "Something went wrong and no reason was given. Wait a moment, then press Try again."
}
