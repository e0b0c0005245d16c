package troubleshoot

import (
	"reflect"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/auth"
	"github.com/onboard365/onboard365/internal/plan"
)

func TestCustomerAdminProblem(t *testing.T) {
	const customer = "11111111-1111-1111-1111-111111111111"
	tests := []struct {
		name   string
		claims auth.Claims
		says   string // "" for no problem
	}{
		{"the customer's own account", auth.Claims{Tid: customer}, ""},
		{"its own account, idp naming the tenant", auth.Claims{Tid: customer, Idp: "https://sts.windows.net/" + customer + "/"}, ""},
		{"upper case and spaces", auth.Claims{Tid: " " + strings.ToUpper(customer) + " "}, ""},
		{"another tenant", auth.Claims{Tid: "22222222-2222-2222-2222-222222222222"}, "not for the customer's tenant"},
		{"a partner account through GDAP", auth.Claims{Tid: customer, Idp: "https://sts.windows.net/33333333-3333-3333-3333-333333333333/"}, "another organization"},
	}
	for _, tt := range tests {
		err := CustomerAdminProblem(tt.claims, customer)
		switch {
		case tt.says == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.says != "" && (err == nil || !strings.Contains(err.Error(), tt.says)):
			t.Errorf("%s: %v, want it to say %q", tt.name, err, tt.says)
		}
	}
}

// WithCustomer puts a customer checked again into the whole diagnosis: its checklist (sorted
// again), its fixes in place of its old ones, the partner's newer checks and fixes, and every
// other customer's fixes as they were.
func TestWithCustomerReplacesOneCustomer(t *testing.T) {
	litware := Customer{TenantID: "t-litware", Name: "Litware"}
	fabrikam := Customer{TenantID: "t-fabrikam", Name: "Fabrikam"}
	woodgrove := Customer{TenantID: "t-woodgrove", Name: "Woodgrove Bank"}
	all := Diagnosis{
		Partner: Checklist{Customer: Customer{Name: "Your partner tenant"}, Status: plan.Warning},
		Customers: []Checklist{
			{Customer: litware, Status: plan.Fail, NeedsAdmin: true},
			{Customer: woodgrove, Status: plan.Warning},
			{Customer: fabrikam, Status: plan.Pass},
		},
		Fixes: []Fix{{ID: "dismiss/old"}, {ID: "exclude/woodgrove", Customer: woodgrove}, {ID: "exclude/litware-old", Customer: litware}},
	}
	one := Diagnosis{
		Partner:   Checklist{Customer: Customer{Name: "Your partner tenant"}, Status: plan.Pass},
		Customers: []Checklist{{Customer: Customer{TenantID: "T-LITWARE", Name: "Litware"}, Status: plan.Pass, AdminSignedIn: true}},
		Fixes:     []Fix{{ID: "dismiss/new"}, {ID: "exclude/litware", Customer: litware}},
	}
	got := all.WithCustomer(one)
	var order []string
	for _, c := range got.Customers {
		order = append(order, c.Customer.Name)
	}
	if !reflect.DeepEqual(order, []string{"Woodgrove Bank", "Fabrikam", "Litware"}) || !got.Customers[2].AdminSignedIn {
		t.Errorf("customers %v (Litware %+v): want Litware's new checklist, sorted again", order, got.Customers[2])
	}
	var fixes []string
	for _, f := range got.Fixes {
		fixes = append(fixes, f.ID)
	}
	if !reflect.DeepEqual(fixes, []string{"dismiss/new", "exclude/woodgrove", "exclude/litware"}) || got.Partner.Status != plan.Pass {
		t.Errorf("fixes %v, partner %s", fixes, got.Partner.Status)
	}
	if again := all.WithCustomer(Diagnosis{}); !reflect.DeepEqual(again, all) {
		t.Error("a diagnosis of no customer must change nothing")
	}
}

func TestDiagnosisPasses(t *testing.T) {
	tests := []struct {
		name     string
		partner  plan.Status
		statuses []plan.Status
		want     bool
	}{
		{"no customers", plan.Pass, nil, true},
		{"all pass", plan.Pass, []plan.Status{plan.Pass, plan.Pass}, true},
		{"the partner tenant warns", plan.Warning, []plan.Status{plan.Pass}, false},
		{"could not check", plan.Pass, []plan.Status{plan.CouldNotCheck}, false},
		{"a failure", plan.Pass, []plan.Status{plan.Fail, plan.Pass}, false},
	}
	for _, tt := range tests {
		d := Diagnosis{Partner: Checklist{Status: tt.partner}}
		for _, s := range tt.statuses {
			d.Customers = append(d.Customers, Checklist{Status: s})
		}
		if got := d.Passes(); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
