package appreg

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/retry"
	"github.com/onboard365/onboard365/internal/words"
)

// Progress is what Apply reports while it works.
type Progress struct {
	Done, Total int
	Message     string // what is happening now, in plain words
}

// SecretCheck proves that a client secret works, by asking the token endpoint for an app-only
// token with it (NewSecretCheck). It returns nil when it does.
type SecretCheck func(ctx context.Context, clientID, secret string) error

// ApplyOptions are what Apply needs besides the Graph client.
type ApplyOptions struct {
	Keychain    Keychain       // where a new secret is kept; nil: it is only shown
	CheckSecret SecretCheck    // nil: a new secret is taken as working
	Progress    func(Progress) // nil: no reports
	// Sleep waits between tries; nil is a real wait that ends early when ctx ends.
	Sleep func(ctx context.Context, d time.Duration) error
	// Waits are the pauses between tries while Microsoft finishes setting up a new app (it is
	// not found for a few seconds after it is made); nil means DefaultWaits.
	Waits []time.Duration
	Now   func() time.Time // nil: time.Now
}

// DefaultWaits add up to about a minute, longer than Entra's usual replication delay.
var DefaultWaits = []time.Duration{2 * time.Second, 3 * time.Second, 5 * time.Second, 8 * time.Second, 10 * time.Second, 15 * time.Second, 20 * time.Second}

// Outcome says how one change went.
type Outcome struct {
	Change   Change
	Done     bool
	Sentence string // what happened, in plain words
	Err      error  // why it failed (a *Problem), nil when done or skipped
}

// NewSecret is a client secret Apply made: its text is here and nowhere else, to be shown once.
type NewSecret struct {
	ClientID string
	Text     string
	Expires  time.Time
	Works    bool // the token endpoint accepted it
	Stored   bool // it is in this computer's keychain
}

// Result is what Apply did.
type Result struct {
	Outcomes []Outcome
	App      *Application
	SP       *ServicePrincipal
	Secret   *NewSecret // nil when no secret was made
	Waited   int        // tries that waited for Microsoft to finish setting up the new app
}

// Failed counts the changes that were not made.
func (r Result) Failed() int {
	n := 0
	for _, o := range r.Outcomes {
		if !o.Done {
			n++
		}
	}
	return n
}

// Apply makes the plan's changes in order, reporting progress. A change that later ones depend
// on (creating the app, its service principal) stops those when it fails; every other failure
// is reported and the rest goes on. g is a Graph client for the partner tenant with the Admin
// permissions. st is the State the plan was made from.
func Apply(ctx context.Context, g *graph.Client, st State, p Plan, opts ApplyOptions) Result {
	a := &applier{g: g, opts: opts, total: len(p.Changes), plan: p}
	a.res.App, a.res.SP = st.App, st.SP
	a.graphSP, a.pcSP = st.GraphSP, st.PartnerCenterSP
	a.adminAgents = st.AdminAgents
	if a.res.App != nil {
		copied := *a.res.App
		a.res.App = &copied
	}
	for i, ch := range p.Changes {
		a.report(i, ch.Sentence)
		if err := ctx.Err(); err != nil {
			a.res.Outcomes = append(a.res.Outcomes, Outcome{Change: ch, Sentence: "Not made: the step was stopped.", Err: err})
			continue
		}
		a.res.Outcomes = append(a.res.Outcomes, a.make(ctx, ch))
	}
	a.report(len(p.Changes), "Done.")
	return a.res
}

type applier struct {
	g           *graph.Client
	opts        ApplyOptions
	plan        Plan
	total       int
	res         Result
	graphSP     *ServicePrincipal
	pcSP        *ServicePrincipal
	adminAgents *GroupMembership
	created     bool // the app was made in this run
	createErr   error
	spErr       error
	newWorks    bool // the secret made in this run works
}

func (a *applier) report(done int, msg string) {
	if a.opts.Progress != nil {
		a.opts.Progress(Progress{Done: done, Total: a.total, Message: msg})
	}
}

