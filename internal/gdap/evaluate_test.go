package gdap

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/roles"
)

var now = time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)

// Partner groups and the technician of the synthetic inventories.
const (
	gAdminAgents = "g-adminagents"
	gHelpdesk    = "g-helpdesk"
	gSecurity    = "g-security"
	gPattern     = "g-pattern-reports"
	techID       = "u-alex"
)

func testGroups() map[string]Group {
	return map[string]Group{
		gAdminAgents: {ID: gAdminAgents, DisplayName: "AdminAgents"},
		gHelpdesk:    {ID: gHelpdesk, DisplayName: "HelpdeskAgents"},
		gSecurity:    {ID: gSecurity, DisplayName: "Security team"},
		gPattern:     {ID: gPattern, DisplayName: "GDAP - Reports Reader"},
	}
}

// rel builds a relationship with one customer. end is days from now (0: none).
func rel(id, customer, status string, endDays int, extend string, rs ...string) RelationshipAccess {
	r := Relationship{ID: id, DisplayName: "Rel " + id, Status: status, AutoExtendDuration: extend, ETag: `W/"1"`,
		Customer: CustomerParticipant{TenantID: "t-" + strings.ToLower(customer), DisplayName: customer}}
	for _, role := range rs {
		r.AccessDetails.UnifiedRoles = append(r.AccessDetails.UnifiedRoles, UnifiedRole{role})
	}
	created := now.AddDate(0, 0, -30)
	r.CreatedDateTime = &created
	if endDays != 0 {
		end := now.Add(time.Duration(endDays) * 24 * time.Hour)
		r.EndDateTime = &end
	}
	return RelationshipAccess{Relationship: r}
}

func assign(ra RelationshipAccess, id, group, status string, rs ...string) RelationshipAccess {
	a := AccessAssignment{ID: id, Status: status, ETag: `W/"a1"`, AccessContainer: AccessContainer{group, "securityGroup"}}
	for _, role := range rs {
		a.AccessDetails.UnifiedRoles = append(a.AccessDetails.UnifiedRoles, UnifiedRole{role})
	}
	ra.Assignments = append(ra.Assignments, a)
	return ra
}

func inventory(rels ...RelationshipAccess) Inventory {
	return Inventory{Relationships: rels, Groups: testGroups(), Technician: Technician{ID: techID, UserPrincipalName: "alex@contoso"},
		TechnicianGroups: map[string]bool{gAdminAgents: true, gSecurity: true}}
}

var (
	twoRoles = roles.Profile{Name: "Two roles", Roles: []string{roles.SecurityReader, roles.ReportsReader}}
	inAdmin  = roles.Profile{Name: "In AdminAgents", Roles: []string{roles.SecurityReader, roles.ReportsReader},
		Groups: map[string]string{roles.SecurityReader: "AdminAgents", roles.ReportsReader: "AdminAgents"}}
)

