package explain

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// GaveUp explains a request that Microsoft kept answering with "try again later" (status 429,
// 503 or 504) until the app stopped trying: unlike a single 429, there is something to do.
func GaveUp(service string, status, tries int) Explanation {
	if service == "" {
		service = "Microsoft"
	}
	e := Explanation{Code: "HTTP " + strconv.Itoa(status), Known: true}
	if status == 429 {
		e.What = fmt.Sprintf("%s kept asking Onboard365 to slow down, and after %d tries Onboard365 stopped waiting.", service, tries)
		e.Why = "Microsoft limits how many requests a tenant may send in a short time, and the limit did not lift while Onboard365 waited."
		e.Do = "Wait a few minutes, then try again. If it keeps happening, work on fewer customers at once, or at a quieter time of day."
		e.LearnURL = learnGraphThrottling
		return e
	}
	e.What = fmt.Sprintf("%s was busy or unavailable each of the %d times Onboard365 tried, so it stopped.", service, tries)
	e.Why = "The problem is on Microsoft's side (status " + strconv.Itoa(status) + "), and it did not pass while Onboard365 waited."
	e.Do = "Wait a few minutes, then try again. Microsoft's service health page says whether there is an outage."
	e.LearnURL = learnGraphErrors
	return e
}

// Network explains a request that got no whole answer from a service: the certificate was not
// trusted, the name was not found, the connection was refused, timed out or broke (a dropped
// HTTP/2 stream, an answer cut off). tries is how often it was sent (0 when not known).
func Network(service string, err error, tries int) Explanation {
	if service == "" {
		service = "Microsoft"
	}
	e := Explanation{Known: true, LearnURL: learnGraphErrors}
	var (
		unknownCA  x509.UnknownAuthorityError
		invalid    x509.CertificateInvalidError
		hostname   x509.HostnameError
		verify     *tls.CertificateVerificationError
		dns        *net.DNSError
		netErr     net.Error
		recordHdr  tls.RecordHeaderError
		refused    = errors.Is(err, syscall.ECONNREFUSED)
		certFailed = errors.As(err, &unknownCA) || errors.As(err, &invalid) || errors.As(err, &hostname) || errors.As(err, &verify)
	)
	switch {
	case certFailed:
		e.What = "Onboard365 did not trust the certificate of " + service + ", so it sent nothing there."
		e.Why = "An untrusted certificate usually means that a proxy or a security product inspects this computer's connections, or that the cloud description names the wrong address."
		e.Do = "Ask your IT team whether a proxy inspects HTTPS to Microsoft; if so, have it let Onboard365's connections through. Then try again."
	case errors.As(err, &recordHdr):
		e.What = "The answer from " + service + " was not a secure (HTTPS) answer."
		e.Why = "Something between this computer and Microsoft answered instead, or the cloud description names an address that does not speak HTTPS."
		e.Do = "Check the cloud description in Settings, and ask your IT team about proxies. Then try again."
	case errors.As(err, &dns):
		e.What = "This computer could not find " + service + " on the network."
		e.Why = "Its name did not resolve: the computer may be offline, or its DNS settings block the address."
		e.Do = "Check the internet connection, then try again."
	case refused:
		e.What = service + " refused the connection."
		e.Why = "Nothing answered at its address: a firewall or proxy may be in the way, or (on the sandbox) the sandbox has stopped."
		e.Do = "Check the internet connection and the firewall, then try again."
	case errors.As(err, &netErr) && netErr.Timeout():
		e.What = service + " did not answer in time."
		e.Why = "The connection is slow, or a firewall or proxy holds it."
		e.Do = "Check the internet connection, then try again."
	default:
		e.What = "The connection to " + service + " broke before its whole answer came"
		if tries > 1 {
			e.What += fmt.Sprintf(", each of the %d times Onboard365 tried", tries)
		}
		e.What += "."
		e.Why = "The network or a proxy dropped the connection, or Microsoft closed it while answering."
		e.Do = "Check the internet connection, then try again: every task reads what is true before it changes anything, so a change that did go through is not made twice."
	}
	return e
}

// Unreadable explains an answer the app could not use: not the JSON it expects, cut short, or a
// page link it will not follow.
func Unreadable(service string) Explanation {
	if service == "" {
		service = "Microsoft"
	}
	return Explanation{Known: true, LearnURL: learnGraphErrors,
		What: "Onboard365 could not read the answer of " + service + ".",
		Why:  "The answer was cut short or was not what the request expects; a proxy can change answers on the way, too.",
		Do:   "Try again in a few minutes. If it keeps happening, give the time it happened to your support contact."}
}
