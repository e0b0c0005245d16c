package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// The loopback listener: where the browser posts the sign-in's result (response_mode=form_post)
// to http://localhost:PORT. MSAL Go's own listener (apps/internal/local) binds "localhost:0",
// which is one address (127.0.0.1 here), so another program on this computer could take the same
// port on the other loopback address ([::1]) and receive the authorization code from a browser
// that tries IPv6 first; and it ends the sign-in on the first request it gets, whatever its state,
// with an error text the request chose. This listener instead:
//
//   - holds the port on BOTH loopback addresses, 127.0.0.1 and [::1] (where this computer has
//     IPv6; where it has none, nobody can listen there either), trying other ports when another
//     program holds one of them; on Windows with SO_EXCLUSIVEADDRUSE, so that no program can bind
//     the same address and port beside it (reuseControl);
//   - ignores (answers, and keeps waiting) every request that is not a POST to "/" carrying this
//     sign-in's state, compared in constant time: only the page Microsoft sent back for this
//     sign-in can end it, with a code or with Microsoft's error;
//   - never repeats what a request sent in its answer.

// maxResultBody bounds what the listener reads of a request (a real answer is a few kilobytes).
const maxResultBody = 64 << 10

// loopbackResult is what the browser brought back: a code, or Microsoft's error.
type loopbackResult struct {
	code string
	err  error // an error text from Microsoft's error and error_description, for signInFailure
}

type loopback struct {
	state  string
	port   int
	srv    *http.Server
	lns    []net.Listener
	result chan loopbackResult
	once   sync.Once
}

// errPortsTaken: every port tried was held by another program on one of the loopback addresses.
var errPortsTaken = errors.New("no port could be held on both loopback addresses of this computer")

// listenLoopback starts the listener for one sign-in whose state is state.
func listenLoopback(state string) (*loopback, error) {
	lc := net.ListenConfig{Control: reuseControl}
	ctx := context.Background()
	for attempt := 0; attempt < 20; attempt++ {
		v4, err := lc.Listen(ctx, "tcp4", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("open the sign-in's return address on this computer: %w", err)
		}
		port := v4.Addr().(*net.TCPAddr).Port
		lns := []net.Listener{v4}
		v6, err := lc.Listen(ctx, "tcp6", "[::1]:"+strconv.Itoa(port))
		switch {
		case err == nil:
			lns = append(lns, v6)
		case noIPv6Loopback(err):
			// Nothing can listen on [::1] here: 127.0.0.1 is the only loopback address.
		default:
			v4.Close() // somebody holds [::1]:port: another port
			continue
		}
		lb := &loopback{state: state, port: port, lns: lns, result: make(chan loopbackResult, 1)}
		lb.srv = &http.Server{Handler: http.HandlerFunc(lb.handle), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second}
		for _, l := range lns {
			go func() { _ = lb.srv.Serve(l) }()
		}
		return lb, nil
	}
	return nil, errPortsTaken
}

// noIPv6Loopback says whether a listen error means this computer has no IPv6 loopback address.
func noIPv6Loopback(err error) bool {
	return errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EAFNOSUPPORT) || errors.Is(err, syscall.EPROTONOSUPPORT) ||
		isWindowsNoIPv6(err)
}

// redirectURI is the address Microsoft sends the browser back to. Entra accepts any port on
// http://localhost for a public client whose redirect address is http://localhost.
func (lb *loopback) redirectURI() string { return "http://localhost:" + strconv.Itoa(lb.port) }

// wait returns the code, Microsoft's error, or ctx's error.
func (lb *loopback) wait(ctx context.Context) (string, error) {
	select {
	case r := <-lb.result:
		return r.code, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (lb *loopback) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = lb.srv.Shutdown(ctx)
	for _, l := range lb.lns {
		_ = l.Close()
	}
}

func (lb *loopback) deliver(r loopbackResult) bool {
	delivered := false
	lb.once.Do(func() {
		lb.result <- r
		delivered = true
	})
	return delivered
}

const (
	pageDone = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Onboard365: signed in</title></head>` +
		`<body><p>The sign-in is back in Onboard365. You can close this window.</p></body></html>`
	pageRefused = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Onboard365: sign-in not finished</title></head>` +
		`<body><p>Microsoft did not sign you in, and Onboard365 says why. You can close this window.</p></body></html>`
	pageNotOurs = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Onboard365</title></head>` +
		`<body><p>This address waits for the answer to a sign-in that Onboard365 started, and this is not it.</p></body></html>`
)

func (lb *loopback) handle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if r.URL.Path != "/" {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(pageNotOurs))
		return
	}
	if r.Method != http.MethodPost { // response_mode=form_post: the answer is always a POST
		w.Header().Set("Allow", http.MethodPost)
		w.WriteHeader(http.StatusMethodNotAllowed)
		_, _ = w.Write([]byte(pageNotOurs))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxResultBody)
	if err := r.ParseForm(); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(pageNotOurs))
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.PostFormValue("state")), []byte(lb.state)) != 1 {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(pageNotOurs))
		return
	}
	if e := r.PostFormValue("error"); e != "" {
		lb.deliver(loopbackResult{err: fmt.Errorf("the sign-in page answered %s: %s", e, r.PostFormValue("error_description"))})
		_, _ = w.Write([]byte(pageRefused))
		return
	}
	code := r.PostFormValue("code")
	if code == "" {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(pageNotOurs))
		return
	}
	lb.deliver(loopbackResult{code: code})
	_, _ = w.Write([]byte(pageDone))
}
