package appreg

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/auth"
	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/partnercenter"
	"github.com/onboard365/onboard365/internal/words"
)

// Customer consent: Partner Center's applicationconsents, per customer. Partner Center cannot
// list consents, so what a customer has is read from its side: the app's own token there (GDAP,
// with the technician's sign-in) carries the permissions the customer consented to, and Entra
// refuses one (AADSTS90099) where the app has no consent.

// CustomerStatus is where a customer stands.
type CustomerStatus string

// Statuses.
const (
	Consented     CustomerStatus = "Consented"
	NeedsConsent  CustomerStatus = "Needs consent"
	NeedsRenewal  CustomerStatus = "Consent lacks permissions"
	CouldNotCheck CustomerStatus = "Could not check"
)

// Customer is one customer and its consent.
type Customer struct {
	TenantID, Name string
	Status         CustomerStatus
	Missing        []string // permissions the customer's consent lacks (NeedsRenewal)
	Sentence       string   // where it stands, in plain words
}

// Planned says whether consent is (re)made for the customer unless the person says otherwise:
// when it has none or lacks permissions. A customer that could not be checked is left to the
// person (consenting there is safe: Partner Center keeps a consent that exists).
func (c Customer) Planned() bool { return c.Status == NeedsConsent || c.Status == NeedsRenewal }

// Probe reports the Microsoft Graph delegated permissions the app's token carries in a
// customer's tenant, or ErrNotConsented (wrapped) when the app has no consent there.
type Probe func(ctx context.Context, tenantID string) ([]string, error)

// ErrNotConsented says the app has no consent in a customer tenant (AADSTS90099).
var ErrNotConsented = errors.New("the app has no consent in this customer's tenant")

// ProbeWith is the Probe of a signed-in app: a fresh Graph token for the customer (never one
// from the cache, which may predate a consent just changed) and the permissions in its scp.
func ProbeWith(a *auth.Authenticator) Probe {
	return func(ctx context.Context, tenantID string) ([]string, error) {
		tok, err := a.FreshToken(ctx, tenantID, auth.GraphScope)
		if err != nil {
			var te *auth.TokenError
			if errors.As(err, &te) && te.Code == "90099" {
				return nil, fmt.Errorf("%w: %s", ErrNotConsented, err.Error())
			}
			return nil, err
		}
		c, err := auth.ParseClaims(tok)
		if err != nil {
			return nil, err
		}
		return ParseScopes(c.Scp), nil
	}
}

// ParseScopes splits a list of permission names as tokens (space-separated) and Partner
// Center (comma-separated) write them, dropping empty and repeated names.
func ParseScopes(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' || r == '\r' }) {
		if !containsFoldStr(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// CustomerLister is the part of *partnercenter.Client that lists customers.
type CustomerLister interface {
	ListCustomers(ctx context.Context) ([]partnercenter.Customer, error)
}

// Consenter is the part of *partnercenter.Client that consents an app in customers.
type Consenter interface {
	CreateApplicationConsent(ctx context.Context, customerTenantID string, consent partnercenter.ApplicationConsent) error
	DeleteApplicationConsent(ctx context.Context, customerTenantID, applicationID string) error
}

// probeLimit is how many customers are checked at once.
const probeLimit = 4

// ReadCustomers lists the partner's customers and checks the app's consent in each, at most
// probeLimit at a time. One customer's trouble never stops the others.
func ReadCustomers(ctx context.Context, pc CustomerLister, probe Probe, n permissions.Needs, progress func(done, total int)) ([]Customer, error) {
	list, err := pc.ListCustomers(ctx)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, err
		}
		return nil, partnerCenterProblem("your customers", err)
	}
	out := make([]Customer, len(list))
	for i, c := range list {
		out[i] = Customer{TenantID: c.CompanyProfile.TenantID, Name: c.CompanyProfile.CompanyName}
		if out[i].TenantID == "" {
			out[i].TenantID = c.ID
		}
		if out[i].Name == "" {
			out[i].Name = out[i].TenantID
		}
	}
	forEach(ctx, len(out), progress, func(i int) { out[i] = check(ctx, out[i], probe, n) })
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out, nil
}

