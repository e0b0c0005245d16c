package troubleshoot

import (
	"net/http"
	"testing"

	"github.com/onboard365/onboard365/internal/jsonvalue"
	"github.com/onboard365/onboard365/internal/reference/learn/learntest"
)

// TestMicrosoftsExampleAnswersDecode holds this package's readers to the example answers on
// Microsoft's pages: each decodes through the reader the checks use, keeping every field it
// declares; policies go through Analyse and readMFAPolicy as the checks do.
func TestMicrosoftsExampleAnswersDecode(t *testing.T) {
	noContent := func(t *testing.T, a learntest.Answer) {
		if a.Status != http.StatusNoContent || len(a.Body) != 0 {
			t.Errorf("%s: status %d with %d bytes; the fix expects 204", a.Where(), a.Status, len(a.Body))
		}
	}
	policy := func(t *testing.T, where string, raw []byte) {
		p, err := decodePolicy(raw)
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		f := Analyse(p, "00000000-0000-0000-0000-000000000001")
		if f.ID != jsonvalue.String(p["id"]) || f.Name != jsonvalue.String(p["displayName"]) || f.State != jsonvalue.String(p["state"]) || f.Reason == "" {
			t.Errorf("%s: the policy reads as %+v", where, f)
		}
		readMFAPolicy(p, "")
	}
	signIns := func(t *testing.T, a learntest.Answer) {
		for _, item := range learntest.Items(a.Body) {
			if e := learntest.Decodes[signInEntry](t, a.Where(), item); e.CreatedDateTime.IsZero() {
				t.Errorf("%s: a sign-in reads without its time", a.Where())
			}
		}
	}
	learntest.Check(t, "troubleshoot", map[string]learntest.Read{
		"graph/api-reference/beta/api/signin-list.md": signIns,
		"graph/api-reference/v1.0/api/signin-list.md": signIns,
		"graph/api-reference/v1.0/api/conditionalaccessroot-list-policies.md": func(t *testing.T, a learntest.Answer) {
			for _, item := range learntest.Items(a.Body) {
				policy(t, a.Where(), item)
			}
		},
		"graph/api-reference/v1.0/api/conditionalaccesspolicy-get.md": func(t *testing.T, a learntest.Answer) {
			policy(t, a.Where(), a.Body)
		},
		"graph/api-reference/v1.0/api/conditionalaccesspolicy-update.md": noContent,
		"graph/api-reference/v1.0/api/riskyuser-dismiss.md":              noContent,
		"graph/api-reference/v1.0/api/riskyuser-list.md": func(t *testing.T, a learntest.Answer) {
			for _, item := range learntest.Items(a.Body) {
				if u := learntest.Decodes[riskyUser](t, a.Where(), item); u.ID == "" || u.RiskState == "" {
					t.Errorf("%s: a risky user reads without id or state: %+v", a.Where(), u)
				}
			}
		},
		"graph/api-reference/v1.0/api/group-list-transitivemembers.md": func(t *testing.T, a learntest.Answer) {
			for _, item := range learntest.Items(a.Body) {
				learntest.Decodes[member](t, a.Where(), item)
			}
		},
		"graph/api-reference/v1.0/api/identitysecuritydefaultsenforcementpolicy-get.md": func(t *testing.T, a learntest.Answer) {
			if d := learntest.Decodes[securityDefaults](t, a.Where(), a.Body); d.IsEnabled == nil {
				t.Errorf("%s: security defaults read as neither on nor off", a.Where())
			}
		},
	})

	// The checks also read two answers whose pages Readers gives to authmethods.
	for _, a := range learntest.Answers(t, "graph/api-reference/v1.0/api/authenticationmethodsroot-list-userregistrationdetails.md") {
		for _, item := range learntest.Items(a.Body) {
			learntest.Decodes[reportRow](t, a.Where(), item)
		}
	}
	for _, a := range learntest.Answers(t, "graph/api-reference/v1.0/api/subscribedsku-list.md") {
		for _, item := range learntest.Items(a.Body) {
			learntest.Decodes[sku](t, a.Where(), item)
		}
	}
}
