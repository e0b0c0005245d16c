package sandbox

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFormReader(t *testing.T) {
	p := webPage{body: `<html><body>
<form id='one' ACTION="/t/login?x=1&amp;y=2" method=post>
  <input type="hidden" value="abc&quot;d" name="flow">
  <input name=username id=username value="hint@example.com" autofocus>
  <input type="password" id="password" name="password">
  <input type="checkbox" name="remember" value="yes">
  <input type="submit" id="plain" value="no name">
  <button type="submit" id="signin" name="action" value="signin">Sign in</button>
  <button id="cancel" name="action" value="cancel" formnovalidate>Cancel</button>
</form>
<FORM action="http://localhost:1/" id="autopost"><input type="hidden" name="code" value="c0de"></FORM>
</body></html>`}
	forms := p.forms()
	if len(forms) != 2 {
		t.Fatalf("forms = %d, want 2", len(forms))
	}
	f, ok := p.formWith("password")
	if !ok || f.id != "one" || f.action != "/t/login?x=1&y=2" {
		t.Fatalf("formWith(password) = %+v, %v", f, ok)
	}
	v, ok := f.values(map[string]string{"password": "pw", "username": "alex@example.com"}, "signin")
	want := url.Values{"flow": {`abc"d`}, "username": {"alex@example.com"}, "password": {"pw"}, "action": {"signin"}}
	if !ok || v.Encode() != want.Encode() {
		t.Errorf("values = %v, %v; want %v", v, ok, want)
	}
	// A <button> without a type is a submit button.
	if v, ok := f.values(nil, "cancel"); !ok || v.Get("action") != "cancel" || v.Get("username") != "hint@example.com" {
		t.Errorf("cancel values = %v, %v", v, ok)
	}
	if _, ok := f.values(nil, "approve"); ok {
		t.Error("a click on a button the form does not have was accepted")
	}
	if f, ok := p.formByID("autopost"); !ok || f.action != "http://localhost:1/" {
		t.Errorf("formByID(autopost) = %+v, %v", f, ok)
	}
	if _, ok := p.formWithButton("signin"); !ok {
		t.Error("formWithButton(signin) not found")
	}
}

// listener stands in for MSAL's loopback listener: it records what the browser posts.
type listener struct {
	mu    sync.Mutex
	posts []url.Values
	url   string // http://localhost:PORT, as MSAL's redirect URI
}

func startListener(t *testing.T) *listener {
	t.Helper()
	l := &listener{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		_ = r.ParseForm()
		l.mu.Lock()
		l.posts = append(l.posts, r.PostForm)
		l.mu.Unlock()
		_, _ = w.Write([]byte("Authentication complete."))
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	l.url = "http://localhost:" + port
	return l
}

func (l *listener) received() []url.Values {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]url.Values(nil), l.posts...)
}

func authorizeURL(b *browser, redirect, prompt string) string {
	_, challenge := pkce()
	q := url.Values{"client_id": {AppID}, "response_type": {"code"}, "redirect_uri": {redirect},
		"scope": {graphScope + " openid profile offline_access"}, "state": {"st-1"}, "response_mode": {"form_post"},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"}, "prompt": {prompt}}
	return b.s.base + "/" + b.s.PartnerTenantID() + "/oauth2/v2.0/authorize?" + q.Encode()
}

func TestSignInThroughPages(t *testing.T) {
	b := startBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	for _, tc := range []struct {
		name                string
		upn                 string
		approve, cancel     bool
		wantCode, wantError string
	}{
		{name: "MFA approved", upn: alexUPN, approve: true, wantCode: "yes"},
		{name: "no MFA method", upn: meganUPN, approve: true, wantCode: "yes"},
		{name: "MFA denied", upn: alexUPN, approve: false, wantError: "AADSTS500121"},
		{name: "cancelled", cancel: true, wantError: "AADSTS65004"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := startListener(t)
			u := authorizeURL(b, l.url, "login")
			var err error
			if tc.cancel {
				err = CancelThroughPages(ctx, b.newBrowser().http, u)
			} else {
				err = SignInThroughPages(ctx, b.newBrowser().http, u, tc.upn, sandboxPassword, tc.approve)
			}
			if err != nil {
				t.Fatalf("walk: %v", err)
			}
			got := l.received()
			if len(got) != 1 {
				t.Fatalf("the listener got %d posts, want 1", len(got))
			}
			if got[0].Get("state") != "st-1" {
				t.Errorf("state = %q", got[0].Get("state"))
			}
			if tc.wantCode != "" && got[0].Get("code") == "" {
				t.Errorf("no code in %v", got[0])
			}
			if tc.wantError != "" && !strings.Contains(got[0].Get("error_description"), tc.wantError) {
				t.Errorf("error_description = %q, want %s", got[0].Get("error_description"), tc.wantError)
			}
		})
	}
}

