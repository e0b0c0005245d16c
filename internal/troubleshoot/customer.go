package troubleshoot

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/jsonvalue"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/roles"
)

// Service plans that carry Entra ID P1 (P2 includes P1), from Microsoft's licensing reference.
const (
	planEntraP1 = "41781fb2-bc02-4b7c-bd55-b576c07bb09d" // AAD_PREMIUM
	planEntraP2 = "eec0eb4f-6444-4f95-aba0-50c24d67f998" // AAD_PREMIUM_P2
)

const (
	skusPath = "/v1.0/subscribedSkus"
	// signInsPath asks the beta sign-in log for non-interactive sign-ins (the ones an integration
	// makes with its refresh token) refused by Conditional Access, newest first.
	signInsPath = "/beta/auditLogs/signIns?$filter=" +
		"signInEventTypes%2Fany%28t%3A%20t%20eq%20%27nonInteractiveUser%27%29%20and%20status%2FerrorCode%20eq%2053003&$top=100"
)

// sku is a subscribedSku, as far as the licence check reads it.
type sku struct {
	SkuPartNumber    string `json:"skuPartNumber"`
	CapabilityStatus string `json:"capabilityStatus"`
	ServicePlans     []struct {
		ServicePlanID string `json:"servicePlanId"`
	} `json:"servicePlans"`
}

// signInEntry is one sign-in of the log, as far as the evidence needs it.
type signInEntry struct {
	CreatedDateTime       time.Time `json:"createdDateTime"`
	UserPrincipalName     string    `json:"userPrincipalName"`
	AppDisplayName        string    `json:"appDisplayName"`
	HomeTenantID          string    `json:"homeTenantId"`
	CrossTenantAccessType string    `json:"crossTenantAccessType"`
	Status                struct {
		ErrorCode int `json:"errorCode"`
	} `json:"status"`
	AppliedConditionalAccessPolicies []struct {
		ID          string `json:"id"`
		DisplayName string `json:"displayName"`
		Result      string `json:"result"`
	} `json:"appliedConditionalAccessPolicies"`
}

// customerInput is what one customer's checks start from.
type customerInput struct {
	c       Customer
	partner string          // the partner tenant's id
	verdict *gdap.Verdict   // the GDAP verdict for the integration's profile
	held    map[string]bool // the roles the technician holds there through GDAP (lower-case ids)
	admin   *graph.Client   // a customer administrator's sign-in, or nil
}

// customerResult is one customer's checks, the fixes they found, and the AADSTS code that refused
// the technician a token there ("" when it got one).
type customerResult struct {
	list        Checklist
	fixes       []Fix
	refusedCode string
}

