package roles

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// domainRoles is the role list of DOMAIN.md ("Entra role template ids"), plus the roles the CIPP
// profiles need that DOMAIN.md lacks, checked against Microsoft's permissions reference.
var domainRoles = []struct{ name, id string }{
	{"Cloud Application Administrator", "158c047a-c907-4556-b7ef-446551a6b5f7"},
	{"Application Administrator", "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"},
	{"User Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1"},
	{"Directory Writers", "9360feb5-f418-4baa-8175-e2a00bac4301"},
	{"Directory Readers", "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"},
	{"Global Reader", "f2ef992c-3afb-46b9-b7cf-a126ee74c451"},
	{"Security Reader", "5d6b6bb7-de71-4623-b4af-96380a352509"},
	{"Security Administrator", "194ae4cb-b126-40b2-bd5b-6091b380977d"},
	{"Teams Administrator", "69091246-20e8-4a56-aa4d-066075b2a7a8"},
	{"Reports Reader", "4a5d8f65-41da-4de4-8968-e035b65339cf"},
	{"Exchange Administrator", "29232cdf-9323-42fd-ade2-1d097af3e4de"},
	{"Privileged Authentication Administrator", "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"},
	{"Authentication Administrator", "c4e39bd9-1100-46d3-8c65-fb160da0071f"},
	{"Global Administrator", "62e90394-69f5-4237-9190-012177145e10"},
	{"Helpdesk Administrator", "729827e3-9c14-49f7-bb1b-9608f156bbb8"},
	{"License Administrator", "4d6ac14f-3453-41d0-bef9-a3e0c569773a"},
	{"Privileged Role Administrator", "e8611ab8-c189-46e8-94e1-60213ab1f814"},
	{"Intune Administrator", "3a2c62db-5318-420d-8d74-23affee5d9d5"},
	{"SharePoint Administrator", "f28a1f50-f6e7-4571-818b-6a12f2af6b6c"},
	{"Conditional Access Administrator", "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9"},
	{"Security Operator", "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f"},
	{"Service Support Administrator", "f023fd81-a637-4b56-95fd-791ac0226033"},
	{"Authentication Policy Administrator", "0526716b-113d-4c15-b2c8-68e3c22b9f80"},
	{"Groups Administrator", "fdd7a751-b60b-444a-984c-02652fe8fa1c"},
	// Not in DOMAIN.md; ids from Microsoft's permissions reference.
	{"Cloud Device Administrator", "7698a772-787b-4ac8-901f-60d6b08affd2"},
	{"Cloud App Security Administrator", "892c5842-a9a6-463a-8041-72aa08ca3cf6"},
	{"Billing Administrator", "b0f54661-2d74-4c50-afa3-1ec803f12efe"},
	{"Domain Name Administrator", "8329153b-31d0-4727-b945-745eb3bc5f31"},
}

var guid = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func TestCatalogHasEveryDomainRole(t *testing.T) {
	for _, tt := range domainRoles {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := ByID(tt.id)
			if !ok {
				t.Fatalf("%s (%s) is not in the catalog", tt.name, tt.id)
			}
			if r.Name != tt.name {
				t.Errorf("name %q, want %q", r.Name, tt.name)
			}
			if len(strings.TrimSpace(r.Allows)) < 20 || strings.Contains(r.Allows, "\n") {
				t.Errorf("the plain line %q is empty, too short or not one line", r.Allows)
			}
			if r.Risk.Rank() == 0 {
				t.Errorf("risk %q is not one of low, medium, high, critical", r.Risk)
			}
			if Name(tt.id) != tt.name || Name(strings.ToUpper(tt.id)) != tt.name {
				t.Errorf("Name(%s) = %q", tt.id, Name(tt.id))
			}
		})
	}
	if got := len(Catalog()); got != len(domainRoles) {
		t.Errorf("the catalog has %d roles, the test knows %d: add the new ones to domainRoles", got, len(domainRoles))
	}
}

func TestCatalogShape(t *testing.T) {
	cat := Catalog()
	seen := map[string]bool{}
	for i, r := range cat {
		if !guid.MatchString(r.ID) {
			t.Errorf("%s: id %q is not a lower-case GUID", r.Name, r.ID)
		}
		if seen[r.ID] || seen[r.Name] {
			t.Errorf("%s appears twice", r.Name)
		}
		seen[r.ID], seen[r.Name] = true, true
		if i > 0 && cat[i-1].Name >= r.Name {
			t.Errorf("Catalog is not sorted by name at %s", r.Name)
		}
	}
	cat[0].Name = "changed"
	if Catalog()[0].Name == "changed" {
		t.Error("Catalog returns the package's own slice")
	}
}

