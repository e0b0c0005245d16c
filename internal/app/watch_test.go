package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/appreg"
	"github.com/onboard365/onboard365/internal/audit"
	"github.com/onboard365/onboard365/internal/health"
	"github.com/onboard365/onboard365/internal/notify"
	"github.com/onboard365/onboard365/internal/partnercenter"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/sandbox"
	"github.com/onboard365/onboard365/internal/sandboxtest"
	"github.com/onboard365/onboard365/internal/vault"
	"github.com/onboard365/onboard365/internal/watch"
)

// clock is the fixed clock the sandbox and the app share; the test moves it on.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// hook is a Teams webhook on loopback that keeps what it was sent.
type hook struct {
	srv   *httptest.Server
	mu    sync.Mutex
	posts []string
}

func newHook(t *testing.T) *hook {
	h := &hook{}
	h.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.posts = append(h.posts, string(b))
		h.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.posts)
}

func (h *hook) last() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.posts[len(h.posts)-1]
}

// watched is a sandbox whose technician signed in once and kept the sign-in in a keychain in
// memory, as the person does before installing the watch; each run then is a new process that
// finds the sign-in there (a new Account on the same keychain).
type watched struct {
	t     *testing.T
	s     *sandbox.Server
	clock *clock
	store vault.Store
	rec   *audit.Memory
}

func newWatched(t *testing.T) *watched {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	c := &clock{t: time.Now().UTC().Truncate(time.Second)}
	s, _ := sandboxtest.Start(t, sandbox.Options{Now: c.Now})
	w := &watched{t: t, s: s, clock: c, store: app.MemoryKeychain(), rec: &audit.Memory{Now: c.Now}}
	a := w.account()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ev, err := a.Interactive(ctx, "", inApp(ctx, t))
	if err == nil && ev.Compliant {
		ev, err = a.CheckPartnerCenter(ctx)
	}
	if err != nil || !ev.Compliant {
		t.Fatalf("sign-in: %+v %v", ev, err)
	}
	if err := a.Keep(ctx); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *watched) account() *app.Account {
	a, err := app.NewAccount(w.s.Cloud(), w.store, "", "")
	if err != nil {
		w.t.Fatal(err)
	}
	a.UseClock(w.clock.Now)
	a.UseRecorder(w.rec)
	return a
}

// keepSecret puts the app's client secret into the keychain, valid until expires.
func (w *watched) keepSecret(expires time.Time) {
	v := vault.NewForService(w.store, vault.Service+"."+w.s.Cloud().KeychainName())
	if err := v.PutClientSecret(context.Background(), sandbox.AppID, "the-test-secret", expires); err != nil {
		w.t.Fatal(err)
	}
}

func (w *watched) run(opts app.WatchOptions) (app.WatchRun, *app.Account) {
	w.t.Helper()
	a := w.account()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run, err := app.NewWatch(a, app.NewHealth(a)).Run(ctx, opts)
	if err != nil {
		w.t.Fatalf("watch run: %v", err)
	}
	return run, a
}

func changed(changes []watch.Change) map[string]watch.Kind {
	out := map[string]watch.Kind{}
	for _, c := range changes {
		out[c.Finding.Subject+": "+c.Finding.Check] = c.Kind
	}
	return out
}