// checkCustomer runs one customer's checks.
func checkCustomer(ctx context.Context, tenants TenantGraph, in customerInput) customerResult {
	l := Checklist{Customer: in.c}
	name := clean(in.c.Label())

	// Access: the first request brings the token.
	var (
		reader  *graph.Client
		skus    []sku
		skusErr error
		access  failure
	)
	gc, err := tenants(ctx, in.c.TenantID)
	if err == nil {
		skus, skusErr = graph.List[sku](ctx, gc, skusPath)
		access = classify(skusErr)
	} else {
		access = classify(err)
		access.token = true
	}
	accessCheck := accessOf(name, access)
	if !access.token {
		reader = gc
	}
	if (reader == nil || accessCheck.Status != plan.Pass) && in.admin != nil {
		reader, l.AdminSignedIn = in.admin, true
		skus, skusErr = graph.List[sku](ctx, in.admin, skusPath)
	}
	l.add(accessCheck)

	var (
		policies     []map[string]any
		policiesErr  error
		signIns      []signInEntry
		signInsErr   error
		p1, p1Known  bool
		licenceCheck Check
	)
	if reader != nil {
		licenceCheck, p1, p1Known = licenceOf(name, skus, skusErr)
		if !p1Known || p1 {
			var wg sync.WaitGroup
			wg.Add(2)
			go func() {
				defer wg.Done()
				policies, policiesErr = readPolicies(ctx, reader)
			}()
			go func() {
				defer wg.Done()
				signIns, signInsErr = graph.List[signInEntry](ctx, reader, signInsPath)
			}()
			wg.Wait()
		}
	}

	// Conditional Access.
	ca := Check{Kind: ConditionalAccess}
	var findings []Finding
	var fixes []Fix
	byID := map[string]map[string]any{}
	switch {
	case reader == nil && access.aadsts == "53003":
		ca.Status = plan.Fail
		ca.Sentence = possessive(name) + " Conditional Access blocks your technicians: Microsoft refused a token with AADSTS53003. The block also " +
			"stops Onboard365 from reading " + possessive(name) + " policies through GDAP. One of " + possessive(name) + " own administrators " +
			"(a Global Administrator, Conditional Access Administrator or Security Administrator of " + name + ") can sign in to " +
			"Troubleshoot in Onboard365 to see which policy it is and to exclude your partner tenant's service provider users from it."
		l.NeedsAdmin = true
	case reader == nil:
		ca.Status = plan.CouldNotCheck
		ca.Sentence = "Onboard365 cannot read " + possessive(name) + " Conditional Access policies while Microsoft refuses your technician a token there (see Access above)."
	case p1Known && !p1:
		ca.Status = plan.CouldNotCheck
		ca.Sentence = name + " has no Entra ID P1, which Conditional Access needs, so Onboard365 cannot read its policies. " +
			"Without P1 no policy of " + name + " can be changed; if it once had P1, policies made then may still apply."
	case policiesErr != nil:
		fl := classify(policiesErr)
		ca.Status = plan.CouldNotCheck
		switch {
		case fl.noLicence():
			ca.Sentence = name + " has no Entra ID P1, which Conditional Access needs, so Onboard365 cannot read its policies."
		case fl.noRole():
			ca.Sentence = "Your GDAP roles in " + name + " do not include one that can read Conditional Access policies (Security Reader, " +
				"Global Reader, Conditional Access Administrator or Security Administrator). Add one in GDAP relationships, or have " +
				"one of " + possessive(name) + " own administrators sign in to Troubleshoot."
			if in.admin == nil {
				l.NeedsAdmin = true
			}
		default:
			ca.Sentence = "Onboard365 could not read " + possessive(name) + " Conditional Access policies. " + fl.sentence
		}
	default:
		for _, p := range policies {
			f := Analyse(p, in.partner)
			findings = append(findings, f)
			byID[f.ID] = p
		}
		ca, fixes = caCheck(name, in, findings, byID, access, l.AdminSignedIn)
	}
	l.add(ca)

	// The sign-in log.
	l.add(signInLogCheck(name, in.partner, reader, access, p1Known && !p1, signIns, signInsErr, findings, policiesErr == nil && reader != nil && !(p1Known && !p1)))

	// GDAP roles and groups.
	l.add(gdapCheck(name, in.verdict))

	// Entra ID P1.
	if reader == nil {
		licenceCheck = Check{Kind: EntraP1, Status: plan.CouldNotCheck,
			Sentence: "Onboard365 cannot read " + possessive(name) + " licences while Microsoft refuses your technician a token there (see Access above)."}
	}
	l.add(licenceCheck)

	for i := range l.Checks {
		if l.Checks[i].Kind != ConditionalAccess {
			continue
		}
		for _, f := range fixes {
			l.Checks[i].FixIDs = append(l.Checks[i].FixIDs, f.ID)
		}
	}
	code := ""
	if access.token {
		code = access.aadsts
	}
	return customerResult{list: l, fixes: fixes, refusedCode: code}
}

