package troubleshoot

import (
	"errors"
	"strings"

	"github.com/onboard365/onboard365/internal/auth"
)

// CustomerAdminProblem says why a sign-in, made so that a customer's own administrator reads a
// customer whose policy blocks the partner's technicians, is not one of that customer's own
// accounts; nil when it is.
func CustomerAdminProblem(c auth.Claims, tenantID string) error {
	switch {
	case !strings.EqualFold(strings.TrimSpace(c.Tid), strings.TrimSpace(tenantID)):
		return errors.New("that sign-in is not for the customer's tenant; sign in with an account of the customer itself")
	case strings.TrimSpace(c.Idp) != "" && !strings.Contains(strings.ToLower(c.Idp), strings.ToLower(c.Tid)):
		return errors.New("that was a sign-in with an account of another organization (your partner account, reaching the customer " +
			"through GDAP, which the customer's policy blocks); sign in with an account of the customer itself, such as its Global Administrator")
	}
	return nil
}

// WithCustomer puts a one-customer diagnosis (the customer checked again, for example with its
// administrator's sign-in) into the whole one: that customer's checklist and fixes, and the
// partner tenant's newer checks and fixes. A diagnosis of no or several customers changes nothing.
func (d Diagnosis) WithCustomer(one Diagnosis) Diagnosis {
	if len(one.Customers) != 1 {
		return d
	}
	l := one.Customers[0]
	key := strings.ToLower(l.Customer.TenantID)
	out := d
	out.Partner = one.Partner
	out.Customers = nil
	for _, c := range d.Customers {
		if strings.ToLower(c.Customer.TenantID) == key {
			c = l
		}
		out.Customers = append(out.Customers, c)
	}
	SortChecklists(out.Customers)
	byTenant := map[string][]Fix{}
	for _, f := range d.Fixes {
		if f.Customer.TenantID != "" && strings.ToLower(f.Customer.TenantID) != key {
			byTenant[strings.ToLower(f.Customer.TenantID)] = append(byTenant[strings.ToLower(f.Customer.TenantID)], f)
		}
	}
	for _, f := range one.Fixes {
		if f.Customer.TenantID != "" {
			byTenant[key] = append(byTenant[key], f)
		}
	}
	out.Fixes = nil
	for _, f := range one.Fixes {
		if f.Customer.TenantID == "" {
			out.Fixes = append(out.Fixes, f) // the partner's, as read now
		}
	}
	for _, c := range out.Customers {
		out.Fixes = append(out.Fixes, byTenant[strings.ToLower(c.Customer.TenantID)]...)
	}
	return out
}