func (a *applier) now() time.Time {
	if a.opts.Now != nil {
		return a.opts.Now()
	}
	return time.Now()
}

func (a *applier) make(ctx context.Context, ch Change) Outcome {
	done := func(s string) Outcome { return Outcome{Change: ch, Done: true, Sentence: s} }
	fail := func(err error) Outcome { return Outcome{Change: ch, Sentence: explain.Sentence(err), Err: err} }
	skip := func(why string) Outcome { return Outcome{Change: ch, Sentence: "Not made: " + why} }

	if ch.Kind != CreateApp && a.res.App == nil {
		if a.createErr != nil {
			return skip("the app registration could not be created.")
		}
		if ch.Kind != CreateResourceSP {
			return skip("there is no app registration.")
		}
	}
	if ch.PartOfCreate {
		if a.created {
			return done("Done, as part of the new app.")
		}
		return skip("the app registration could not be created.")
	}
	switch ch.Kind {
	case CreateApp:
		var app Application
		if err := a.g.Do(ctx, http.MethodPost, "/v1.0/applications", a.createBody(), &app); err != nil {
			a.createErr = graphProblem("Onboard365 could not create the app registration.", err)
			return fail(a.createErr)
		}
		a.res.App, a.created = &app, true
		return done(fmt.Sprintf("Created %q (application id %s).", app.DisplayName, app.AppID))
	case SetAudience:
		if err := a.patch(ctx, map[string]any{"signInAudience": "AzureADMultipleOrgs"}); err != nil {
			return fail(err)
		}
		a.res.App.SignInAudience = "AzureADMultipleOrgs"
		return done("The app can now be used in your customers' tenants.")
	case SetPublicClient:
		if err := a.patch(ctx, map[string]any{"isFallbackPublicClient": true}); err != nil {
			return fail(err)
		}
		yes := true
		a.res.App.IsFallbackPublicClient = &yes
		return done("Public client flows are allowed.")
	case AddPublicRedirects:
		uris := append(append([]string(nil), a.res.App.PublicClient.RedirectURIs...), ch.URIs...)
		if err := a.patch(ctx, map[string]any{"publicClient": map[string]any{"redirectUris": uris}}); err != nil {
			return fail(err)
		}
		a.res.App.PublicClient.RedirectURIs = uris
		return done("Added " + strings.Join(ch.URIs, ", ") + ".")
	case AddWebRedirects:
		uris := append(append([]string(nil), a.res.App.Web.RedirectURIs...), ch.URIs...)
		if err := a.patch(ctx, map[string]any{"web": map[string]any{"redirectUris": uris}}); err != nil {
			return fail(err)
		}
		a.res.App.Web.RedirectURIs = uris
		return done("Added " + strings.Join(ch.URIs, ", ") + ".")
	case AddPermissions:
		rra := mergeAccess(a.res.App.RequiredResourceAccess, ch)
		if err := a.patch(ctx, map[string]any{"requiredResourceAccess": rra}); err != nil {
			return fail(err)
		}
		a.res.App.RequiredResourceAccess = rra
		return done("The app now asks for " + names(ch.Permissions) + ".")
	case CreateSP:
		var sp ServicePrincipal
		err := a.again(ctx, func() error {
			return a.g.Do(ctx, http.MethodPost, "/v1.0/servicePrincipals", map[string]any{"appId": a.res.App.AppID}, &sp)
		})
		if err != nil {
			a.spErr = graphProblem("Onboard365 could not create the app's service principal.", err)
			return fail(a.spErr)
		}
		a.res.SP = &sp
		return done("Created the app's service principal.")
	case CreateResourceSP:
		var sp ServicePrincipal
		err := a.g.Do(ctx, http.MethodPost, "/v1.0/servicePrincipals", map[string]any{"appId": ch.ResourceAppID}, &sp)
		if err != nil {
			return fail(graphProblem("Onboard365 could not add Partner Center to your enterprise applications.", err))
		}
		a.pcSP = &sp
		return done("Added Microsoft Partner Center to your enterprise applications.")
	case AddSecret:
		return a.addSecret(ctx, ch)
	case RemoveSecret:
		if ch.AfterNewWorks && !a.newWorks {
			return skip("the old secret is kept, because the new one was not shown to work.")
		}
		err := a.g.Do(ctx, http.MethodPost, "/v1.0/applications/"+url.PathEscape(a.res.App.ID)+"/removePassword", map[string]any{"keyId": ch.KeyID}, nil)
		if err != nil {
			return fail(graphProblem("Onboard365 could not remove an old secret.", err))
		}
		a.res.App.PasswordCredentials = withoutKey(a.res.App.PasswordCredentials, ch.KeyID)
		return done("Removed.")
	case GrantDelegated:
		return a.grantDelegated(ctx, ch)
	case GrantAppRole:
		if a.res.SP == nil {
			return skip("the app has no service principal.")
		}
		body := map[string]any{"principalId": a.res.SP.ID, "resourceId": a.graphSP.ID, "appRoleId": ch.Permissions[0].ID}
		err := a.again(ctx, func() error {
			return a.g.Do(ctx, http.MethodPost, "/v1.0/servicePrincipals/"+url.PathEscape(a.graphSP.ID)+"/appRoleAssignedTo", body, nil)
		})
		if err != nil {
			return fail(consentProblem("Onboard365 could not grant the application permission "+ch.Permissions[0].Name+".", err))
		}
		return done("Granted " + ch.Permissions[0].Name + ".")
	case JoinAdminAgents:
		if a.res.SP == nil || a.adminAgents == nil || !a.adminAgents.Found {
			return skip("the app's service principal or the AdminAgents group is missing.")
		}
		body := map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + a.res.SP.ID}
		err := a.g.Do(ctx, http.MethodPost, "/v1.0/groups/"+url.PathEscape(a.adminAgents.GroupID)+"/members/$ref", body, nil)
		if err != nil {
			return fail(graphProblem("Onboard365 could not add the app to AdminAgents.", err))
		}
		return done("The app is in AdminAgents.")
	}
	return skip("Onboard365 does not know how to make this change.")
}