func TestRisk(t *testing.T) {
	tests := []struct {
		id   string
		want Risk
	}{
		{GlobalAdministrator, Critical},
		{PrivilegedRoleAdministrator, Critical},
		{PrivilegedAuthenticationAdministrator, Critical},
		{ReportsReader, Low},
		{GlobalReader, Low},
		{ApplicationAdministrator, High},
	}
	for _, tt := range tests {
		if r, _ := ByID(tt.id); r.Risk != tt.want {
			t.Errorf("%s: risk %q, want %q", r.Name, r.Risk, tt.want)
		}
	}
	for _, r := range Catalog() {
		if r.Risk == Critical && r.ID != GlobalAdministrator && r.ID != PrivilegedRoleAdministrator && r.ID != PrivilegedAuthenticationAdministrator {
			t.Errorf("%s is critical; only the three that can take over a tenant are", r.Name)
		}
	}
}

func TestNameFallsBackToID(t *testing.T) {
	const unknown = "00000000-1111-2222-3333-444444444444"
	if got := Name(unknown); got != unknown {
		t.Errorf("Name(unknown) = %q", got)
	}
	if _, ok := ByID(unknown); ok {
		t.Error("ByID found an unknown role")
	}
}

func TestBuiltInProfiles(t *testing.T) {
	tests := []struct {
		name   string
		roles  int
		groups map[string]string
	}{
		{ProfileLiongard, 6, map[string]string{CloudApplicationAdministrator: "AdminAgents", DirectoryWriters: "AdminAgents",
			GlobalReader: "AdminAgents", SecurityReader: "AdminAgents", TeamsAdministrator: "AdminAgents", ReportsReader: "AdminAgents"}},
		{ProfileMSPProcess, 2, map[string]string{ApplicationAdministrator: "GDAP - Application Administrator", UserAdministrator: "GDAP - User Administrator"}},
		{ProfileCIPP, 12, nil},
		{ProfileCIPPExtended, 15, nil},
		{ProfileMigration, 8, nil},
		{ProfileOnboard365, 5, nil},
	}
	if len(BuiltIn()) != len(tests) {
		t.Errorf("%d built-in profiles, the test knows %d", len(BuiltIn()), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := Find(strings.ToUpper(tt.name))
			if !ok {
				t.Fatalf("Find(%q) found nothing", tt.name)
			}
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
			if len(p.Roles) != tt.roles {
				t.Errorf("%d roles, want %d", len(p.Roles), tt.roles)
			}
			for _, id := range p.Roles {
				if _, ok := ByID(id); !ok {
					t.Errorf("role %s is not in the catalog", id)
				}
			}
			if len(tt.groups) > 0 || len(p.Groups) > 0 {
				if !reflect.DeepEqual(p.Groups, tt.groups) {
					t.Errorf("groups %v, want %v", p.Groups, tt.groups)
				}
			}
			if strings.TrimSpace(p.Description) == "" {
				t.Error("no description")
			}
			if p.HasGlobalAdministrator() {
				t.Error("a built-in profile asks for Global Administrator")
			}
		})
	}
	// Find hands out copies: changing one does not change the next.
	p, _ := Find(ProfileLiongard)
	p.Roles[0] = "changed"
	p.Groups["x"] = "y"
	if q, _ := Find(ProfileLiongard); q.Roles[0] == "changed" || q.Groups["x"] != "" {
		t.Error("BuiltIn shares its slices or maps")
	}
	if _, ok := Find("no such profile"); ok {
		t.Error("Find found a profile that does not exist")
	}
}