// accessOf is the Access check: did Microsoft give the technician a token for the customer?
func accessOf(name string, f failure) Check {
	c := Check{Kind: Access, Status: plan.Pass}
	if !f.token {
		c.Sentence = "Microsoft gives your technician a token for " + name + " through GDAP."
		if f.status == 0 && f.sentence != "" {
			// The token came, but the first read failed for another reason (the network, say).
			c.Status = plan.CouldNotCheck
			c.Sentence = "Onboard365 could not reach " + name + ". " + f.sentence
		}
		return c
	}
	c.Status = plan.Fail
	switch f.aadsts {
	case "53003":
		c.Sentence = "Microsoft refused your technician a token for " + name + " because a Conditional Access policy of " + name +
			" blocks it (AADSTS53003). See Conditional Access below."
	case "530034", "53011":
		c.Sentence = "Microsoft refused your technician a token for " + name + " because your partner account is flagged as risky in " +
			"your own tenant (AADSTS" + f.aadsts + "). See Risky account in your partner tenant's checks."
	case "90099", "65001", "90094":
		c.Sentence = "Microsoft refused a token for " + name + " because the app Onboard365 signs in with is not consented there (AADSTS" +
			f.aadsts + "). Open App registration and give the app consent in " + name + ", then check again."
	case "50020":
		c.Sentence = "Your account has no GDAP access to " + name + " (AADSTS50020): no active relationship assigns a role to a " +
			"group you are in. See GDAP roles and groups below."
	case "700082", "50173", "":
		c.Status = plan.CouldNotCheck
		c.Sentence = "Onboard365 could not get a token for " + name + " because of your own sign-in, not the customer. " + f.sentence
	default:
		c.Sentence = "Microsoft refused your technician a token for " + name + " (AADSTS" + f.aadsts + "). " + f.sentence
	}
	return c
}

// licenceOf is the Entra ID P1 check; p1Known is false when the licences could not be read.
func licenceOf(name string, skus []sku, err error) (c Check, p1, p1Known bool) {
	c = Check{Kind: EntraP1}
	if err != nil {
		fl := classify(err)
		c.Status = plan.CouldNotCheck
		if fl.noRole() {
			c.Sentence = "Your GDAP roles in " + name + " do not include one that can read its licences (Global Reader, License " +
				"Administrator, Directory Readers or User Administrator)."
		} else {
			c.Sentence = "Onboard365 could not read " + possessive(name) + " licences. " + fl.sentence
		}
		return c, false, false
	}
	for _, s := range skus {
		if st := strings.ToLower(s.CapabilityStatus); st != "enabled" && st != "warning" {
			continue
		}
		for _, p := range s.ServicePlans {
			if strings.EqualFold(p.ServicePlanID, planEntraP1) || strings.EqualFold(p.ServicePlanID, planEntraP2) {
				c.Status = plan.Pass
				c.Sentence = name + " has Entra ID P1 (in its " + quote(s.SkuPartNumber) + " subscription), which Conditional Access and its sign-in log need."
				return c, true, true
			}
		}
	}
	c.Status = plan.Fail
	c.Sentence = name + " has no Entra ID P1 licence. Without it, " + name + " cannot use Conditional Access, and its sign-in log and " +
		"sign-in method reports cannot be read, which integrations that report on them need. Entra ID P1 comes with Microsoft 365 " +
		"Business Premium, E3 and E5, or on its own."
	return c, false, true
}

