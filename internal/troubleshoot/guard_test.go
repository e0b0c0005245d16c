package troubleshoot_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/auth"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/sandbox"
	ts "github.com/onboard365/onboard365/internal/troubleshoot"
)

// Writes to a customer's policy never revert somebody else's change.

// litwareFix diagnoses Litware with its administrator signed in and returns the administrator's
// Graph client (through hc) and the safe exclusion fix for its blocking policy.
func litwareFix(t *testing.T, e *env, hc *http.Client) (*graph.Client, ts.Fix, map[string]*graph.Client) {
	t.Helper()
	d := e.diagnose(ts.Options{Customers: []string{"Litware"}})
	litware := checklistOf(t, d, "Litware").Customer
	a, _ := e.signIn(litware.TenantID, sandbox.CustomerAdmin("litware.onmicrosoft.com"), auth.GraphScope, nil)
	admin := graph.New(e.s.Cloud().GraphURL, hc, a.TokenSource("", auth.GraphScope), graph.Options{})
	admins := map[string]*graph.Client{strings.ToLower(litware.TenantID): admin}
	d = e.diagnose(ts.Options{Customers: []string{"Litware"}, Admins: admins})
	ca := checkOf(t, checklistOf(t, d, "Litware"), ts.ConditionalAccess)
	if len(ca.FixIDs) != 1 {
		t.Fatalf("Litware's CA check offers %d fixes, want 1", len(ca.FixIDs))
	}
	fix, _ := d.Fix(ca.FixIDs[0])
	if !fix.Safe || !fix.AsCustomerAdmin {
		t.Fatalf("Litware's fix: %+v", fix)
	}
	return admin, fix, admins
}

// TestExclusionStopsWhenThePolicyChangedSinceTheReview: an administrator changes the policy
// after the plan was read; applying the reviewed fix writes nothing and says why.
func TestExclusionStopsWhenThePolicyChangedSinceTheReview(t *testing.T) {
	e := start(t, sandbox.Options{})
	admin, fix, admins := litwareFix(t, e, e.hc)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	path := "/v1.0/identity/conditionalAccess/policies/" + fix.PolicyID
	if err := admin.Do(ctx, "PATCH", path, map[string]any{"sessionControls": map[string]any{
		"signInFrequency": map[string]any{"isEnabled": true, "type": "hours", "value": 4}}}, nil); err != nil {
		t.Fatal(err)
	}
	edited, err := readPolicyOf(admin, fix.PolicyID)
	if err != nil {
		t.Fatal(err)
	}
	r := ts.Apply(ctx, e.tenants, admins, []ts.Fix{fix}, nil)[0]
	if r.Done || r.Err == nil || !strings.Contains(r.Sentence, "has changed since Onboard365 read it for the plan you reviewed") ||
		!strings.Contains(r.Sentence, "session controls") {
		t.Errorf("applying a fix to a policy changed since the review: %+v", r)
	}
	now, err := readPolicyOf(admin, fix.PolicyID)
	if err != nil {
		t.Fatal(err)
	}
	if canonicalJSON(now) != canonicalJSON(edited) {
		t.Errorf("the policy was written though it had changed since the review:\n%s\n%s", canonicalJSON(edited), canonicalJSON(now))
	}
}

// editDuringWrite is a transport that, just before the first PATCH of a policy goes out, lets
// "another administrator" change the policy's apps (as a person in the admin center could at
// that moment).
type editDuringWrite struct {
	base http.RoundTripper
	edit func()
	once sync.Once
}

func (t *editDuringWrite) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPatch && strings.Contains(r.URL.Path, "/conditionalAccess/policies/") {
		t.once.Do(t.edit)
	}
	return t.base.RoundTrip(r)
}

// TestExclusionKeepsAChangeMadeDuringTheWrite: a change to another part of the policy, made
// between the app's last read and its write, is not reverted; read back, the app says the policy
// differs from what it wrote instead of "every other field is as it was".
func TestExclusionKeepsAChangeMadeDuringTheWrite(t *testing.T) {
	e := start(t, sandbox.Options{})
	hook := &editDuringWrite{base: e.hc.Transport}
	hooked := &http.Client{Transport: hook, Timeout: e.hc.Timeout}
	admin, fix, admins := litwareFix(t, e, hooked)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	path := "/v1.0/identity/conditionalAccess/policies/" + fix.PolicyID
	other, _, _ := litwareFix(t, e, e.hc) // the other administrator's own sign-in
	hook.edit = func() {
		if err := other.Do(ctx, "PATCH", path, map[string]any{"conditions": map[string]any{
			"applications": map[string]any{"excludeApplications": []any{"00000002-0000-0ff1-ce00-000000000000"}}}}, nil); err != nil {
			t.Errorf("the other administrator's change: %v", err)
		}
	}
	r := ts.Apply(ctx, e.tenants, admins, []ts.Fix{fix}, nil)[0]
	after, err := readPolicyOf(admin, fix.PolicyID)
	if err != nil {
		t.Fatal(err)
	}
	apps, _ := after["conditions"].(map[string]any)["applications"].(map[string]any)
	if ex, _ := apps["excludeApplications"].([]any); len(ex) != 1 || ex[0] != "00000002-0000-0ff1-ce00-000000000000" {
		t.Errorf("the other administrator's change was reverted: applications %v", apps)
	}
	if strings.Contains(r.Sentence, "as it was") || !strings.Contains(r.Sentence, "differs from what Onboard365 wrote") || r.Err == nil {
		t.Errorf("the outcome claims what it did not prove: %+v", r)
	}
	if !r.Done {
		t.Errorf("the exclusion was made, yet the fix is not done: %+v", r)
	}
}
