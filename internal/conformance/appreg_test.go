package conformance

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/appreg"
	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/partnercenter"
	"github.com/onboard365/onboard365/internal/reference"
	"github.com/onboard365/onboard365/internal/reference/learn"
	"github.com/onboard365/onboard365/internal/sandbox"
)

// memoryKeychain keeps the App registration wizard's client secret in memory.
type memoryKeychain struct {
	clientID, secret string
	expires          time.Time
}

func (k *memoryKeychain) PutClientSecret(_ context.Context, id, secret string, exp time.Time) error {
	k.clientID, k.secret, k.expires = id, secret, exp
	return nil
}

func (k *memoryKeychain) ClientSecret(context.Context) (string, string, time.Time, error) {
	return k.clientID, k.secret, k.expires, nil
}

// exerciseAppRegistration makes every request of the App registration wizard: read and repair
// the default scenario's app for every integration and the AdminAgents option, rotate its
// secret, and consent it in customers (a consent that lacks permissions is removed and made again).
func exerciseAppRegistration(t *testing.T, h *harness, pages *learn.Data) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	choice := permissions.Choice{Integrations: []string{"MSP Process Authenticator"}, WebRedirects: []string{"https://app.mspprocess.com/cb"}, AdminAgents: true}
	n, err := permissions.Derive(pages, choice)
	if err != nil {
		t.Fatal(err)
	}
	keys := &memoryKeychain{}
	st, err := appreg.Read(ctx, h.admin, appreg.Target{}, keys, appreg.ReadOptions{AdminAgents: true})
	if err != nil {
		t.Fatalf("appreg.Read: %v", err)
	}
	plan := appreg.PlanChanges(st, n, choice)
	res := appreg.Apply(ctx, h.admin, st, plan, appreg.ApplyOptions{Keychain: keys})
	for _, o := range res.Outcomes {
		if !o.Done {
			t.Errorf("app registration %s: %s", o.Change.Kind, o.Sentence)
		}
	}
	// Once more, now that grants exist: the plan widens them (PATCH) after a permission is added.
	st, err = appreg.Read(ctx, h.admin, appreg.Target{}, keys, appreg.ReadOptions{AdminAgents: true})
	if err != nil {
		t.Fatal(err)
	}
	n.Partner = append(n.Partner, permissions.Permission{Name: "Directory.Read.All", ID: "06da0dbc-49e2-44d2-8312-53f166ab848a"})
	widen := appreg.PlanChanges(st, n, choice)
	for _, o := range appreg.Apply(ctx, h.admin, st, widen, appreg.ApplyOptions{Keychain: keys}).Outcomes {
		if !o.Done {
			t.Errorf("app registration %s: %s", o.Change.Kind, o.Sentence)
		}
	}
	if _, _, err := appreg.Rotate(ctx, h.admin, st, appreg.ApplyOptions{Keychain: keys}); err != nil {
		t.Errorf("rotate: %v", err)
	}

	pc := partnercenter.New(h.s.Cloud().PartnerCenterURL, h.hc, &issued{s: h.s, req: sandbox.TokenRequest{UPN: technician, Audience: partnerAud, Scopes: "user_impersonation"}}, partnercenter.Options{})
	// The probe stands in for the app's own token in each customer: one customer lacks a
	// permission (renewal: DELETE, then POST), the others have no consent.
	probe := func(_ context.Context, tenantID string) ([]string, error) {
		if tenantID == tenantOfName(t, h, "Fabrikam") {
			return []string{"User.Read"}, nil
		}
		return nil, appreg.ErrNotConsented
	}
	customers, err := appreg.ReadCustomers(ctx, pc, probe, n, nil)
	if err != nil {
		t.Fatal(err)
	}
	appID := res.App.AppID
	appreg.ConsentCustomers(ctx, pc, appID, permissions.DefaultName, n, customers[:3], probe, nil)
}

// tenantOfName finds a customer's tenant id through Partner Center's list.
func tenantOfName(t *testing.T, h *harness, name string) string {
	pc := partnercenter.New(h.s.Cloud().PartnerCenterURL, h.hc, &issued{s: h.s, req: sandbox.TokenRequest{UPN: technician, Audience: partnerAud, Scopes: "user_impersonation"}}, partnercenter.Options{})
	list, err := pc.ListCustomers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if c.CompanyProfile.CompanyName == name {
			return c.CompanyProfile.TenantID
		}
	}
	t.Fatalf("no customer %s", name)
	return ""
}

// TestEveryRequestIsInThePermissionTable runs every request the app's wizards make and maps each
// one, as the sandbox logged it, through the App registration's permission table: a wizard that
// starts sending a request the table does not list fails here, because the app registration
// would not ask for its permission.
func TestEveryRequestIsInThePermissionTable(t *testing.T) {
	ref, err := reference.Load()
	if err != nil {
		t.Fatal(err)
	}
	pages, err := learn.Load()
	if err != nil {
		t.Fatal(err)
	}
	h := start(t, sandbox.Options{})
	exercise(t, h)
	exerciseAppRegistration(t, h, pages)

	checked := map[string]bool{}
	for _, e := range h.trace.entries(t) {
		var service permissions.Service
		switch e.Host {
		case "graph":
			service = permissions.Graph
		case "partnercenter":
			service = permissions.PartnerCenter
		default:
			continue // signing in needs no permission
		}
		key := e.Host + " " + e.Method + " " + e.Path
		if checked[key] {
			continue
		}
		checked[key] = true
		if _, ok := permissions.Match(service, e.Method, e.RawPath); !ok {
			t.Errorf("%s %s %s (sent as %s) is not in the permission table (internal/appreg/table.go): add its row, with the least-privileged permission, so the app registration asks for it",
				e.Host, e.Method, e.Path, e.RawPath)
		}
		if service == permissions.Graph && !ref.AllowsOrDocumented(e.Method, e.RawPath) {
			t.Errorf("%s %s is not in Microsoft's permissions reference nor in the documented list", e.Method, e.RawPath)
		}
	}
	if len(checked) < 45 {
		t.Fatalf("only %d distinct requests were traced: %v", len(checked), checked)
	}
	t.Logf("%d distinct requests, every one in the permission table", len(checked))
}

// TestAppRegistrationTypesUseGraphNames checks the JSON names internal/appreg reads.
func TestAppRegistrationTypesUseGraphNames(t *testing.T) {
	ref, err := reference.Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		v   any
		typ string
	}{
		{appreg.Application{}, "application"},
		{appreg.RedirectURIs{}, "publicClientApplication"},
		{appreg.RedirectURIs{}, "webApplication"},
		{appreg.RequiredResourceAccess{}, "requiredResourceAccess"},
		{appreg.ResourceAccess{}, "resourceAccess"},
		{appreg.PasswordCredential{}, "passwordCredential"},
		{appreg.ServicePrincipal{}, "servicePrincipal"},
		{appreg.Grant{}, "oAuth2PermissionGrant"},
		{appreg.AppRoleAssignment{}, "appRoleAssignment"},
	}
	for _, tt := range tests {
		rt := reflect.TypeOf(tt.v)
		for i := 0; i < rt.NumField(); i++ {
			name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			if !ref.HasProperty("v1.0", tt.typ, name) {
				t.Errorf("%s.%s reads %q, which %s does not have", rt.Name(), rt.Field(i).Name, name, tt.typ)
			}
		}
	}
}
