package auth

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/onboard365/onboard365/internal/chromiumtest"
	"github.com/onboard365/onboard365/internal/cloud"
)

// A real browser against the sandbox: headless Chromium (Debian's package "chromium"), driven
// through the DevTools protocol by chromedp, does what a person does on the sign-in pages, and
// the sandbox's auto-submitting page posts the result to the app's loopback listener itself.
//
// Chromium trusts the sandbox by certificate pinning, not by ignoring certificate errors: its
// --ignore-certificate-errors-spki-list gets the SHA-256 of the sandbox server certificate's
// public key (SPKI), read from a TLS handshake that verified the certificate against the
// sandbox's CA. Chromium honours that switch only with its own --user-data-dir, which every run
// has (a fresh t.TempDir()). TestRealBrowserWithoutThePinIsRefused shows the pin is what does it.

// spkiPin is the base64 SHA-256 of the public key (SubjectPublicKeyInfo) of the certificate
// the cloud's sign-in host presents, after a handshake that verified it with the cloud's CA.
func spkiPin(t *testing.T, c cloud.Cloud) string {
	t.Helper()
	u, err := url.Parse(c.AuthorityHost)
	if err != nil {
		t.Fatal(err)
	}
	hc, err := c.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	tr, ok := hc.Transport.(*http.Transport)
	if !ok || tr.TLSClientConfig == nil {
		t.Fatalf("the cloud's HTTP client has no TLS configuration (%T)", hc.Transport)
	}
	config := tr.TLSClientConfig.Clone() // the cloud's trust: the system's CAs and the sandbox's
	config.ServerName = u.Hostname()
	conn, err := tls.Dial("tcp", u.Host, config)
	if err != nil {
		t.Fatalf("TLS handshake with the sandbox: %v", err)
	}
	defer conn.Close()
	leaf := conn.ConnectionState().PeerCertificates[0]
	sum := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// browserSession is one headless Chromium with a fresh profile.
type browserSession struct {
	ctx context.Context // the browser's context; tabs are made from it
}

func startChromium(t *testing.T, pin string) *browserSession {
	t.Helper()
	path := chromiumtest.Find(t)
	// Chromium's own scratch files (its singleton socket directory) go to a short directory of
	// their own, removed after the browser: a Unix socket path must stay under 108 bytes, which
	// t.TempDir() with a long test name does not.
	scratch, err := os.MkdirTemp("", "chromium")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(scratch) }) // runs after the browser has stopped
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // root in a container has no user namespace sandbox
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Env("TMPDIR=" + scratch),
	}
	if pin != "" {
		opts = append(opts, chromedp.Flag("ignore-certificate-errors-spki-list", pin))
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first call starts the browser, which lives as long as ctx: no timeout on it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return &browserSession{ctx: ctx}
}

// launcher is the Authenticator's OpenURL: like a private window, a new browser context (no
// cookies of earlier sign-ins) with one tab, in which person does their part. The tab runs
// beside the sign-in, as a real browser runs beside the app; its outcome arrives on done.
func (b *browserSession) launcher(person func(ctx context.Context) error, done chan<- error) func(string) error {
	return func(u string) error {
		tab, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
		go func() {
			defer cancel()
			// The first call opens the tab, which lives as long as tab; then each step
			// runs under a timeout.
			if err := chromedp.Do(tab); err != nil {
				done <- err
				return
			}
			ctx, stop := context.WithTimeout(tab, 30*time.Second)
			defer stop()
			if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
				done <- err
				return
			}
			done <- person(ctx)
		}()
		return nil
	}
}

// signInAs types the user name and password, chooses Sign in, then Approve when the MFA page
// appears, and waits until the browser is on MSAL's "Authentication complete" page.
func signInAs(upn string, mfa bool) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		steps := []chromedp.Action[chromedp.Void]{
			chromedp.WaitVisible(chromedp.ID("username")),
			chromedp.SetValue(chromedp.ID("username"), upn),
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.Click(chromedp.ID("signin")),
		}
		if mfa {
			steps = append(steps, chromedp.WaitVisible(chromedp.ID("approve")), chromedp.Click(chromedp.ID("approve")))
		}
		if err := chromedp.Do(ctx, steps...); err != nil {
			return err
		}
		return backAtTheApp(ctx)
	}
}