func TestEvaluateCases(t *testing.T) {
	sr, rr, ga := roles.SecurityReader, roles.ReportsReader, roles.GlobalAdministrator
	readErr := &graph.Error{Method: "GET", Path: "/v1.0/x", Status: 503, Code: "serviceNotAvailable"}
	tests := []struct {
		name    string
		inv     Inventory
		profile roles.Profile
		status  plan.Status
		kinds   []ProblemKind
		say     string // part of the verdict sentence
	}{
		{"pass", inventory(assign(rel("r1", "Contoso", "active", 400, "P180D", sr, rr), "a1", gAdminAgents, "active", sr, rr)),
			twoRoles, plan.Pass, nil, "passes Two roles"},
		{"pending assignment counts", inventory(assign(rel("r1", "Contoso", "active", 400, "P180D", sr, rr), "a1", gAdminAgents, "pending", sr, rr)),
			twoRoles, plan.Pass, nil, "passes"},
		{"deleted assignment does not", inventory(assign(rel("r1", "Contoso", "active", 400, "P180D", sr, rr), "a1", gAdminAgents, "deleted", sr, rr)),
			twoRoles, plan.Fail, []ProblemKind{UnboundRoles}, "no group holds them"},
		{"roles spread over two relationships", inventory(
			assign(rel("r1", "Contoso", "active", 400, "P180D", sr), "a1", gAdminAgents, "active", sr),
			assign(rel("r2", "Contoso", "active", 400, "P180D", rr), "a2", gSecurity, "active", rr)),
			twoRoles, plan.Pass, nil, "passes"},
		{"only in a group the technician is not in", inventory(assign(rel("r1", "Contoso", "active", 400, "P180D", sr, rr), "a1", gHelpdesk, "active", sr, rr)),
			twoRoles, plan.Fail, []ProblemKind{TechnicianNotInGroup}, `"HelpdeskAgents", which you are not in`},
		{"in the technician's group but not the one the profile names", inventory(assign(rel("r1", "Contoso", "active", 400, "P180D", sr, rr), "a1", gSecurity, "active", sr, rr)),
			inAdmin, plan.Fail, []ProblemKind{RequiredGroupMissing}, `wants Security Reader and Reports Reader assigned to the group "AdminAgents"`},
		{"missing and unbound", inventory(rel("r1", "Contoso", "active", 400, "P180D", sr)),
			twoRoles, plan.Fail, []ProblemKind{MissingRoles, UnboundRoles}, "Reports Reader not granted; Security Reader granted but in no group"},
		{"missing roles waiting for approval", inventory(
			assign(rel("r1", "Contoso", "active", 400, "P180D", sr), "a1", gAdminAgents, "active", sr),
			rel("r2", "Contoso", "approvalPending", 0, "P180D", sr, rr)),
			twoRoles, plan.Warning, []ProblemKind{ApprovalPending}, "has waited 30 days"},
		{"unreadable assignments", func() Inventory {
			ra := rel("r1", "Contoso", "active", 400, "P180D", sr, rr)
			ra.Err = readErr
			return inventory(ra)
		}(), twoRoles, plan.CouldNotCheck, []ProblemKind{CouldNotRead}, "could not read which groups hold"},
		{"unreadable but roles known missing", func() Inventory {
			ra := rel("r1", "Contoso", "active", 400, "P180D", sr)
			ra.Err = readErr
			return inventory(ra)
		}(), twoRoles, plan.Fail, []ProblemKind{MissingRoles, CouldNotRead}, "fails"},
		{"technician's groups unknown", func() Inventory {
			inv := inventory(assign(rel("r1", "Contoso", "active", 400, "P180D", sr, rr), "a1", gAdminAgents, "active", sr, rr))
			inv.TechnicianErr, inv.TechnicianGroups = errors.New("read which groups you are in: boom"), nil
			return inv
		}(), twoRoles, plan.CouldNotCheck, []ProblemKind{CouldNotRead}, "could not check who can use the roles"},
		{"group names unknown, profile names a group", func() Inventory {
			inv := inventory(assign(rel("r1", "Contoso", "active", 400, "P180D", sr, rr), "a1", gSecurity, "active", sr, rr))
			inv.Groups, inv.GroupsErr = map[string]Group{}, errors.New("list the groups of your partner tenant: boom")
			return inv
		}(), inAdmin, plan.CouldNotCheck, []ProblemKind{CouldNotRead}, "could not read which groups hold"},
		{"group names unknown, no group named", func() Inventory {
			inv := inventory(assign(rel("r1", "Contoso", "active", 400, "P180D", sr, rr), "a1", gSecurity, "active", sr, rr))
			inv.Groups, inv.GroupsErr = map[string]Group{}, errors.New("boom")
			return inv
		}(), twoRoles, plan.Pass, nil, "passes"},
		{"expired only", inventory(rel("r1", "Contoso", "expired", -3, "PT0S", sr, rr)),
			twoRoles, plan.Fail, []ProblemKind{NoActiveRelationship}, "expired on 1 May 2026"},
		{"terminated only", inventory(rel("r1", "Contoso", "terminated", -3, "PT0S", sr, rr)),
			twoRoles, plan.Fail, []ProblemKind{NoActiveRelationship}, "was terminated"},
		{"expired with a renewal waiting", inventory(rel("r1", "Contoso", "expired", -3, "PT0S", sr, rr), rel("r2", "Contoso", "approvalPending", 0, "P180D", sr, rr)),
			twoRoles, plan.Warning, []ProblemKind{ApprovalPending}, "Until then no relationship is active"},
		{"expired with a renewal that lacks a role", inventory(rel("r1", "Contoso", "expired", -3, "PT0S", sr, rr), rel("r2", "Contoso", "approvalPending", 0, "P180D", sr)),
			twoRoles, plan.Fail, []ProblemKind{NoActiveRelationship, ApprovalPending}, "no active relationship"},
		{"created and never sent", inventory(rel("r1", "Contoso", "created", 0, "P180D", sr, rr)),
			twoRoles, plan.Warning, []ProblemKind{ApprovalPending}, "never sent to the customer"},
		{"approved and activating", inventory(rel("r1", "Contoso", "activating", 0, "P180D", sr, rr)),
			twoRoles, plan.Warning, []ProblemKind{ApprovalPending}, "Microsoft is activating it"},
		{"expiring", inventory(assign(rel("r1", "Contoso", "active", 12, "PT0S", sr, rr), "a1", gAdminAgents, "active", sr, rr)),
			twoRoles, plan.Warning, []ProblemKind{Expiring}, "ends in 12 days (on 16 May 2026)"},
		{"expiring in part of a day", inventory(assign(rel("r1", "Contoso", "active", 0, "PT0S", sr, rr), "a1", gAdminAgents, "active", sr, rr)),
			twoRoles, plan.Pass, nil, "passes"}, // no end date at all: nothing to warn about
		{"ending in 31 days is fine", inventory(assign(rel("r1", "Contoso", "active", 31, "PT0S", sr, rr), "a1", gAdminAgents, "active", sr, rr)),
			twoRoles, plan.Pass, nil, "passes"},
		{"expiring, auto-extend on", inventory(assign(rel("r1", "Contoso", "active", 5, "P180D", sr, rr), "a1", gAdminAgents, "active", sr, rr)),
			twoRoles, plan.Pass, nil, "passes"},
		{"expiring with the renewal waiting", inventory(
			assign(rel("r1", "Contoso", "active", 12, "PT0S", sr, rr), "a1", gAdminAgents, "active", sr, rr),
			rel("r2", "Contoso", "approvalPending", 0, "P180D", sr, rr)),
			twoRoles, plan.Warning, []ProblemKind{ApprovalPending}, "waited"},
		{"Global Administrator with auto-extend", inventory(assign(rel("r1", "Contoso", "active", 400, "P180D", sr, rr, ga), "a1", gAdminAgents, "active", sr, rr)),
			twoRoles, plan.Warning, []ProblemKind{GlobalAdminAutoExtend}, "which Microsoft does not do for Global Administrator"},
		{"Global Administrator with auto-extend, expiring", inventory(assign(rel("r1", "Contoso", "active", 10, "P180D", sr, rr, ga), "a1", gAdminAgents, "active", sr, rr)),
			twoRoles, plan.Warning, []ProblemKind{Expiring, GlobalAdminAutoExtend}, "Microsoft never extends automatically"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := Evaluate(tt.inv, tt.profile, now)
			if len(vs) != 1 {
				t.Fatalf("%d verdicts", len(vs))
			}
			v := vs[0]
			var kinds []ProblemKind
			for _, p := range v.Problems {
				kinds = append(kinds, p.Kind)
				if !strings.HasPrefix(p.Sentence, "Contoso: ") {
					t.Errorf("%s: sentence %q", p.Kind, p.Sentence)
				}
				if p.Kind == CouldNotRead && p.Err == nil {
					t.Errorf("could not read, but no reason")
				}
			}
			if v.Status != tt.status || !reflect.DeepEqual(kinds, tt.kinds) {
				t.Errorf("%s %v, want %s %v: %s", v.Status, kinds, tt.status, tt.kinds, v.Sentence)
			}
			said := v.Sentence
			for _, p := range v.Problems {
				said += "\n" + p.Sentence
			}
			if !strings.Contains(said, tt.say) {
				t.Errorf("sentences %q do not say %q", said, tt.say)
			}
		})
	}
}

