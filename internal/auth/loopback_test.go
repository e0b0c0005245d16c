package auth

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/sandbox"
)

// redirectPort is the port of the sign-in's return address (redirect_uri) in an authorize URL.
func redirectPort(t *testing.T, authURL string) int {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	r, err := url.Parse(u.Query().Get("redirect_uri"))
	if err != nil || r.Hostname() != "localhost" {
		t.Fatalf("redirect_uri %q", u.Query().Get("redirect_uri"))
	}
	p, err := strconv.Atoi(r.Port())
	if err != nil {
		t.Fatalf("redirect_uri %q has no port", r)
	}
	return p
}

// TestLoopbackHoldsEveryLoopbackAddress: while the sign-in waits, no other program can listen on
// its port, on 127.0.0.1, on [::1] (where a browser that tries IPv6 first would post the code),
// or on every address.
func TestLoopbackHoldsEveryLoopbackAddress(t *testing.T) {
	f := newFixture(t)
	var taken []string
	a := f.authenticator("", func(authURL string) error {
		port := strconv.Itoa(redirectPort(t, authURL))
		for _, addr := range []struct{ network, address string }{
			{"tcp6", "[::1]:" + port}, {"tcp4", "127.0.0.1:" + port}, {"tcp", "[::]:" + port}, {"tcp4", "0.0.0.0:" + port},
		} {
			l, err := net.Listen(addr.network, addr.address)
			if err == nil {
				taken = append(taken, addr.address)
				l.Close()
			} else if addr.network == "tcp6" && noIPv6Loopback(err) {
				t.Logf("this computer has no IPv6 loopback address: %v", err)
			}
		}
		return sandbox.SignInThroughPages(context.Background(), f.browser, authURL, alexUPN, password, true)
	})
	res := f.signIn(a, alexUPN)
	if len(taken) > 0 {
		t.Errorf("another program could listen on the sign-in's port at %v", taken)
	}
	if !res.Verdict.Compliant {
		t.Errorf("the sign-in did not finish: %+v", res.Verdict)
	}
}

// TestLoopbackIgnoresRequestsWithoutTheState: requests from anything but the sign-in page
// Microsoft sent back (no state, another state, a GET, another path) neither end the sign-in
// nor choose its error; the real answer then signs in.
func TestLoopbackIgnoresRequestsWithoutTheState(t *testing.T) {
	f := newFixture(t)
	plain := &http.Client{Timeout: 5 * time.Second}
	var answers []int
	a := f.authenticator("", func(authURL string) error {
		base := "http://localhost:" + strconv.Itoa(redirectPort(t, authURL))
		send := func(method, path string, form url.Values) {
			req, _ := http.NewRequest(method, base+path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := plain.Do(req)
			if err != nil {
				t.Errorf("%s %s: %v", method, path, err)
				return
			}
			resp.Body.Close()
			answers = append(answers, resp.StatusCode)
		}
		send(http.MethodGet, "/?code=stolen&state=x", nil)
		send(http.MethodPost, "/", url.Values{"error": {"access_denied"}, "error_description": {"AADSTS65004: chosen by another program"}})
		send(http.MethodPost, "/", url.Values{"state": {"guessed"}, "error": {"access_denied"}, "error_description": {"AADSTS65004"}})
		send(http.MethodPost, "/", url.Values{"state": {"guessed"}, "code": {"forged"}})
		send(http.MethodPost, "/elsewhere", url.Values{"code": {"forged"}})
		return sandbox.SignInThroughPages(context.Background(), f.browser, authURL, alexUPN, password, true)
	})
	res := f.signIn(a, alexUPN)
	if !res.Verdict.Compliant || res.Claims.Upn != alexUPN {
		t.Errorf("the real answer after the foreign requests: %+v", res.Verdict)
	}
	for i, code := range answers {
		if code < 400 {
			t.Errorf("foreign request %d was answered %d", i+1, code)
		}
	}
}