// caCheck judges the policies read and plans a fix for each that stops the technicians.
func caCheck(name string, in customerInput, findings []Finding, byID map[string]map[string]any, access failure, asAdmin bool) (Check, []Fix) {
	c := Check{Kind: ConditionalAccess}
	var blocking, would []Finding
	for _, f := range findings {
		switch f.Effect {
		case Blocks:
			blocking = append(blocking, f)
		case WouldBlock:
			would = append(would, f)
		}
	}
	policyWord := count(len(findings), "its one Conditional Access policy", " Conditional Access policies")
	switch {
	case len(blocking) > 0:
		c.Status = plan.Fail
		names := make([]string, len(blocking))
		for i, f := range blocking {
			names[i] = quote(f.Name)
		}
		c.Sentence = fmt.Sprintf("%s of %s %s %s your technicians: %s.", count(len(blocking), "One", ""), possessive(name),
			count(len(findings), "Conditional Access policy", " Conditional Access policies"),
			map[bool]string{true: "blocks", false: "block"}[len(blocking) == 1], joinWords(names))
	case access.aadsts == "53003":
		c.Status = plan.Fail
		c.Sentence = "Microsoft refused your technician a token for " + name + " with AADSTS53003, but none of " + possessive(name) + " " +
			policyWord + " that Onboard365 can read explains it. Look at the failed sign-in in " + possessive(name) + " sign-in log " +
			"(Microsoft Entra admin center, Sign-in logs, User sign-ins (non-interactive)) to see which policy applied."
	case len(would) > 0:
		c.Status = plan.Warning
		names := make([]string, len(would))
		for i, f := range would {
			names[i] = quote(f.Name)
		}
		c.Sentence = fmt.Sprintf("%s %s %s in report-only mode and would block your technicians once turned on: %s.", possessive(name),
			count(len(would), "policy", " policies"), map[bool]string{true: "is", false: "are"}[len(would) == 1], joinWords(names))
	case len(findings) == 0:
		c.Status = plan.Pass
		c.Sentence = name + " has no Conditional Access policies, so none blocks your technicians."
	default:
		c.Status = plan.Pass
		c.Sentence = fmt.Sprintf("None of %s %s blocks your technicians.", possessive(name), policyWord)
		if len(findings) == 1 {
			c.Sentence = possessive(name) + " one Conditional Access policy does not block your technicians."
		}
	}
	// Every policy, the ones that stop the technicians first.
	sorted := append([]Finding(nil), findings...)
	sort.SliceStable(sorted, func(i, j int) bool { return effectRank(sorted[i].Effect) < effectRank(sorted[j].Effect) })
	for _, f := range sorted {
		c.Details = append(c.Details, quote(f.Name)+": "+f.Reason)
	}
	var fixes []Fix
	for _, f := range append(blocking, would...) {
		fixes = append(fixes, planExclusion(name, in, f, byID[f.ID], asAdmin))
	}
	return c, fixes
}

func effectRank(e Effect) int {
	switch e {
	case Blocks:
		return 0
	case WouldBlock:
		return 1
	}
	return 2
}

// planExclusion is the fix for one policy that stops the technicians.
func planExclusion(name string, in customerInput, f Finding, policy map[string]any, asAdmin bool) Fix {
	fx := Fix{
		ID: "exclude/" + strings.ToLower(in.c.TenantID) + "/" + strings.ToLower(f.ID), Kind: ExcludeServiceProviders, Customer: in.c,
		PartnerTenantID: in.partner, PolicyID: f.ID, PolicyName: f.Name, AsCustomerAdmin: asAdmin,
		Reason: "In " + name + ", exclude your partner tenant's service provider users from the policy " + quote(f.Name) +
			" (in the policy: Users, Exclude, Guest or external users, Service provider users, your partner tenant). " +
			"Everything else in the policy stays as it is.",
	}
	ex, err := ExcludePartner(jsonvalue.Object(policy["conditions"]), in.partner)
	var cautions []string
	switch {
	case err != nil:
		fx.Blocked = "Onboard365 will not change this policy: " + err.Error() + ". Add the exclusion in the Microsoft Entra admin center " +
			"(Conditional Access, the policy, Users, Exclude, Guest or external users, Service provider users, your partner tenant)."
	case ex.Already:
		fx.Blocked = "The policy already excludes your partner tenant's service provider users."
	case ex.Widens != "":
		cautions = append(cautions, "This also excludes "+ex.Widens+".")
	}
	if f.Effect == WouldBlock {
		cautions = append(cautions, "The policy blocks nobody today (it is in report-only mode); excluding your technicians now keeps "+
			"it from blocking them when "+name+" turns it on. Tell "+possessive(name)+" administrator.")
	}
	if f.NamesPartner {
		cautions = append(cautions, possessive(name)+" policy names your partner tenant on purpose: agree the change with "+name+" first.")
	}
	fx.Caution = strings.Join(cautions, " ")
	fx.reviewed = policy // Apply stops if the policy reads otherwise when it is time to write
	fx.Safe = err == nil && !ex.Already && f.Effect == Blocks && ex.Widens == "" && !f.NamesPartner
	if fx.Blocked == "" && !asAdmin && !holdsAny(in.held, roles.ConditionalAccessAdministrator, roles.SecurityAdministrator, roles.GlobalAdministrator) {
		fx.Blocked = "Changing a policy needs Conditional Access Administrator or Security Administrator in " + name + ", and your GDAP " +
			"access there includes neither. Add one of them in GDAP relationships, or have one of " + possessive(name) + " own administrators " +
			"sign in to Troubleshoot."
	}
	if fx.Blocked != "" {
		fx.Safe = false
	}
	return fx
}

