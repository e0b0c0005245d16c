package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/internal/sandbox"
	"github.com/onboard365/onboard365/ui"
)

type sandboxToken struct{ s *sandbox.Server }

func (t sandboxToken) Token(context.Context) (string, error) {
	return t.s.IssueToken(sandbox.TokenRequest{UPN: "alex@contosopartners.onmicrosoft.com", Audience: "https://graph.microsoft.com",
		Consented: true})
}

// TestGDAPServiceOnTheSandbox walks what the GDAP page does: check, plan, apply, check again.
func TestGDAPServiceOnTheSandbox(t *testing.T) {
	s, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hc, _ := s.Cloud().HTTPClient()
	svc := &gdapService{partner: func(context.Context) (*graph.Client, error) {
		return graph.New(s.Cloud().GraphURL, hc, sandboxToken{s}, graph.Options{}), nil
	}}
	if len(svc.Profiles()) < 5 {
		t.Fatalf("profiles: %+v", svc.Profiles())
	}
	ctx := context.Background()
	before, err := svc.Check(ctx, "Liongard inspectors", func(int, int) {})
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 12 {
		t.Fatalf("%d verdicts, want 12 customers", len(before))
	}
	status := map[string]string{}
	for _, v := range before {
		status[v.Customer] = v.Status
	}
	for name, want := range map[string]string{"Fabrikam": ui.StatusPass, "Northwind Traders": ui.StatusFail, "Tailspin Toys": ui.StatusFail, "Alpine Ski House": ui.StatusFail} {
		if status[name] != want {
			t.Errorf("%s: %s, want %s", name, status[name], want)
		}
	}
	fixes := svc.Plan("Liongard inspectors", "")
	if len(fixes) == 0 {
		t.Fatal("no fixes planned")
	}
	var ids []string
	for _, f := range fixes {
		if f.What == "" || f.Customer == "" {
			t.Errorf("a fix without words: %+v", f)
		}
		ids = append(ids, f.ID)
	}
	outcomes := svc.Apply(ctx, ids, func(int, int) {})
	links := 0
	for _, o := range outcomes {
		if !o.Done {
			t.Errorf("%s: %s", o.Customer, o.Sentence)
		}
		if o.ApprovalLink != "" {
			links++
		}
	}
	if links == 0 {
		t.Error("a missing role needs a new relationship, with an approval link for the customer")
	}
	after, err := svc.Check(ctx, "Liongard inspectors", func(int, int) {})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range after {
		if v.Customer == "Tailspin Toys" && v.Status != ui.StatusPass {
			t.Errorf("Tailspin Toys after the fix: %s %v", v.Status, v.Problems)
		}
	}
	var html bytes.Buffer
	if err := svc.Export("html", &html); err != nil || !strings.Contains(html.String(), "Northwind Traders") {
		t.Errorf("the HTML report: %v", err)
	}
}

func TestGDAPServiceKeepsProfilesOfYourOwn(t *testing.T) {
	store := &roles.ProfileStore{Path: filepath.Join(t.TempDir(), "profiles.json")}
	svc := &gdapService{store: store}
	if err := svc.SaveProfile("Our RMM", nil); err == nil {
		t.Error("a profile without roles was kept")
	}
	rs := svc.Roles()
	if len(rs) < 20 {
		t.Fatalf("%d roles to choose from", len(rs))
	}
	if err := svc.SaveProfile("Our RMM", []string{rs[0].ID, rs[1].ID}); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range svc.Profiles() {
		if p.Name == "Our RMM" && len(p.Roles) == 2 {
			found = true
		}
	}
	if !found {
		t.Fatalf("the saved profile is not offered: %+v", svc.Profiles())
	}
}