// createBody is a new app with everything the plan gives it.
func (a *applier) createBody() map[string]any {
	n := a.plan.Needs
	app := Application{}
	for _, ch := range a.plan.Changes {
		if ch.Kind == AddPermissions && ch.PartOfCreate {
			app.RequiredResourceAccess = mergeAccess(app.RequiredResourceAccess, ch)
		}
	}
	body := map[string]any{
		"displayName":            a.plan.Target.name(),
		"signInAudience":         "AzureADMultipleOrgs",
		"isFallbackPublicClient": true,
		"publicClient":           map[string]any{"redirectUris": n.PublicRedirects},
		"requiredResourceAccess": app.RequiredResourceAccess,
	}
	if len(n.WebRedirects) > 0 {
		body["web"] = map[string]any{"redirectUris": n.WebRedirects}
	}
	return body
}

func (a *applier) patch(ctx context.Context, body map[string]any) error {
	err := a.again(ctx, func() error {
		return a.g.Do(ctx, http.MethodPatch, "/v1.0/applications/"+url.PathEscape(a.res.App.ID), body, nil)
	})
	if err != nil {
		return graphProblem("Onboard365 could not change the app registration.", err)
	}
	return nil
}

// again runs a request on an app made moments ago, trying again while Microsoft has not finished
// setting it up everywhere (it answers "not found" or "not a valid application" for a few seconds).
func (a *applier) again(ctx context.Context, call func() error) error {
	waits := a.opts.Waits
	if waits == nil {
		waits = DefaultWaits
	}
	for try := 0; ; try++ {
		err := call()
		if err == nil || !a.created || !notYetThere(err) || try >= len(waits) {
			return err
		}
		a.res.Waited++
		a.report(len(a.res.Outcomes), fmt.Sprintf("Microsoft is still setting up the new app (this takes a few seconds after an app is made). "+
			"Trying again in %s (try %d of %d)…", waits[try], try+2, len(waits)+1))
		if err := a.sleep(ctx, waits[try]); err != nil {
			return err
		}
	}
}

