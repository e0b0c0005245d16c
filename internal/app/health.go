package app

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/onboard365/onboard365/internal/appreg"
	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/health"
	"github.com/onboard365/onboard365/internal/reference/learn"
	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/internal/troubleshoot"
	"github.com/onboard365/onboard365/internal/vault"
	"github.com/onboard365/onboard365/internal/words"
)

// Health checks everything at once (internal/health): one verdict per customer and one for the
// partner, for Home, `onboard365 check all` and the scheduled watch. It reads once and hands
// what it read to the wizards' own checks: the GDAP verdict for the template, the Troubleshoot
// checks, the App registration wizard's consent check, and the keychain.
type Health struct {
	a     *Account
	store *roles.ProfileStore
	path  string // where the last result is kept (health.DefaultPath); "" keeps none

	// Extra are more parts of every customer's verdict, checked beside the built-in ones: the
	// place for onboarding's invitations waiting and its verify step.
	Extra []health.CustomerCheck

	needsOnce sync.Once
	needs     permissions.Needs
	needsErr  error
}

// NewHealth is the health check with an account's sign-in. It keeps its last result in the
// user's configuration folder (one file for the sandbox, another for Microsoft's cloud).
func NewHealth(a *Account) *Health {
	h := &Health{a: a, store: defaultStore()}
	if p, err := health.DefaultPath(a.cloud.Sandbox); err == nil {
		h.path = p
	}
	return h
}

// HealthReport is one health check: what Home shows and `check all` prints.
type HealthReport = health.Report

// HealthRequest says what to check against.
type HealthRequest struct {
	Template string // the role template (profile) the GDAP roles are judged against; "" for the default
}

// Templates names the role templates the GDAP roles can be judged against, the default first.
func (h *Health) Templates() []string {
	var names []string
	for _, p := range allProfiles(h.store) {
		names = append(names, p.Name)
	}
	return names
}

// Last is the result of the last check on this computer (the window's or the watch's), without
// reaching Microsoft: ok false when there is none yet.
func (h *Health) Last() (HealthReport, bool, error) {
	if h.path == "" {
		return HealthReport{}, false, nil
	}
	return health.Load(h.path)
}

// customerNeeds are the permissions the app's consent must carry in every customer: those of
// the App registration wizard's default choice.
func (h *Health) customerNeeds() (permissions.Needs, error) {
	h.needsOnce.Do(func() {
		var pages *learn.Data
		if pages, h.needsErr = learn.Load(); h.needsErr == nil {
			h.needs, h.needsErr = permissions.Derive(pages, permissions.Choice{})
		}
	})
	return h.needs, h.needsErr
}

