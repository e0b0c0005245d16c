package onboard

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/roles"
)

func profile(t *testing.T, name string) roles.Profile {
	t.Helper()
	p, ok := roles.Find(name)
	if !ok {
		t.Fatalf("no profile %s", name)
	}
	return p
}

func TestCombine(t *testing.T) {
	ga := roles.Profile{Name: "Everything", Roles: []string{roles.GlobalAdministrator, roles.UserAdministrator}}
	otherGroup := roles.Profile{Name: "Reports elsewhere", Roles: []string{roles.ReportsReader}, Groups: map[string]string{roles.ReportsReader: "GDAP - Reports"}}
	for _, tc := range []struct {
		name      string
		templates []roles.Profile
		ga        bool
		roles     int    // roles in the union
		groups    int    // roles with a named group
		hasGA     bool   //
		note      string // part of a note; "" for none
		err       string // part of the error; "" for none
	}{
		{"one", []roles.Profile{profile(t, roles.ProfileLiongard)}, false, 6, 6, false, "", ""},
		{"two integrations, one relationship", []roles.Profile{profile(t, roles.ProfileLiongard), profile(t, roles.ProfileMSPProcess)}, false, 8, 8, false, "", ""},
		{"overlap counted once", []roles.Profile{profile(t, roles.ProfileOnboard365), profile(t, roles.ProfileLiongard)}, false, 10, 6, false, "", ""},
		{"Global Administrator left out unless ticked", []roles.Profile{ga}, false, 1, 0, false, "left out because it was not ticked", ""},
		{"Global Administrator when ticked, with its consequence", []roles.Profile{ga}, true, 2, 0, true, "cannot extend automatically", ""},
		{"ticked without a template asking for it", []roles.Profile{profile(t, roles.ProfileMSPProcess)}, true, 3, 2, true, "cannot extend automatically", ""},
		{"one role, two groups", []roles.Profile{profile(t, roles.ProfileLiongard), otherGroup}, false, 0, 0, false, "", "in the group \"AdminAgents\""},
		{"nothing but Global Administrator, unticked", []roles.Profile{{Name: "GA", Roles: []string{roles.GlobalAdministrator}}}, false, 0, 0, false, "", "no role besides Global Administrator"},
		{"none", nil, false, 0, 0, false, "", "choose at least one template"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Combine(tc.templates, tc.ga)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Profile.Roles) != tc.roles || len(a.Profile.Groups) != tc.groups || a.GlobalAdmin != tc.hasGA {
				t.Errorf("roles %d groups %d GA %v: %+v", len(a.Profile.Roles), len(a.Profile.Groups), a.GlobalAdmin, a.Profile)
			}
			if got := strings.Join(a.Notes, " "); (tc.note == "") != (got == "") || !strings.Contains(got, tc.note) {
				t.Errorf("notes %q, want %q", got, tc.note)
			}
			if err := a.Profile.Validate(); err != nil {
				t.Errorf("the union is not a valid profile: %v", err)
			}
		})
	}
}

func TestPhaseOf(t *testing.T) {
	now := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	at := func(d time.Duration) *time.Time { x := now.Add(d); return &x }
	for _, tc := range []struct {
		status    string
		sent      time.Time
		activated *time.Time
		want      Phase
	}{
		{"created", now, nil, NotSent},
		{"approvalPending", now.Add(-3 * day), nil, AwaitingApproval},
		{"approvalPending", now.Add(-90 * day), nil, Expired}, // the 90 days of Microsoft's FAQ
		{"approvalPending", now.Add(-89 * day), nil, AwaitingApproval},
		{"approved", now, nil, Activating},
		{"activating", now, nil, Activating},
		{"active", now, at(-day), Active},
		{"expiring", now, at(-day), Active},
		{"expired", now, nil, Expired},
		{"expired", now, at(-800 * day), Ended},
		{"terminated", now, nil, Declined},
		{"terminated", now, at(-day), Ended},
		{"terminationRequested", now, at(-day), Ended},
		{"somethingNew", now, nil, Ended},
	} {
		r := gdap.Relationship{Status: tc.status, ActivatedDateTime: tc.activated}
		if got := PhaseOf(r, tc.sent, now); got != tc.want {
			t.Errorf("%s sent %s ago: %s, want %s", tc.status, now.Sub(tc.sent), got, tc.want)
		}
	}
}