func (a *applier) sleep(ctx context.Context, d time.Duration) error {
	if a.opts.Sleep != nil {
		return a.opts.Sleep(ctx, d)
	}
	return retry.Sleep(ctx, d)
}

// addedSecret is addPassword's answer (a passwordCredential), as far as Apply reads it.
type addedSecret struct {
	KeyID       string     `json:"keyId"`
	SecretText  string     `json:"secretText"`
	EndDateTime *time.Time `json:"endDateTime"`
}

// notYetThere recognizes Entra's answers about an app that has not replicated yet.
func notYetThere(err error) bool {
	var e *graph.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Status == http.StatusNotFound ||
		(e.Status == http.StatusBadRequest && strings.Contains(strings.ToLower(e.Message), "valid application object"))
}

func (a *applier) addSecret(ctx context.Context, ch Change) Outcome {
	fail := func(err error) Outcome { return Outcome{Change: ch, Sentence: explain.Sentence(err), Err: err} }
	app := a.res.App
	end := a.now().Add(SecretLifetime).UTC().Truncate(time.Second)
	body := map[string]any{"passwordCredential": map[string]any{
		"displayName": "Onboard365 (added " + a.now().UTC().Format("2006-01-02") + ")", "endDateTime": end}}
	var made addedSecret
	err := a.again(ctx, func() error {
		return a.g.Do(ctx, http.MethodPost, "/v1.0/applications/"+url.PathEscape(app.ID)+"/addPassword", body, &made)
	})
	if err != nil {
		return fail(graphProblem("Onboard365 could not add a client secret.", err))
	}
	if made.SecretText == "" {
		return fail(&Problem{What: "Microsoft made a client secret but did not send its text.", Why: "The answer was not what Microsoft documents.",
			Do: "Press Try again; the plan will add another secret."})
	}
	if made.EndDateTime != nil {
		end = made.EndDateTime.UTC()
	}
	a.res.App.PasswordCredentials = append(a.res.App.PasswordCredentials, PasswordCredential{KeyID: made.KeyID, Hint: made.SecretText[:min(3, len(made.SecretText))], EndDateTime: &end})
	s := &NewSecret{ClientID: app.AppID, Text: made.SecretText, Expires: end}
	a.res.Secret = s

	if err := a.checkSecret(ctx, s); err != nil {
		// A secret that does not work is not kept anywhere: remove it, keep the old one.
		_ = a.g.Do(ctx, http.MethodPost, "/v1.0/applications/"+url.PathEscape(app.ID)+"/removePassword", map[string]any{"keyId": made.KeyID}, nil)
		a.res.App.PasswordCredentials = withoutKey(a.res.App.PasswordCredentials, made.KeyID)
		a.res.Secret = nil
		return fail(&Problem{What: "The new client secret did not work, so Onboard365 removed it again and kept the old one.",
			Why: explain.Sentence(err), Do: "Wait a minute, then press Try again.", err: err})
	}
	s.Works, a.newWorks = true, true
	if a.opts.Keychain == nil {
		return Outcome{Change: ch, Done: true, Sentence: "Added a client secret valid until " + words.Day(end) + ". It works. Copy it now: it is shown only once."}
	}
	if err := a.opts.Keychain.PutClientSecret(ctx, app.AppID, s.Text, end); err != nil {
		return fail(&Problem{What: "The new client secret works, but this computer's keychain did not take it.", err: err,
			Why: explain.Sentence(err), Do: "Copy the secret now (it is shown only once) into your password manager, then fix the keychain and run this wizard again."})
	}
	s.Stored = true
	return Outcome{Change: ch, Done: true, Sentence: "Added a client secret valid until " + words.Day(end) + ", checked that it works, and kept it in this computer's keychain."}
}