func TestSignInThroughPagesStopsOnAWrongPassword(t *testing.T) {
	b := startBrowser(t)
	l := startListener(t)
	err := SignInThroughPages(context.Background(), b.newBrowser().http, authorizeURL(b, l.url, "login"), alexUPN, "wrong", true)
	var pe *PageError
	if !errors.As(err, &pe) || pe.Code != "AADSTS50126" || !strings.Contains(pe.Message, "password is incorrect") {
		t.Fatalf("err = %v, want a *PageError with AADSTS50126", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the error repeats the password: %v", err)
	}
	if n := len(l.received()); n != 0 {
		t.Errorf("the listener got %d posts", n)
	}
}

func TestSignInThroughPagesReportsAnErrorPage(t *testing.T) {
	b := startBrowser(t)
	u := strings.Replace(authorizeURL(b, "http://localhost:1", "login"), "client_id="+AppID, "client_id=00000000-0000-0000-0000-00000000dead", 1)
	err := SignInThroughPages(context.Background(), b.newBrowser().http, u, alexUPN, sandboxPassword, true)
	var pe *PageError
	if !errors.As(err, &pe) || pe.Code != "AADSTS700016" || pe.Title == "" {
		t.Fatalf("err = %v, want the error page's AADSTS700016", err)
	}
}

func TestSignInThroughPagesSendsNothingElsewhere(t *testing.T) {
	var hits int
	var mu sync.Mutex
	other := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
	}))
	defer other.Close()
	pb := &pageBrowser{ctx: context.Background(), hc: other.Client(), origin: "https://127.0.0.1:1"}
	base, _ := url.Parse("https://127.0.0.1:1/t/oauth2/v2.0/authorize")

	// A sign-in form whose action is another host: the password is not sent.
	p := webPage{url: base, body: `<form method="post" action="` + other.URL + `/steal"><input type="password" id="password" name="password"><button type="submit" id="signin" name="action" value="signin">Sign in</button></form>`}
	f, _ := p.formWith("password")
	if _, err := pb.submit(p, f, map[string]string{"password": "secret-pw"}, "signin"); err == nil || strings.Contains(err.Error(), "secret-pw") {
		t.Errorf("submit to another origin: %v", err)
	}
	// A result form whose action is not a loopback address: the code is not sent.
	p = webPage{url: base, body: `<form method="post" action="https://example.com/cb" id="autopost"><input type="hidden" name="code" value="c"></form>`}
	f, _ = p.formByID("autopost")
	if err := pb.deliver(p, f); err == nil || !strings.Contains(err.Error(), "not this computer's loopback address") {
		t.Errorf("deliver to a remote address: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if hits != 0 {
		t.Errorf("%d requests reached the other server", hits)
	}
}

func TestEnterDeviceCodeRefusesAWrongCode(t *testing.T) {
	b := startBrowser(t)
	err := EnterDeviceCode(context.Background(), b.newBrowser().http, b.s.base+"/"+b.s.PartnerTenantID()+"/oauth2/deviceauth", "WRONGCODE", alexUPN, sandboxPassword, true)
	var pe *PageError
	if !errors.As(err, &pe) || !strings.Contains(pe.Step, "device code") {
		t.Fatalf("err = %v, want a *PageError at the device code page", err)
	}
}

func TestSignInThroughPagesNeedsAClientAndHTTPS(t *testing.T) {
	if err := SignInThroughPages(context.Background(), nil, "https://127.0.0.1:1/", "a", "b", true); err == nil {
		t.Error("a nil client was accepted")
	}
	if err := SignInThroughPages(context.Background(), http.DefaultClient, "http://127.0.0.1:1/", "a", "b", true); err == nil {
		t.Error("an http:// sign-in address was accepted")
	}
}
