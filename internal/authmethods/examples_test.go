package authmethods

import (
	"net/http"
	"testing"

	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/reference/learn/learntest"
)

// TestMicrosoftsExampleAnswersDecode holds this package's readers to the example answers on
// Microsoft's pages: each decodes through the reader the app uses, keeping every field it declares.
func TestMicrosoftsExampleAnswersDecode(t *testing.T) {
	// Batch items reach the readers as graph.BatchResponse, as Graph's $batch hands them over.
	item := func(a learntest.Answer) graph.BatchResponse {
		return graph.BatchResponse{ID: "1", Status: a.Status, Body: a.Body}
	}
	learntest.Check(t, "authmethods", map[string]learntest.Read{
		"graph/api-reference/v1.0/api/authenticationmethodsroot-list-userregistrationdetails.md": func(t *testing.T, a learntest.Answer) {
			rows := learntest.Items(a.Body)
			if len(rows) == 0 {
				t.Fatalf("%s: no rows", a.Where())
			}
			for _, row := range rows {
				r := learntest.Decodes[Registration](t, a.Where(), row)
				// The same row, answered to a lookup by sign-in name, is found.
				b := item(a)
				b.ID, b.Body = r.UserPrincipalName, []byte(`{"value":[`+string(row)+`]}`)
				if got, err := decodeLookup(b); err != nil || got == nil || got.ID != r.ID {
					t.Errorf("%s: looking up %s finds %+v, %v", a.Where(), r.UserPrincipalName, got, err)
				}
			}
		},
		"graph/api-reference/v1.0/api/microsoftauthenticatorauthenticationmethod-list.md": func(t *testing.T, a learntest.Answer) {
			n, err := countItems(item(a))
			if err != nil || n != len(learntest.Items(a.Body)) {
				t.Errorf("%s: counts %d registrations (%v), the example has %d", a.Where(), n, err, len(learntest.Items(a.Body)))
			}
		},
		"graph/api-reference/beta/api/authentication-get.md": func(t *testing.T, a learntest.Answer) {
			learntest.Decodes[Preferences](t, a.Where(), a.Body)
			if p, err := decodePreferences(item(a)); err != nil || p.Preferred == "" {
				t.Errorf("%s: the preferences read as %+v, %v", a.Where(), p, err)
			}
		},
		// Apply's PATCH answers 204 No Content; it reads no body, then reads the user again.
		"graph/api-reference/beta/api/authentication-update.md": func(t *testing.T, a learntest.Answer) {
			if a.Status != http.StatusNoContent || len(a.Body) != 0 {
				t.Errorf("%s: status %d with %d bytes; Apply expects 204", a.Where(), a.Status, len(a.Body))
			}
		},
		"graph/api-reference/v1.0/api/subscribedsku-list.md": func(t *testing.T, a learntest.Answer) {
			for _, sku := range learntest.Items(a.Body) {
				if s := learntest.Decodes[SubscribedSku](t, a.Where(), sku); s.SkuPartNumber == "" || len(s.ServicePlans) == 0 {
					t.Errorf("%s: a licence reads without name or plans: %+v", a.Where(), s)
				}
			}
		},
	})
}