// TestWatchOnTheSandbox is the scheduled watch, run after run with a fixed clock: a relationship
// about to end, a lost consent and a secret near its end are each told once to a Teams webhook
// on loopback, then not again; every run renews the kept sign-in and writes it back, so that
// 120 days after the one sign-in it still works.
func TestWatchOnTheSandbox(t *testing.T) {
	w := newWatched(t)
	start := w.clock.Now()
	w.keepSecret(start.Add(35 * 24 * time.Hour))
	h := newHook(t)
	opts := app.WatchOptions{Notify: []notify.Notifier{notify.Teams{URL: h.srv.URL + "/workflows/hook", Client: h.srv.Client()}}}

	// Day 0: the first run tells every problem it finds, once.
	first, a := w.run(opts)
	if first.RenewProblem != "" || !first.Renewed.Equal(start) || h.count() != 1 || len(first.Changes) == 0 {
		t.Fatalf("first run: renewed %v (%s), %d posts, %d changes", first.Renewed, first.RenewProblem, h.count(), len(first.Changes))
	}
	if st, _ := a.Stored(context.Background()); !st.Renewed.Equal(start) {
		t.Errorf("the keychain's sign-in was renewed %v, not at the run's time %v", st.Renewed, start)
	}
	var fabrikam string
	for _, c := range first.Report.Customers {
		if c.Name == "Fabrikam" {
			fabrikam = c.TenantID
		}
	}
	if fabrikam == "" {
		t.Fatal("no Fabrikam")
	}

	// An hour later nothing changed: nothing is posted.
	w.clock.advance(time.Hour)
	if again, _ := w.run(opts); len(again.Changes) != 0 || h.count() != 1 {
		t.Fatalf("a run without changes told %v", changed(again.Changes))
	}

	// Fabrikam's consent is taken away; six days on, Woodgrove Bank's relationship has 6 days
	// left (it had 12) and the secret 29 (it had 35).
	hc, _ := w.s.Cloud().HTTPClient()
	pc := partnercenter.New(w.s.Cloud().PartnerCenterURL, hc, sandboxtest.PartnerCenterToken(w.s), partnercenter.Options{})
	if err := pc.DeleteApplicationConsent(context.Background(), fabrikam, sandbox.AppID); err != nil {
		t.Fatal(err)
	}
	w.clock.advance(6 * 24 * time.Hour)
	third, _ := w.run(opts)
	got := changed(third.Changes)
	for what, kind := range map[string]watch.Kind{
		"Woodgrove Bank: Relationship end": watch.Changed,
		"Fabrikam: Consent":                watch.Appeared,
		"Your partner tenant: App secret":  watch.Appeared,
	} {
		if got[what] != kind {
			t.Errorf("%s: told as %q, want %q (all: %v)", what, got[what], kind, got)
		}
	}
	if h.count() != 2 {
		t.Fatalf("%d posts; want one for day 6", h.count())
	}
	post := h.last()
	for _, want := range []string{"Woodgrove Bank: Relationship end", "Fabrikam: Consent", "Your partner tenant: App secret", "App registration"} {
		if !strings.Contains(post, want) {
			t.Errorf("day 6's post lacks %q:\n%s", want, post)
		}
	}
	if strings.Contains(post, "the-test-secret") || strings.Contains(post, "eyJ") {
		t.Error("a post holds a secret")
	}

	// The next day the same problems stand: nothing is posted again.
	w.clock.advance(24 * time.Hour)
	if fourth, _ := w.run(opts); h.count() != 2 {
		t.Fatalf("day 7 told again: %v", changed(fourth.Changes))
	}

	// 60 and 120 days after the one sign-in, each run renews it: it never goes 90 days unused.
	for _, day := range []int{60, 120} {
		w.clock.advance(start.Add(time.Duration(day) * 24 * time.Hour).Sub(w.clock.Now()))
		r, a := w.run(opts)
		p, _ := r.Report.Partner.Check(health.KeptSignIn)
		if r.RenewProblem != "" || r.CheckProblem != "" || p.Status != plan.Pass {
			t.Fatalf("day %d: renew %q, check %q, kept sign-in %+v", day, r.RenewProblem, r.CheckProblem, p)
		}
		if st, _ := a.Stored(context.Background()); !st.Renewed.Equal(w.clock.Now()) {
			t.Errorf("day %d: the kept sign-in was last written %v", day, st.Renewed)
		}
	}
}

// TestWatchRotatesTheSecretWhenDue: with RotateSecret, a run with under 30 days left on the
// secret rotates it (an administrator signs in on the sandbox's pages), the keychain holds the
// new one, the audit trail has the rotation, and the check after it sees the new secret.
func TestWatchRotatesTheSecretWhenDue(t *testing.T) {
	w := newWatched(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	opts := app.WatchOptions{RotateSecret: true, Launched: inApp(ctx, t)}

	w.keepSecret(w.clock.Now().Add(90 * 24 * time.Hour))
	if r, _ := w.run(opts); r.Rotated != nil || r.RotateNote != "" {
		t.Fatalf("rotated with 90 days left: %+v %q", r.Rotated, r.RotateNote)
	}
	w.keepSecret(w.clock.Now().Add(10 * 24 * time.Hour))
	r, a := w.run(opts)
	if r.Rotated == nil || r.Rotated.Secret != nil {
		t.Fatalf("not rotated with 10 days left: %q", r.RotateNote)
	}
	st, err := a.Stored(ctx)
	if err != nil || st.SecretExpires.Sub(w.clock.Now()) < appreg.SecretLifetime-24*time.Hour {
		t.Errorf("the keychain's secret expires %v (%v)", st.SecretExpires, err)
	}
	if p, _ := r.Report.Partner.Check(health.AppSecret); p.Status != plan.Pass {
		t.Errorf("after rotating: %+v", p)
	}
	rotated := false
	for _, e := range w.rec.Entries() {
		rotated = rotated || (e.Source == "rotate secret" && e.Result == audit.Succeeded && !strings.Contains(e.Change+e.After, "the-test-secret"))
	}
	if !rotated {
		t.Errorf("the audit trail lacks the rotation: %+v", w.rec.Entries())
	}
}
