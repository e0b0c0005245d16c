package troubleshoot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/onboard365/onboard365/internal/graph"
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
// ExcludeServiceProviders fix reads the policy afresh just before changing it and again after, and is Done
// only when the second read shows the exclusion and every other field as the first read had it.
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

// applyExclusion reads the policy, merges the exclusion into its conditions, writes the
// conditions back, and reads the policy again to prove the change and that nothing else moved.
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
	ex, err := ExcludePartner(obj(before["conditions"]), f.PartnerTenantID)
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
	if err := c.Do(ctx, "PATCH", policyPath(f.PolicyID), map[string]any{"conditions": ex.Conditions}, nil); err != nil {
		return fail(err, "changing a policy")
	}
	after, err := readPolicy(ctx, c, f.PolicyID)
	if err != nil {
		r.Err = err
		r.Sentence = "The change was sent, but Onboard365 could not read the policy back to confirm it: " + classify(err).sentence +
			" Run the check again."
		return r
	}
	if a := Analyse(after, f.PartnerTenantID); !a.Excluded {
		r.Err = errors.New("the policy read back does not exclude the partner tenant")
		r.Sentence = "The change was sent, but " + quote(f.PolicyName) + " read back still does not exclude your partner tenant's " +
			"service provider users. Someone may have changed it at the same time: run the check again."
		return r
	}
	if !SameExceptExclusion(before, after) {
		r.Done = true
		r.Err = errors.New("other fields of the policy differ from the first read")
		r.Sentence = "Done, but read back, " + quote(f.PolicyName) + " in " + name + " also differs from before in other fields: someone " +
			"may have changed it at the same time. Review it in the Microsoft Entra admin center."
		return r
	}
	r.Done = true
	r.Sentence = "Done: " + quote(f.PolicyName) + " in " + name + " now excludes your partner tenant's service provider users; " +
		"read back, every other field of the policy is as it was."
	return r
}

// readPolicy reads one policy with its numbers kept exactly as Graph wrote them.
func readPolicy(ctx context.Context, c *graph.Client, id string) (map[string]any, error) {
	var raw json.RawMessage
	if err := c.Do(ctx, "GET", policyPath(id), nil, &raw); err != nil {
		return nil, err
	}
	return decodePolicy(raw)
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