func holdsAny(held map[string]bool, ids ...string) bool {
	for _, id := range ids {
		if held[strings.ToLower(id)] {
			return true
		}
	}
	return false
}

// signInLogCheck reads the evidence: sign-ins from the partner tenant that Conditional Access
// refused (53003), and whether the policies that refused them still do.
func signInLogCheck(name, partner string, reader *graph.Client, access failure, noP1 bool, entries []signInEntry, err error, findings []Finding, policiesKnown bool) Check {
	c := Check{Kind: SignInLog}
	switch {
	case reader == nil:
		c.Status = plan.CouldNotCheck
		c.Sentence = "Onboard365 cannot read " + possessive(name) + " sign-in log while Microsoft refuses your technician a token there."
		if access.aadsts == "53003" {
			c.Sentence += " The sign-in of one of " + possessive(name) + " own administrators can."
		}
		return c
	case noP1:
		c.Status = plan.CouldNotCheck
		c.Sentence = name + " keeps no sign-in log that Onboard365 can read: that needs Entra ID P1."
		return c
	case err != nil:
		fl := classify(err)
		c.Status = plan.CouldNotCheck
		switch {
		case fl.noLicence():
			c.Sentence = name + " keeps no sign-in log that Onboard365 can read: that needs Entra ID P1."
		case fl.noRole():
			c.Sentence = "Your GDAP roles in " + name + " do not include one that can read the sign-in log (Reports Reader, Security " +
				"Reader, Global Reader or Security Administrator)."
		default:
			c.Sentence = "Onboard365 could not read " + possessive(name) + " sign-in log. " + fl.sentence
		}
		return c
	}
	blocking := map[string]bool{}
	for _, f := range findings {
		if f.Effect == Blocks {
			blocking[strings.ToLower(f.ID)] = true
		}
	}
	var ours []signInEntry
	for _, e := range entries {
		fromPartner := strings.EqualFold(e.HomeTenantID, partner) ||
			(e.HomeTenantID == "" && strings.Contains(strings.ToLower(e.CrossTenantAccessType), "serviceprovider"))
		if fromPartner && e.Status.ErrorCode == 53003 {
			ours = append(ours, e)
		}
	}
	if len(ours) == 0 {
		c.Status = plan.Pass
		c.Sentence = "No sign-in from your partner tenant was refused by Conditional Access (error 53003) in " + possessive(name) + " recent sign-in log."
		return c
	}
	sort.SliceStable(ours, func(i, j int) bool { return ours[i].CreatedDateTime.After(ours[j].CreatedDateTime) })
	still, policyNames := 0, []string{}
	seen := map[string]bool{}
	for _, e := range ours {
		stillHere := false
		for _, p := range e.AppliedConditionalAccessPolicies {
			if !strings.EqualFold(p.Result, "failure") {
				continue
			}
			if !seen[strings.ToLower(p.ID)] {
				seen[strings.ToLower(p.ID)] = true
				policyNames = append(policyNames, quote(p.DisplayName))
			}
			if !policiesKnown || blocking[strings.ToLower(p.ID)] {
				stillHere = true
			}
		}
		if stillHere {
			still++
		}
	}
	last := ours[0].CreatedDateTime.UTC().Format("2 January 2006 15:04 UTC")
	by := ""
	if len(policyNames) > 0 {
		by = ", by " + joinWords(policyNames)
	}
	n := count(len(ours), "One sign-in", " sign-ins")
	switch {
	case still == 0:
		c.Status = plan.Pass
		c.Sentence = n + " from your partner tenant " + map[bool]string{true: "was", false: "were"}[len(ours) == 1] +
			" refused by Conditional Access (error 53003) in " + possessive(name) + " recent sign-in log, the last on " + last + by +
			"; " + map[bool]string{true: "that policy no longer blocks", false: "those policies no longer block"}[len(policyNames) <= 1] + " your technicians."
	case !policiesKnown:
		c.Status = plan.Warning
		c.Sentence = n + " from your partner tenant " + map[bool]string{true: "was", false: "were"}[len(ours) == 1] +
			" refused by Conditional Access (error 53003) in " + possessive(name) + " recent sign-in log, the last on " + last + by +
			". Onboard365 could not read the policies to tell whether they still block."
	default:
		c.Status = plan.Fail
		c.Sentence = n + " from your partner tenant " + map[bool]string{true: "was", false: "were"}[len(ours) == 1] +
			" refused by Conditional Access (error 53003) in " + possessive(name) + " recent sign-in log, the last on " + last + by + "."
	}
	for i, e := range ours {
		if i == 5 {
			c.Details = append(c.Details, fmt.Sprintf("… and %d more.", len(ours)-5))
			break
		}
		c.Details = append(c.Details, e.CreatedDateTime.UTC().Format("2 January 2006 15:04 UTC")+": "+
			clean(e.UserPrincipalName)+" in "+quote(e.AppDisplayName)+", refused with error 53003.")
	}
	return c
}

