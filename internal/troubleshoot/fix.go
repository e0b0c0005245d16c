package troubleshoot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/jsonvalue"
)

// FixKind names what a fix changes.
type FixKind string

// Fix kinds.
const (
	// ExcludeServiceProviders adds the partner tenant's service provider users to a customer
	// policy's excludeGuestsOrExternalUsers (the function ExcludePartner makes the change).
	ExcludeServiceProviders FixKind = "excludeServiceProviders"
	// DismissRisk dismisses the risk on a partner account (identityProtection/riskyUsers/dismiss).
	DismissRisk FixKind = "dismissRisk"
)

// Fix is one change the diagnosis proposes. Nothing is changed until Apply is called with it.
type Fix struct {
	ID       string
	Kind     FixKind
	Customer Customer // the customer whose policy changes; zero for a partner account's risk
	// PartnerTenantID is the partner tenant: the tenant to exclude, or where the account lives.
	PartnerTenantID      string
	PolicyID, PolicyName string // ExcludeServiceProviders
	UserID, UserName     string // DismissRisk
	// Reason says what the fix changes and why, in plain words.
	Reason string
	// Caution says what the person must weigh before ticking it; "" when nothing.
	Caution string
	// Blocked says why the fix cannot be applied now (a role is missing, the policy has a shape
	// Onboard365 will not change); "" when it can.
	Blocked string
	// Safe is true when the fix changes exactly what Reason says and nothing the person must
	// weigh: it may be ticked for them ("Fix all safe fixes"). Blocked fixes are never safe.
	Safe bool
	// AsCustomerAdmin is true when the fix is made with the customer administrator's sign-in
	// (Options.Admins) rather than the technician's GDAP access, which the policy blocks.
	AsCustomerAdmin bool

	// reviewed is the policy as the diagnosis read it, which the plan the person reviewed was
	// made from (ExcludeServiceProviders); nil for a fix made elsewhere.
	reviewed map[string]any
}

// Result is how one fix went.
type Result struct {
	Fix      Fix
	Done     bool
	Sentence string // what happened, in plain words
	Err      error  // the reason it was not done; nil when Done
}