// Check checks everything now, keeps the result on this computer, and returns it. When the
// technician's sign-in cannot be used at all, the report holds only the partner's verdict (the
// kept sign-in failing, with why) and the error says the same.
func (h *Health) Check(ctx context.Context, req HealthRequest, progress func(done, total int)) (HealthReport, error) {
	name := req.Template
	if name == "" {
		name = roles.ProfileLiongard
	}
	profile, err := findProfile(h.store, name)
	if err != nil {
		return HealthReport{}, err
	}
	now := h.a.now()
	stored, storedErr := h.a.Stored(ctx)
	facts := health.PartnerFacts{Now: now, SignedIn: stored.SignedIn, Technician: stored.Account, Renewed: stored.Renewed,
		Problem: stored.Problem, KeychainErr: storedErr, ClientID: stored.ClientID, SecretExpires: stored.SecretExpires, TenantID: stored.Tenant}

	claims, err := h.a.partnerClaims(ctx)
	if err != nil {
		// Nothing can be read: the partner's verdict says why, and the last good result stays
		// kept for Home.
		facts.SignedIn, facts.Problem = false, signInProblem(err)
		facts.TroubleshootErr, facts.FrequencyErr = err, err
		r := HealthReport{CheckedAt: now, Template: profile.Name, Partner: health.JudgePartner(facts)}
		r.Count()
		return r, err
	}
	facts.TenantID, facts.Technician = claims.Tid, words.Clean(claims.Upn)
	facts.ThisRunOnly = !stored.SignedIn && stored.Problem == ""

	pc, err := h.a.Graph(ctx, "")
	if err != nil {
		return HealthReport{}, err
	}
	inv, invErr := gdap.Read(ctx, pc, nil)
	if invErr != nil {
		invErr = errors.New("reading your GDAP relationships: " + gdap.Explain(invErr))
	}

	var (
		wg        sync.WaitGroup
		diagnosis troubleshoot.Diagnosis
		diagErr   error
		consents  []appreg.Customer
		consErr   error
		policies  []map[string]any
		polErr    error
	)
	wg.Add(3)
	go func() {
		defer wg.Done()
		if invErr != nil {
			diagErr = invErr
			return
		}
		tenants := troubleshoot.TenantGraph(h.a.Graph)
		if bulk, err := h.a.bulkTenants(ctx); err == nil {
			tenants = bulk
		}
		diagnosis, diagErr = troubleshoot.Diagnose(ctx, tenants, troubleshoot.Options{SignIn: claims, Profile: profile, Now: now,
			Inventory: &inv, Progress: progress})
	}()
	go func() {
		defer wg.Done()
		needs, err := h.customerNeeds()
		if err != nil {
			consErr = err
			return
		}
		probe := appreg.ProbeWith(h.a.authn())
		if side, err := h.a.sideAuthn(ctx); err == nil {
			probe = appreg.ProbeWith(side)
		}
		consents, consErr = appreg.ReadCustomers(ctx, h.a.partnerCenter(), probe, needs, nil)
	}()
	go func() {
		defer wg.Done()
		policies, polErr = graph.List[map[string]any](ctx, pc, partnerPoliciesPath)
	}()
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return HealthReport{}, err
	}

	var verdicts []gdap.Verdict
	if invErr == nil {
		verdicts = gdap.Evaluate(inv, profile, now)
	}
	// The parts in the order a person reads them: can we get in, may the app, does a policy stop
	// us, do we hold the roles, will it last, what waits, the licence.
	fromGDAP := health.FromGDAP(inv, verdicts, profile.Name, invErr)
	fromTroubleshoot := health.FromTroubleshoot(diagnosis, diagErr)
	checks := []health.CustomerCheck{fromTroubleshoot[0], health.FromConsent(consents, consErr), fromTroubleshoot[1]}
	checks = append(checks, fromGDAP...)
	checks = append(checks, fromTroubleshoot[2])
	checks = append(checks, h.Extra...)
	customers := health.Customers(ctx, health.Tenants(inv.Customers(), consents), checks...)

	facts.Troubleshoot, facts.TroubleshootErr = diagnosis.Partner, diagErr
	if polErr != nil {
		facts.FrequencyErr = polErr
	} else {
		facts.Frequencies = health.SignInFrequency(policies, health.Technician{ID: inv.Technician.ID, Groups: inv.TechnicianGroups}, h.a.ClientID())
	}
	r := HealthReport{CheckedAt: now, Template: profile.Name, Partner: health.JudgePartner(facts), Customers: customers}
	r.Count()
	r = words.Cleaned(r)
	h.keep(r)
	if progress != nil {
		progress(len(customers), len(customers))
	}
	return r, nil
}

// partnerPoliciesPath lists the partner tenant's Conditional Access policies (the Troubleshoot
// wizard reads the same list for MFA enforcement), for the sign-in frequency.
const partnerPoliciesPath = "/v1.0/identity/conditionalAccess/policies"

// keep writes the result where Last finds it; a result that cannot be kept is still shown.
func (h *Health) keep(r HealthReport) {
	if h.path != "" {
		_ = health.Save(h.path, r)
	}
}

// signInProblem says why the kept sign-in cannot be used, for the partner's verdict.
func signInProblem(err error) string {
	if errors.Is(err, vault.ErrNotFound) || errors.Is(err, ErrSignInFirst) {
		return ErrSignInFirst.Error()
	}
	return words.Sentence(err.Error())
}

// Export writes a report as "table", "json", "csv" or "html" (health.Write).
func (h *Health) Export(r HealthReport, format string, w io.Writer) error {
	return health.Write(w, r, format)
}

// keptRecently is how long a last result counts as fresh for Home: within it, Home shows it
// without checking again.
const keptRecently = 30 * time.Minute

// Fresh says whether a result is recent enough that Home need not check again.
func (h *Health) Fresh(r HealthReport) bool {
	age := h.a.now().Sub(r.CheckedAt)
	return age >= 0 && age < keptRecently
}