func TestSentenceSaysTheAgeAndTheLimit(t *testing.T) {
	now := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	inv := Invitation{Customer: Customer{Name: "Wingtip Toys"}, Sent: now.Add(-10 * 24 * time.Hour), Phase: AwaitingApproval}
	got := Sentence(inv, now)
	for _, want := range []string{"Wingtip Toys", "10 days ago", "after 90 days, on 23 July 2026", "80 days left"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	for _, p := range []Phase{NotSent, Activating, Active, Declined, Expired, Ended, Gone} {
		inv.Phase = p
		if s := Sentence(inv, now); s == "" || strings.ContainsAny(s, "{}") {
			t.Errorf("%s: %q", p, s)
		}
	}
}

func sampleInvitation(id string, sent time.Time) Invitation {
	return Invitation{RelationshipID: id, RelationshipName: "Wingtip Toys - Onboard365", Customer: Customer{TenantID: "t-" + id, Name: "Wingtip Toys"},
		Templates: []string{"Onboard365"}, ApprovalLink: gdap.ApprovalLink(id), Sent: sent, Phase: AwaitingApproval}
}

func TestLedgerRoundTripsAndIsWrittenWhole(t *testing.T) {
	ctx := context.Background()
	l := &Ledger{Path: filepath.Join(t.TempDir(), "onboard365", "invitations.json")}
	if invs, err := l.Load(); err != nil || len(invs) != 0 {
		t.Fatalf("a missing ledger: %v %v", invs, err)
	}
	t0 := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	for i, id := range []string{"a", "b", "c"} {
		if err := l.Record(ctx, sampleInvitation(id, t0.Add(time.Duration(i)*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	again := sampleInvitation("b", t0.Add(time.Hour))
	again.Phase = Active
	if err := l.Record(ctx, again); err != nil {
		t.Fatal(err)
	}
	invs, err := l.Load()
	if err != nil || len(invs) != 3 || invs[0].RelationshipID != "c" || invs[1].Phase != Active {
		t.Fatalf("ledger %+v %v", invs, err)
	}
	if latest, ok := Latest(invs, Customer{TenantID: "t-a"}); !ok || latest.RelationshipID != "a" {
		t.Errorf("latest for a: %+v %v", latest, ok)
	}
	fi, err := os.Stat(l.Path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the ledger is %v (%v): it must be the user's alone", fi.Mode(), err)
	}
	b, _ := os.ReadFile(l.Path)
	if strings.Contains(strings.ToLower(string(b)), "secret") || strings.Contains(string(b), "eyJ") {
		t.Errorf("the ledger holds something secret-shaped:\n%s", b)
	}
	// A refused invitation leaves the file as it was.
	if err := l.Record(ctx, Invitation{RelationshipID: "d"}); err == nil {
		t.Error("an invitation without a date or a customer was kept")
	}
	if after, _ := os.ReadFile(l.Path); string(after) != string(b) {
		t.Error("a refused change changed the file")
	}
}

func TestParseLedgerRefusesWhatItDidNotWrite(t *testing.T) {
	ok := `{"version": 1, "invitations": [{"relationshipId": "a", "customer": {"name": "Wingtip Toys"}, "approvalLink": "https://admin.microsoft.com/x", "sent": "2026-05-04T09:00:00Z", "phase": "waiting", "later": "a field a newer version adds"}]}`
	if invs, err := ParseLedger([]byte(ok)); err != nil || len(invs) != 1 {
		t.Fatalf("%v %v", invs, err)
	}
	for name, body := range map[string]string{
		"not JSON":       `{`,
		"another shape":  `[]`,
		"a later layout": `{"version": 2, "invitations": []}`,
		"no id":          `{"version": 1, "invitations": [{"customer": {"name": "X"}, "approvalLink": "https://a/", "sent": "2026-05-04T09:00:00Z"}]}`,
		"no date":        `{"version": 1, "invitations": [{"relationshipId": "a", "customer": {"name": "X"}, "approvalLink": "https://a/"}]}`,
		"a plain link":   `{"version": 1, "invitations": [{"relationshipId": "a", "customer": {"name": "X"}, "approvalLink": "http://a/", "sent": "2026-05-04T09:00:00Z"}]}`,
		"twice":          `{"version": 1, "invitations": [` + strings.Repeat(`{"relationshipId": "a", "customer": {"name": "X"}, "approvalLink": "https://a/", "sent": "2026-05-04T09:00:00Z"},`, 1) + `{"relationshipId": "A", "customer": {"name": "X"}, "approvalLink": "https://a/", "sent": "2026-05-04T09:00:00Z"}]}`,
		"more after it":  `{"version": 1, "invitations": []} {}`,
	} {
		if _, err := ParseLedger([]byte(body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestLedgerUnderTwoWriters: two processes (the window and a command) adding invitations at once
// lose none of them.
func TestLedgerUnderTwoWriters(t *testing.T) {
	if os.Getenv("LEDGER_HELPER") != "" {
		l := &Ledger{Path: os.Getenv("LEDGER_PATH")}
		for i := 0; i < 20; i++ {
			if err := l.Record(context.Background(), sampleInvitation(os.Getenv("LEDGER_HELPER")+"-"+string(rune('a'+i)), time.Now())); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	path := filepath.Join(t.TempDir(), "invitations.json")
	var wg sync.WaitGroup
	for _, who := range []string{"window", "command"} {
		wg.Add(1)
		go func(who string) {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run", "^TestLedgerUnderTwoWriters$")
			cmd.Env = append(os.Environ(), "LEDGER_HELPER="+who, "LEDGER_PATH="+path)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s: %v\n%s", who, err, out)
			}
		}(who)
	}
	wg.Wait()
	invs, err := (&Ledger{Path: path}).Load()
	if err != nil || len(invs) != 40 {
		t.Fatalf("%d invitations, %v", len(invs), err)
	}
}

// FuzzParseLedger: whatever the file holds, reading it never panics, and what it accepts is
// written back as it was read.
func FuzzParseLedger(f *testing.F) {
	b, _ := json.Marshal(ledgerFile{Version: 1, Invitations: []Invitation{sampleInvitation("a", time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC))}})
	f.Add(b)
	f.Add([]byte(`{"version": 1, "invitations": []}`))
	f.Add([]byte(`{"version": 1, "invitations": [{"relationshipId": "a", "customer": {"name": "X"}, "approvalLink": "https://a/", "sent": "2026-05-04T09:00:00Z"}]}`))
	f.Add([]byte(`{"version":1,"invitations":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		invs, err := ParseLedger(data)
		if err != nil {
			return
		}
		out, err := json.Marshal(ledgerFile{Version: 1, Invitations: invs})
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseLedger(out)
		if err != nil || len(again) != len(invs) {
			t.Fatalf("written back it reads as %d invitations, %v", len(again), err)
		}
	})
}