// checkSecret asks the token endpoint to accept the new secret, waiting a little between tries:
// a secret can take a few seconds to work everywhere after it is made.
func (a *applier) checkSecret(ctx context.Context, s *NewSecret) error {
	if a.opts.CheckSecret == nil {
		return nil
	}
	waits := a.opts.Waits
	if waits == nil {
		waits = DefaultWaits
	}
	for try := 0; ; try++ {
		err := a.opts.CheckSecret(ctx, s.ClientID, s.Text)
		if err == nil || ctx.Err() != nil || try >= len(waits) {
			return err
		}
		a.res.Waited++
		a.report(len(a.res.Outcomes), fmt.Sprintf("Microsoft has not accepted the new secret yet (it can take a few seconds). Trying again in %s (try %d of %d)…",
			waits[try], try+2, len(waits)+1))
		if err := a.sleep(ctx, waits[try]); err != nil {
			return err
		}
	}
}

func (a *applier) grantDelegated(ctx context.Context, ch Change) Outcome {
	fail := func(err error) Outcome { return Outcome{Change: ch, Sentence: explain.Sentence(err), Err: err} }
	resource := a.graphSP
	name := "Microsoft Graph"
	if ch.ResourceAppID == permissions.PartnerCenterAppID {
		resource, name = a.pcSP, "Partner Center"
	}
	if a.res.SP == nil || resource == nil {
		return Outcome{Change: ch, Sentence: "Not made: the app's or " + name + "'s service principal is missing."}
	}
	scope := strings.Join(ch.Scopes, " ")
	var err error
	if ch.GrantID != "" {
		err = a.g.Do(ctx, http.MethodPatch, "/v1.0/oauth2PermissionGrants/"+url.PathEscape(ch.GrantID), map[string]any{"scope": scope}, nil)
	} else {
		body := map[string]any{"clientId": a.res.SP.ID, "consentType": "AllPrincipals", "resourceId": resource.ID, "scope": scope}
		err = a.again(ctx, func() error { return a.g.Do(ctx, http.MethodPost, "/v1.0/oauth2PermissionGrants", body, nil) })
	}
	if err != nil {
		return fail(consentProblem("Onboard365 could not grant admin consent for the app's "+name+" permissions.", err))
	}
	return Outcome{Change: ch, Done: true, Sentence: fmt.Sprintf("Admin consent granted for %s.", words.Count(len(ch.Scopes), name+" permission"))}
}

// mergeAccess adds a change's permissions to requiredResourceAccess, keeping everything there.
func mergeAccess(rra []RequiredResourceAccess, ch Change) []RequiredResourceAccess {
	typ := "Scope"
	if ch.Roles {
		typ = "Role"
	}
	out := make([]RequiredResourceAccess, len(rra))
	for i, r := range rra {
		out[i] = RequiredResourceAccess{ResourceAppID: r.ResourceAppID, ResourceAccess: append([]ResourceAccess(nil), r.ResourceAccess...)}
	}
	at := -1
	for i, r := range out {
		if strings.EqualFold(r.ResourceAppID, ch.ResourceAppID) {
			at = i
		}
	}
	if at < 0 {
		out = append(out, RequiredResourceAccess{ResourceAppID: ch.ResourceAppID, ResourceAccess: []ResourceAccess{}})
		at = len(out) - 1
	}
	for _, p := range ch.Permissions {
		found := false
		for _, x := range out[at].ResourceAccess {
			found = found || (strings.EqualFold(x.ID, p.ID) && x.Type == typ)
		}
		if !found {
			out[at].ResourceAccess = append(out[at].ResourceAccess, ResourceAccess{ID: p.ID, Type: typ})
		}
	}
	return out
}

func withoutKey(cs []PasswordCredential, keyID string) []PasswordCredential {
	var out []PasswordCredential
	for _, c := range cs {
		if c.KeyID != keyID {
			out = append(out, c)
		}
	}
	return out
}