func TestEvaluateSkipsRelationshipsWithoutCustomer(t *testing.T) {
	ra := rel("r1", "", "created", 0, "P180D", roles.ReportsReader)
	ra.Relationship.Customer = CustomerParticipant{}
	if vs := Evaluate(inventory(ra), twoRoles, now); len(vs) != 0 {
		t.Errorf("%d verdicts for a relationship without a customer", len(vs))
	}
}

func TestEvaluateSortsWorstFirst(t *testing.T) {
	sr, rr := roles.SecurityReader, roles.ReportsReader
	inv := inventory(
		assign(rel("r1", "bravo", "active", 400, "P180D", sr, rr), "a1", gAdminAgents, "active", sr, rr),
		assign(rel("r2", "Alpha", "active", 400, "P180D", sr, rr), "a2", gAdminAgents, "active", sr, rr),
		rel("r3", "Zulu", "expired", -1, "PT0S", sr, rr),
		assign(rel("r4", "Yankee", "active", 3, "PT0S", sr, rr), "a4", gAdminAgents, "active", sr, rr),
		func() RelationshipAccess {
			ra := rel("r5", "Xray", "active", 400, "P180D", sr, rr)
			ra.Err = errors.New("boom")
			return ra
		}(),
		rel("r6", "Charlie", "expired", -1, "PT0S", sr, rr),
	)
	var got []string
	for _, v := range Evaluate(inv, twoRoles, now) {
		got = append(got, v.Customer.Name+":"+string(v.Status))
	}
	want := []string{"Charlie:fail", "Zulu:fail", "Xray:couldNotCheck", "Yankee:warning", "Alpha:pass", "bravo:pass"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

func TestPlanCases(t *testing.T) {
	sr, rr, ga := roles.SecurityReader, roles.ReportsReader, roles.GlobalAdministrator
	type want struct {
		kind  FixKind
		group string // group name, for group fixes
		roles int
		deps  int
	}
	tests := []struct {
		name    string
		inv     Inventory
		profile roles.Profile
		want    []want
	}{
		{"unbound: pattern group exists, technician not in it", inventory(rel("r1", "Contoso", "active", 400, "P180D", rr)),
			roles.Profile{Name: "Reports", Roles: []string{rr}},
			[]want{{AddTechnicianToGroup, "GDAP - Reports Reader", 0, 0}, {AddAccessAssignment, "GDAP - Reports Reader", 1, 0}}},
		{"unbound: pattern group missing", inventory(rel("r1", "Contoso", "active", 400, "P180D", sr)),
			roles.Profile{Name: "Security", Roles: []string{sr}},
			[]want{{CreateGroup, "GDAP - Security Reader", 0, 0}, {AddAccessAssignment, "GDAP - Security Reader", 1, 1}}},
		{"unbound: required group has an assignment already", inventory(assign(rel("r1", "Contoso", "active", 400, "P180D", sr, rr), "a1", gAdminAgents, "active", sr)),
			inAdmin, []want{{UpdateAccessAssignment, "AdminAgents", 1, 0}}},
		{"required group missing: assign there", inventory(assign(rel("r1", "Contoso", "active", 400, "P180D", sr, rr), "a1", gSecurity, "active", sr, rr)),
			inAdmin, []want{{AddAccessAssignment, "AdminAgents", 2, 0}}},
		{"required group is Partner Center's and does not exist", func() Inventory {
			inv := inventory(assign(rel("r1", "Contoso", "active", 400, "P180D", sr, rr), "a1", gSecurity, "active", sr, rr))
			delete(inv.Groups, gAdminAgents)
			return inv
		}(), inAdmin, nil},
		{"technician not in group, no required group: join it", inventory(assign(rel("r1", "Contoso", "active", 400, "P180D", sr, rr), "a1", gHelpdesk, "active", sr, rr)),
			twoRoles, []want{{AddTechnicianToGroup, "HelpdeskAgents", 0, 0}}},
		{"technician not in the required group that holds the roles: join it", func() Inventory {
			inv := inventory(assign(rel("r1", "Contoso", "active", 400, "P180D", sr, rr), "a1", gAdminAgents, "active", sr, rr))
			inv.TechnicianGroups = map[string]bool{gSecurity: true}
			return inv
		}(), inAdmin, []want{{AddTechnicianToGroup, "AdminAgents", 0, 0}}},
		{"missing roles", inventory(assign(rel("r1", "Contoso", "active", 400, "P180D", sr), "a1", gAdminAgents, "active", sr)),
			twoRoles, []want{{RequestNewRelationship, "", 2, 0}}},
		{"created and never sent: lock it", inventory(rel("r1", "Contoso", "created", 0, "P180D", sr, rr)),
			twoRoles, []want{{RequestNewRelationship, "", 2, 0}}},
		{"expiring: extend", inventory(assign(rel("r1", "Contoso", "active", 12, "PT0S", sr, rr), "a1", gAdminAgents, "active", sr, rr)),
			twoRoles, []want{{SetAutoExtend, "", 0, 0}}},
		{"expiring with Global Administrator: renew", inventory(assign(rel("r1", "Contoso", "active", 12, "PT0S", sr, rr, ga), "a1", gAdminAgents, "active", sr, rr)),
			twoRoles, []want{{RequestNewRelationship, "", 2, 0}}},
		{"Global Administrator with auto-extend: a person decides", inventory(assign(rel("r1", "Contoso", "active", 400, "P180D", sr, rr, ga), "a1", gAdminAgents, "active", sr, rr)),
			twoRoles, nil},
		{"waiting for approval: nothing to do", inventory(rel("r1", "Contoso", "approvalPending", 0, "P180D", sr, rr)), twoRoles, nil},
		{"groups unknown: no group fixes", func() Inventory {
			inv := inventory(rel("r1", "Contoso", "active", 400, "P180D", sr, rr))
			inv.Groups, inv.GroupsErr = nil, errors.New("no groups")
			return inv
		}(), twoRoles, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fixes := Plan(Evaluate(tt.inv, tt.profile, now), tt.inv, tt.profile, PlanOptions{})
			var got []want
			for _, f := range fixes {
				w := want{kind: f.Kind, roles: len(f.Roles), deps: len(f.DependsOn)}
				if f.Kind != RequestNewRelationship && f.Kind != SetAutoExtend {
					w.group = f.GroupName
				}
				got = append(got, w)
				if f.Reason == "" || len(f.Requests) == 0 {
					t.Errorf("%s: reason %q, %d requests", f.ID, f.Reason, len(f.Requests))
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("planned %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestPlanRequestsAreWhatApplySends(t *testing.T) {
	sr, rr, ga := roles.SecurityReader, roles.ReportsReader, roles.GlobalAdministrator
	withGA := roles.Profile{Name: "Everything", Roles: []string{sr, rr, ga}}
	inv := inventory(rel("r1", "A customer with a rather long name, Limited", "expired", -1, "PT0S", sr))
	fixes := Plan(Evaluate(inv, withGA, now), inv, withGA, PlanOptions{})
	if len(fixes) != 1 {
		t.Fatalf("%d fixes", len(fixes))
	}
	f := fixes[0]
	body := f.Requests[0].Body.(map[string]any)
	if f.Requests[0].Path != "/v1.0/tenantRelationships/delegatedAdminRelationships" || body["autoExtendDuration"] != "PT0S" ||
		body["duration"] != "P730D" || len(f.RelationshipName) > 50 {
		t.Errorf("request %+v", f.Requests[0])
	}
	if c := body["customer"].(map[string]any); c["tenantId"] != "t-a customer with a rather long name, limited" {
		t.Errorf("customer %v", c)
	}
	if !strings.Contains(f.Reason, "does not let it extend automatically") {
		t.Errorf("reason %q", f.Reason)
	}
}

func TestUniqueRelationshipNames(t *testing.T) {
	long := strings.Repeat("Ä", 30) // 60 bytes
	tests := []struct {
		name     string
		customer string
		taken    []string
		want     string
	}{
		{"plain", "Fabrikam", nil, "Fabrikam - P"},
		{"taken", "Fabrikam", []string{"fabrikam - p"}, "Fabrikam - P (2)"},
		{"taken twice", "Fabrikam", []string{"Fabrikam - P", "Fabrikam - P (2)"}, "Fabrikam - P (3)"},
		{"cut on a character", long, nil, strings.Repeat("Ä", 25)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl := &planner{p: roles.Profile{Name: "P"}, opts: PlanOptions{RelationshipPattern: DefaultRelationshipPattern}, names: map[string]bool{}}
			for _, n := range tt.taken {
				pl.names[strings.ToLower(n)] = true
			}
			got := pl.uniqueName(Customer{Name: tt.customer})
			if got != tt.want || len(got) > 50 || !strings.Contains(got, "") {
				t.Errorf("%q (%d bytes), want %q", got, len(got), tt.want)
			}
		})
	}
}

func TestSmallHelpers(t *testing.T) {
	if got := mailNickname("GDAP - Security Reader (EU)"); got != "GDAP-Security-Reader-EU" {
		t.Errorf("mailNickname %q", got)
	}
	if got := mailNickname("ÄÖÜ"); got != "gdap-group" {
		t.Errorf("mailNickname of letters Graph refuses: %q", got)
	}
	if got := groupByNamePath("O'Brien & Co"); got != "/v1.0/groups?%24filter=displayName%20eq%20%27O%27%27Brien%20%26%20Co%27&%24select=id%2CdisplayName" {
		t.Errorf("groupByNamePath %q", got)
	}
	if got := roleList([]string{roles.TeamsAdministrator, roles.ReportsReader, "x"}); got != "Teams Administrator, Reports Reader and x" {
		t.Errorf("roleList %q", got)
	}
	if daysLeft(now, now.Add(25*time.Hour)) != 2 || daysLeft(now, now.Add(24*time.Hour)) != 1 {
		t.Error("daysLeft must count a started day")
	}
	mail := ApprovalMail("Contoso", []string{roles.ReportsReader}, "P730D", ApprovalLink("r1"))
	for _, want := range []string{"Contoso", "Reports Reader", "730 days", "granularAdminRelationships/r1"} {
		if !strings.Contains(mail, want) {
			t.Errorf("mail lacks %q:\n%s", want, mail)
		}
	}
}
