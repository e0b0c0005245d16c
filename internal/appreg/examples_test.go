package appreg

import (
	"net/http"
	"testing"

	"github.com/onboard365/onboard365/internal/reference/learn/learntest"
)

// TestMicrosoftsExampleAnswersDecode holds this package's readers to the example answers on
// Microsoft's pages: each decodes through the type the app reads it with, keeping every field it
// declares.
func TestMicrosoftsExampleAnswersDecode(t *testing.T) {
	status := func(want int) learntest.Read {
		return func(t *testing.T, a learntest.Answer) {
			if a.Status != want {
				t.Errorf("%s: status %d; Apply reads no body and takes any 2xx, the page documents %d", a.Where(), a.Status, want)
			}
		}
	}
	applications := func(t *testing.T, a learntest.Answer) {
		for _, item := range learntest.Items(a.Body) {
			app := learntest.Decodes[Application](t, a.Where(), item)
			if app.AppID == "" && a.Selects("appId") {
				t.Errorf("%s: an app registration reads without its application id", a.Where())
			}
		}
	}
	servicePrincipals := func(t *testing.T, a learntest.Answer) {
		for _, item := range learntest.Items(a.Body) {
			if sp := learntest.Decodes[ServicePrincipal](t, a.Where(), item); sp.ID == "" && a.Selects("id") {
				t.Errorf("%s: an enterprise application reads without id", a.Where())
			}
		}
	}
	learntest.Check(t, "appreg", map[string]learntest.Read{
		"graph/api-reference/v1.0/api/application-get.md":               applications,
		"graph/api-reference/v1.0/api/application-list.md":              applications,
		"graph/api-reference/v1.0/api/application-post-applications.md": applications,
		"graph/api-reference/v1.0/api/application-update.md":            status(http.StatusNoContent),
		"graph/api-reference/v1.0/api/application-addpassword.md": func(t *testing.T, a learntest.Answer) {
			if s := learntest.Decodes[addedSecret](t, a.Where(), a.Body); s.KeyID == "" || s.SecretText == "" || s.EndDateTime == nil {
				t.Errorf("%s: the new secret reads without key id, text or end", a.Where())
			}
		},
		"graph/api-reference/v1.0/api/application-removepassword.md":              status(http.StatusNoContent),
		"graph/api-reference/v1.0/api/serviceprincipal-get.md":                    servicePrincipals,
		"graph/api-reference/v1.0/api/serviceprincipal-list.md":                   servicePrincipals,
		"graph/api-reference/v1.0/api/serviceprincipal-post-serviceprincipals.md": servicePrincipals,
		"graph/api-reference/v1.0/api/oauth2permissiongrant-list.md": func(t *testing.T, a learntest.Answer) {
			for _, item := range learntest.Items(a.Body) {
				if g := learntest.Decodes[Grant](t, a.Where(), item); g.ClientID == "" || g.ResourceID == "" || g.Scope == "" {
					t.Errorf("%s: a grant reads without client, resource or scope: %+v", a.Where(), g)
				}
			}
		},
		"graph/api-reference/v1.0/api/oauth2permissiongrant-post.md":   status(http.StatusCreated),
		"graph/api-reference/v1.0/api/oauth2permissiongrant-update.md": status(http.StatusNoContent),
		"graph/api-reference/v1.0/api/serviceprincipal-list-approleassignedto.md": func(t *testing.T, a learntest.Answer) {
			for _, item := range learntest.Items(a.Body) {
				if r := learntest.Decodes[AppRoleAssignment](t, a.Where(), item); r.PrincipalID == "" || r.AppRoleID == "" {
					t.Errorf("%s: an assignment reads without principal or role: %+v", a.Where(), r)
				}
			}
		},
		"graph/api-reference/v1.0/api/serviceprincipal-post-approleassignedto.md": status(http.StatusCreated),
	})
}