func clickCancel(ctx context.Context) error {
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("cancel")), chromedp.Click(chromedp.ID("cancel"))); err != nil {
		return err
	}
	return backAtTheApp(ctx)
}

// backAtTheApp waits until the tab shows the app's loopback listener's page (loopback.go): the
// auto-submit form was posted by the page's own script.
func backAtTheApp(ctx context.Context) error {
	for {
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err == nil && strings.HasPrefix(loc, "http://localhost:") {
			text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
			if err == nil && strings.Contains(text, "You can close this window") {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return errors.New("the browser did not reach the app's loopback listener")
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func waitTab(t *testing.T, done <-chan error) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the browser: %v", err)
		}
	case <-time.After(40 * time.Second):
		t.Fatal("the browser did not finish")
	}
}

func TestRealBrowser(t *testing.T) {
	chromiumtest.Find(t)
	f := newFixture(t)
	b := startChromium(t, spkiPin(t, f.s.Cloud()))

	t.Run("MFA user is compliant", func(t *testing.T) {
		done := make(chan error, 1)
		a := f.authenticator("", b.launcher(signInAs(alexUPN, true), done))
		res := f.signIn(a, alexUPN)
		waitTab(t, done)
		if !res.Verdict.Compliant || res.Claims.Upn != alexUPN {
			t.Fatalf("verdict = %+v, claims %+v", res.Verdict, res.Claims)
		}
		if err := a.CheckPartnerCenter(context.Background(), nil); err != nil {
			t.Errorf("CheckPartnerCenter: %v", err)
		}
	})

	t.Run("user without MFA is not compliant", func(t *testing.T) {
		done := make(chan error, 1)
		a := f.authenticator("", b.launcher(signInAs(meganUPN, false), done))
		res := f.signIn(a, meganUPN)
		waitTab(t, done)
		v := res.Verdict
		if v.Compliant || v.HasMFA || len(v.Reasons) != 1 || !strings.Contains(v.Reasons[0], "900421") {
			t.Fatalf("verdict = %+v", v)
		}
	})

	t.Run("cancel is explained", func(t *testing.T) {
		done := make(chan error, 1)
		a := f.authenticator("", b.launcher(clickCancel, done))
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := a.SignIn(ctx, alexUPN)
		waitTab(t, done)
		var se *SignInError
		if !errors.As(err, &se) || se.Code != "AADSTS65004" || !strings.Contains(err.Error(), "cancelled in the browser window") {
			t.Fatalf("SignIn = %v", err)
		}
	})

	t.Run("a browser that never comes back times out", func(t *testing.T) {
		done := make(chan error, 1)
		idle := func(ctx context.Context) error {
			// The page is open and nobody signs in.
			return chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("username")))
		}
		a := f.authenticator("", b.launcher(idle, done), func(c *Config) { c.SignInTimeout = 3 * time.Second })
		_, err := a.SignIn(context.Background(), alexUPN)
		waitTab(t, done)
		var se *SignInError
		if !errors.As(err, &se) || !se.TimedOut || !strings.Contains(err.Error(), "did not come back within 3 seconds") {
			t.Fatalf("SignIn = %v", err)
		}
	})
}

// Without the pin, Chromium refuses the sandbox's certificate: the pin is what makes it trusted
// (not a blanket ignore-certificate-errors).
func TestRealBrowserWithoutThePinIsRefused(t *testing.T) {
	chromiumtest.Find(t)
	f := newFixture(t)
	b := startChromium(t, "")
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	err := chromedp.Do(ctx, chromedp.Navigate(f.s.Cloud().AuthorityHost+"/"))
	if err == nil || !strings.Contains(err.Error(), "ERR_CERT") {
		t.Fatalf("Navigate without the pin = %v, want a certificate error", err)
	}
	t.Logf("without the pin: %v", err)
}