// gdapCheck is the GDAP verdict for the integration's roles, as internal/gdap gives it.
func gdapCheck(name string, v *gdap.Verdict) Check {
	c := Check{Kind: GDAPRoles}
	if v == nil {
		c.Status = plan.CouldNotCheck
		c.Sentence = "Onboard365 found no GDAP relationship with " + name + "."
		return c
	}
	c.Status = v.Status // one status for every wizard (internal/plan)
	c.Sentence = v.Sentence
	for _, p := range v.Problems {
		if p.Sentence != v.Sentence {
			c.Details = append(c.Details, p.Sentence)
		}
	}
	if c.Status != plan.Pass {
		c.Details = append(c.Details, "Open GDAP relationships to review and apply the fixes for roles and groups.")
	}
	return c
}

// heldRoles are the roles the technician holds in a customer: those of every active access
// assignment, of an active relationship, to a group the technician is in (lower-case ids).
func heldRoles(inv gdap.Inventory, tenantID string) map[string]bool {
	held := map[string]bool{}
	mine := map[string]bool{}
	for g, in := range inv.TechnicianGroups {
		if in {
			mine[strings.ToLower(g)] = true
		}
	}
	for _, ra := range inv.Relationships {
		r := ra.Relationship
		if !strings.EqualFold(r.Customer.TenantID, tenantID) {
			continue
		}
		if s := strings.ToLower(r.Status); s != "active" && s != "expiring" {
			continue
		}
		for _, a := range ra.Assignments {
			if s := strings.ToLower(a.Status); s != "" && s != "active" {
				continue
			}
			if !mine[strings.ToLower(a.AccessContainer.AccessContainerID)] {
				continue
			}
			for _, u := range a.AccessDetails.UnifiedRoles {
				held[strings.ToLower(u.RoleDefinitionID)] = true
			}
		}
	}
	return held
}

// policyPath is one policy's Graph path.
func policyPath(id string) string { return policiesPath + "/" + url.PathEscape(id) }