// Apply makes the fixes, a few at a time, one fix's failure never stopping the others, and
// returns one Result per fix in the order given. tenants gives the technician's Graph clients;
// admins the customer administrators' sign-ins by tenant id (as Options.Admins). Each
// ExcludeServiceProviders fix is guarded as applyExclusion says: it never writes over a change
// made since the plan was read, and claims the rest of the policy unchanged only when a read
// proves it.
func Apply(ctx context.Context, tenants TenantGraph, admins map[string]*graph.Client, fixes []Fix, progress func(done, total int)) []Result {
	out := make([]Result, len(fixes))
	var (
		mu   sync.Mutex
		done int
		wg   sync.WaitGroup
		sem  = make(chan struct{}, 4)
	)
	for i, f := range fixes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r := applyOne(ctx, tenants, admins, f)
			mu.Lock()
			out[i] = r
			done++
			if progress != nil {
				progress(done, len(fixes))
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

func applyOne(ctx context.Context, tenants TenantGraph, admins map[string]*graph.Client, f Fix) Result {
	r := Result{Fix: f}
	if f.Blocked != "" {
		r.Err = errors.New(f.Blocked)
		r.Sentence = "Not applied: " + f.Blocked
		return r
	}
	switch f.Kind {
	case ExcludeServiceProviders:
		return applyExclusion(ctx, tenants, admins, f)
	case DismissRisk:
		c, err := tenants(ctx, "")
		if err == nil {
			err = c.Do(ctx, "POST", dismissPath, map[string]any{"userIds": []string{f.UserID}}, nil)
		}
		if err != nil {
			r.Err = err
			fl := classify(err)
			if fl.noRole() {
				r.Sentence = "Not applied: dismissing a risk needs Security Administrator (or Global Administrator) in your partner tenant, " +
					"which your account does not hold. Ask someone who does, or sign in with such an account."
			} else {
				r.Sentence = "Not applied: " + fl.sentence
			}
			return r
		}
		r.Done = true
		r.Sentence = "Done: Microsoft no longer holds " + f.UserName + " to be at risk; customers accept its delegated access again."
		return r
	}
	r.Err = fmt.Errorf("Onboard365 does not know how to apply a fix of kind %q", f.Kind)
	r.Sentence = "Not applied: " + r.Err.Error() + "."
	return r
}

// applyExclusion changes one policy, guarded against reverting anybody else's change:
//
//  1. It reads the policy just before writing. When the policy already excludes the partner there
//     is nothing to write. Otherwise it stops, writing nothing, when the read differs in anything
//     from the read the reviewed plan was made from (somebody changed it meanwhile: the person
//     must see the plan again).
//  2. It writes only the users condition, with the exclusion merged in: {"conditions": {"users":
//     ...}}. Microsoft's page for PATCH conditionalAccessPolicy says properties left out of the
//     body keep their values, and its own example sends one member of conditions; so a change
//     made elsewhere in the policy at the same moment is not written over. (Conditional Access
//     offers no ETag to make the write itself conditional.)
//  3. It reads the policy again and compares all of it, the exclusion included, with exactly
//     what the write should have made of the first read: it says "every other field is as it
//     was" only when that comparison proves it, and otherwise names what differs.
func applyExclusion(ctx context.Context, tenants TenantGraph, admins map[string]*graph.Client, f Fix) Result {
	r := Result{Fix: f}
	name := clean(f.Customer.Label())
	fail := func(err error, doing string) Result {
		r.Err = err
		fl := classify(err)
		switch {
		case fl.noRole():
			r.Sentence = "Not applied: " + doing + " needs Conditional Access Administrator or Security Administrator in " + name +
				", and Microsoft says the account used does not hold either."
		case fl.token && fl.aadsts == "53003":
			r.Sentence = "Not applied: " + possessive(name) + " Conditional Access blocks your technicians, so the change must be made with " +
				"the sign-in of one of " + possessive(name) + " own administrators."
		default:
			r.Sentence = "Not applied: " + fl.sentence
		}
		return r
	}
	var c *graph.Client
	if f.AsCustomerAdmin {
		c = admins[strings.ToLower(f.Customer.TenantID)]
		if c == nil {
			r.Err = errors.New("no administrator of the customer is signed in")
			r.Sentence = "Not applied: the change needs the sign-in of one of " + possessive(name) + " own administrators, and none is signed in any more. Sign in again and check again."
			return r
		}
	} else {
		var err error
		if c, err = tenants(ctx, f.Customer.TenantID); err != nil {
			return fail(err, "changing the policy")
		}
	}
	before, err := readPolicy(ctx, c, f.PolicyID)
	if err != nil {
		return fail(err, "reading the policy")
	}
	ex, err := ExcludePartner(jsonvalue.Object(before["conditions"]), f.PartnerTenantID)
	if err != nil {
		r.Err = err
		r.Sentence = "Not applied: Onboard365 will not change " + quote(f.PolicyName) + ": " + err.Error() + "."
		return r
	}
	if ex.Already {
		r.Done = true
		r.Sentence = "Nothing to do: " + quote(f.PolicyName) + " in " + name + " already excludes your partner tenant's service provider users."
		return r
	}
	if f.reviewed != nil {
		if parts := changedParts(f.reviewed, before, "@odata.context"); len(parts) > 0 {
			r.Err = errors.New("the policy changed since the plan was made")
			r.Sentence = "Not applied: " + quote(f.PolicyName) + " in " + name + " has changed since Onboard365 read it for the plan you " +
				"reviewed (" + partWords(parts) + "), so Onboard365 wrote nothing, to keep that change. Check again, and review the new plan."
			return r
		}
	}
	users := ex.Conditions["users"]
	if err := c.Do(ctx, "PATCH", policyPath(f.PolicyID), map[string]any{"conditions": map[string]any{"users": users}}, nil); err != nil {
		return fail(err, "changing a policy")
	}
	after, err := readPolicy(ctx, c, f.PolicyID)
	if err != nil {
		r.Err = err
		r.Sentence = "The change was sent, but Onboard365 could not read the policy back to confirm it: " + classify(err).sentence +
			" Run the check again, and review " + quote(f.PolicyName) + " in the Microsoft Entra admin center."
		return r
	}
	if a := Analyse(after, f.PartnerTenantID); !a.Excluded {
		r.Err = errors.New("the policy read back does not exclude the partner tenant")
		r.Sentence = "The change was sent, but " + quote(f.PolicyName) + " read back still does not exclude your partner tenant's " +
			"service provider users. Someone may have changed it at the same time: run the check again, and review the policy in " +
			"the Microsoft Entra admin center."
		return r
	}
	want, _ := deepCopy(before).(map[string]any)
	if cond := jsonvalue.Object(want["conditions"]); cond != nil {
		cond["users"] = deepCopy(users)
	}
	if parts := changedParts(sentForm(want), sentForm(after), stamps...); len(parts) > 0 {
		r.Done = true
		r.Err = errors.New("read back, the policy differs from what was written")
		r.Sentence = "Done: " + quote(f.PolicyName) + " in " + name + " now excludes your partner tenant's service provider users. " +
			"But read back, it also differs from what Onboard365 wrote in " + partWords(parts) + ": someone may have changed it at the " +
			"same time. Onboard365 cannot tell whose change that is: review the policy in the Microsoft Entra admin center."
		return r
	}
	r.Done = true
	r.Sentence = "Done: " + quote(f.PolicyName) + " in " + name + " now excludes your partner tenant's service provider users; " +
		"read back, the whole policy is exactly what Onboard365 wrote: every other field of the policy is as it was."
	return r
}

// sentForm is a policy read as the comparison after a write takes it: the kinds of excluded
// guests and external users are a flags string, so their order is not a difference; nor is the
// order of the organizations listed (Graph may write either back in its own order).
func sentForm(p map[string]any) map[string]any {
	c, _ := deepCopy(p).(map[string]any)
	ex := jsonvalue.Object(jsonvalue.Object(jsonvalue.Object(c["conditions"])["users"])["excludeGuestsOrExternalUsers"])
	if ex == nil {
		return c
	}
	if t, ok := ex["guestOrExternalUserTypes"].(string); ok {
		kinds := strings.Split(t, ",")
		for i := range kinds {
			kinds[i] = strings.TrimSpace(kinds[i])
		}
		sort.Strings(kinds)
		ex["guestOrExternalUserTypes"] = strings.Join(kinds, ",")
	}
	if t := jsonvalue.Object(ex["externalTenants"]); t != nil {
		if m, ok := t["members"].([]any); ok {
			sort.SliceStable(m, func(i, j int) bool { return canonical(m[i]) < canonical(m[j]) })
		}
	}
	return c
}

// readPolicy reads one policy with its numbers kept exactly as Graph wrote them.
func readPolicy(ctx context.Context, c *graph.Client, id string) (map[string]any, error) {
	var raw json.RawMessage
	if err := c.Do(ctx, "GET", policyPath(id), nil, &raw); err != nil {
		return nil, err
	}
	return decodePolicy(raw)
}

// readPolicies lists the policies of a tenant with their numbers kept exactly as Graph wrote
// them, so that a later read compares exactly.
func readPolicies(ctx context.Context, c *graph.Client) ([]map[string]any, error) {
	raws, err := graph.List[json.RawMessage](ctx, c, policiesPath)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(raws))
	for _, raw := range raws {
		p, err := decodePolicy(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// decodePolicy decodes a policy, keeping numbers as json.Number.
func decodePolicy(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var p map[string]any
	if err := dec.Decode(&p); err != nil {
		return nil, &graph.DecodeError{Method: "GET", Path: policiesPath + "/{id}", Reason: "the policy is not a JSON object", Err: err}
	}
	if p == nil {
		return nil, &graph.DecodeError{Method: "GET", Path: policiesPath + "/{id}", Reason: "the policy is empty"}
	}
	return p, nil
}