func TestCIPPProfileRoles(t *testing.T) {
	p, _ := Find(ProfileCIPP)
	var names []string
	for _, id := range p.Roles {
		names = append(names, Name(id))
	}
	want := []string{"Application Administrator", "User Administrator", "Intune Administrator", "Exchange Administrator",
		"Security Administrator", "Cloud App Security Administrator", "Cloud Device Administrator", "Teams Administrator",
		"SharePoint Administrator", "Authentication Policy Administrator", "Privileged Role Administrator",
		"Privileged Authentication Administrator"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("CIPP roles %v, want %v", names, want)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		p    Profile
		want string // part of the error; "" for none
	}{
		{"ok", Profile{Name: "Helpdesk", Roles: []string{HelpdeskAdministrator}}, ""},
		{"upper-case id", Profile{Name: "Helpdesk", Roles: []string{strings.ToUpper(HelpdeskAdministrator)}}, ""},
		{"no name", Profile{Name: "  ", Roles: []string{HelpdeskAdministrator}}, "no name"},
		{"long name", Profile{Name: strings.Repeat("x", 101), Roles: []string{HelpdeskAdministrator}}, "longer than"},
		{"no roles", Profile{Name: "Empty"}, "no roles"},
		{"unknown role", Profile{Name: "Odd", Roles: []string{"not-a-role"}}, "does not know"},
		{"twice", Profile{Name: "Twice", Roles: []string{ReportsReader, ReportsReader}}, "twice"},
		{"group for missing role", Profile{Name: "G", Roles: []string{ReportsReader}, Groups: map[string]string{GlobalReader: "X"}}, "does not have"},
		{"empty group", Profile{Name: "G", Roles: []string{ReportsReader}, Groups: map[string]string{ReportsReader: " "}}, "empty group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want one with %q", err, tt.want)
			}
		})
	}
}

func TestProfileStoreRoundTrip(t *testing.T) {
	store := ProfileStore{Path: filepath.Join(t.TempDir(), "nested", "onboard365", "profiles.json")}
	got, err := store.Load()
	if err != nil || len(got) != 0 {
		t.Fatalf("Load of a missing file: %v, %v", got, err)
	}
	want := []Profile{
		{Name: "Helpdesk tier 1", Description: "Password resets", Roles: []string{HelpdeskAdministrator, LicenseAdministrator}},
		{Name: "Reports", Roles: []string{ReportsReader}, Groups: map[string]string{ReportsReader: "GDAP - Reports"}},
	}
	if err := store.Save(want); err != nil {
		t.Fatal(err)
	}
	got, err = store.Load()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip: got %+v, want %+v", got, want)
	}
	// Saving again replaces the file and leaves no temporary file behind.
	if err := store.Save(want[:1]); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Dir(store.Path))
	if len(entries) != 1 {
		t.Errorf("the folder holds %d files, want only profiles.json", len(entries))
	}
	if got, _ := store.Load(); len(got) != 1 {
		t.Errorf("after the second save: %d profiles", len(got))
	}
	var raw map[string]any
	b, _ := os.ReadFile(store.Path)
	if err := json.Unmarshal(b, &raw); err != nil || raw["version"] != float64(1) {
		t.Errorf("file is not the documented shape: %s", b)
	}
}

func TestProfileStoreRefuses(t *testing.T) {
	store := ProfileStore{Path: filepath.Join(t.TempDir(), "profiles.json")}
	tests := []struct {
		name     string
		profiles []Profile
		want     string
	}{
		{"built-in name", []Profile{{Name: "cipp", Roles: []string{ReportsReader}}}, "built-in"},
		{"same name twice", []Profile{{Name: "A", Roles: []string{ReportsReader}}, {Name: "a", Roles: []string{GlobalReader}}}, "two profiles"},
		{"invalid", []Profile{{Name: "A"}}, "no roles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := store.Save(tt.profiles)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one with %q", err, tt.want)
			}
			if _, err := os.Stat(store.Path); !os.IsNotExist(err) {
				t.Error("a refused save wrote the file")
			}
		})
	}
}

func TestProfileStoreBadFile(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{"not JSON", "{not json", "not the JSON"},
		{"cut short", `{"version":1,"profiles":[{"name":"A","roles":["` + ReportsReader + `"]}`, "not the JSON"},
		{"unknown field", `{"version":1,"profiles":[],"secret":"x"}`, "not the JSON"},
		{"wrong version", `{"version":7,"profiles":[]}`, "version 7"},
		{"unknown role", `{"version":1,"profiles":[{"name":"A","roles":["nope"]}]}`, "does not know"},
		{"trailing data", `{"version":1,"profiles":[]} {}`, "more after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "profiles.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := ProfileStore{Path: path}.Load()
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q should name the file and say %q", err, tt.want)
			}
		})
	}
}

func TestDefaultProfileStore(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	s, err := DefaultProfileStore()
	if err != nil {
		t.Skip("no config folder on this system:", err)
	}
	if filepath.Base(s.Path) != "profiles.json" || filepath.Base(filepath.Dir(s.Path)) != "onboard365" {
		t.Errorf("path %s, want .../onboard365/profiles.json", s.Path)
	}
}