// CheckCustomer checks the app's consent in one customer, as ReadCustomers checks each (the
// onboarding wizard's consent step).
func CheckCustomer(ctx context.Context, c Customer, probe Probe, n permissions.Needs) Customer {
	return check(ctx, c, probe, n)
}

func check(ctx context.Context, c Customer, probe Probe, n permissions.Needs) Customer {
	scopes, err := probe(ctx, c.TenantID)
	switch {
	case errors.Is(err, ErrNotConsented):
		c.Status, c.Sentence = NeedsConsent, "The app has no consent in "+c.Name+" yet."
	case err != nil:
		c.Status = CouldNotCheck
		why := explain.Sentence(err)
		var te *auth.TokenError
		if errors.As(err, &te) {
			why = strings.TrimSpace(te.Explained.String()) // without the tenant id the error names
		}
		c.Sentence = "Onboard365 could not check " + c.Name + ". " + why
	default:
		c.Missing = nil
		for _, p := range n.Customers {
			if !containsFoldStr(scopes, p.Name) {
				c.Missing = append(c.Missing, p.Name)
			}
		}
		if len(c.Missing) > 0 {
			c.Status = NeedsRenewal
			c.Sentence = fmt.Sprintf("The app's consent in %s lacks %s: %s. Partner Center cannot extend a consent, so it is removed and made again.",
				c.Name, words.Count(len(c.Missing), "permission"), strings.Join(c.Missing, ", "))
		} else {
			c.Status, c.Sentence = Consented, "The app is consented in "+c.Name+" with every permission it uses there."
		}
	}
	return c
}

// CustomerResult is how consent went for one customer.
type CustomerResult struct {
	Customer Customer // as read again after the consent
	Done     bool
	Sentence string
	Err      error
}

// ConsentCustomers consents the app in each of the chosen customers through Partner Center (a
// consent that lacks permissions is removed first and made again) and checks each one again.
// One customer's failure never stops the others.
func ConsentCustomers(ctx context.Context, pc Consenter, appID, appName string, n permissions.Needs, planned []Customer, probe Probe, progress func(done, total int)) []CustomerResult {
	consent := partnercenter.ApplicationConsent{ApplicationID: appID, DisplayName: appName,
		ApplicationGrants: []partnercenter.ApplicationGrant{{EnterpriseApplicationID: permissions.GraphAppID, Scope: strings.Join(names2(n.Customers), ",")}}}
	out := make([]CustomerResult, len(planned))
	forEach(ctx, len(planned), progress, func(i int) {
		c := planned[i]
		r := CustomerResult{Customer: c}
		err := error(nil)
		if c.Status == NeedsRenewal {
			err = pc.DeleteApplicationConsent(ctx, c.TenantID, appID)
		}
		if err == nil {
			err = pc.CreateApplicationConsent(ctx, c.TenantID, consent)
		}
		if err != nil {
			r.Err = partnerCenterProblem(c.Name, err)
			r.Sentence = r.Err.Error()
			out[i] = r
			return
		}
		r.Customer = check(ctx, c, probe, n)
		switch r.Customer.Status {
		case Consented:
			r.Done = true
			r.Sentence = fmt.Sprintf("Consented: the app's %s work in %s.", words.Count(len(n.Customers), "permission"), c.Name)
		case CouldNotCheck:
			r.Done = true
			r.Sentence = "Partner Center took the consent. " + r.Customer.Sentence
		default:
			r.Sentence = "Partner Center took the consent, but the app's token in " + c.Name + " does not show it yet. Wait a few minutes and run this step again."
		}
		out[i] = r
	})
	return out
}

// forEach runs f for 0..n-1, probeLimit at a time, reporting progress (never two reports at once).
func forEach(ctx context.Context, n int, progress func(done, total int), f func(i int)) {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
	)
	slots := make(chan struct{}, probeLimit)
	for i := 0; i < n; i++ {
		if ctx.Err() != nil {
			break
		}
		slots <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-slots }()
			f(i)
			mu.Lock() // reports come one at a time, in order
			defer mu.Unlock()
			done++
			if progress != nil {
				progress(done, n)
			}
		}(i)
	}
	wg.Wait()
}
