package authmethods

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/onboard365/onboard365/internal/words"
)

// Report is what `onboard365 check authenticator --format json` prints: the pre-checks of one
// tenant and the users whose default method is not an Authenticator notification. Fields are
// only ever added, never renamed or removed.
type Report struct {
	Tenant        string        `json:"tenant"`
	CheckedAt     time.Time     `json:"checkedAt"`
	Check         ReportCheck   `json:"check"`
	Groups        []ReportGroup `json:"groups,omitempty"`
	NeedAttention int           `json:"needAttention"` // users who do not default to Authenticator, guests aside
	Users         []ReportUser  `json:"users,omitempty"`
	Problems      []string      `json:"problems,omitempty"` // names that found nobody, one sentence each
}

// ReportCheck is the outcome of the pre-checks.
type ReportCheck struct {
	OK        bool     `json:"ok"`
	Stops     []string `json:"stops,omitempty"`
	Notes     []string `json:"notes,omitempty"`
	NeedsGDAP bool     `json:"needsGdap"`
}

// ReportGroup is one group of users and how many it holds.
type ReportGroup struct {
	Group string `json:"group"`
	Count int    `json:"count"`
}

// ReportUser is one user in the report.
type ReportUser struct {
	Name      string `json:"name"`
	UPN       string `json:"userPrincipalName"`
	Group     string `json:"group"`
	Admin     bool   `json:"admin"`
	CanSwitch bool   `json:"canSwitch"`
	// Ticked: the app's wizard ticks the user at first, so that Apply switches them unless the
	// person unticks them. An admin who can be switched is not ticked: only by choice.
	Ticked   bool   `json:"ticked"`
	Sentence string `json:"sentence"`
}

// NewReport is the report of a tenant's pre-checks, before any user is read (or when they stop
// the wizard). Clean it (words.Cleaned) before it is shown: its names come from the tenant.
func NewReport(tenant string, checkedAt time.Time, c Check) Report {
	return Report{Tenant: tenant, CheckedAt: checkedAt, Check: ReportCheck{OK: c.OK(), Stops: c.Stops, Notes: c.Notes, NeedsGDAP: c.NeedsGDAP}}
}

// AddUsers puts the users read (or looked up) into the report: how many in each group, and every
// user who does not already default to Authenticator. problems are the names that found nobody.
func (r *Report) AddUsers(found []Finding, problems []string) {
	r.Problems = problems
	count := Count(found)
	for _, cat := range Categories() {
		r.Groups = append(r.Groups, ReportGroup{Group: cat.Words(), Count: count[cat]})
	}
	for _, f := range found {
		if f.Category == Fine {
			continue
		}
		if f.Category != Guest {
			r.NeedAttention++
		}
		r.Users = append(r.Users, ReportUser{Name: f.User.Name(), UPN: f.User.UserPrincipalName, Group: f.Category.Words(), Admin: f.Admin,
			CanSwitch: f.CanFix, Ticked: f.CanFix && f.Ticked, Sentence: f.Sentence})
	}
}

// Passes says whether the checks ran and every user (guests aside) defaults to Authenticator.
func (r Report) Passes() bool { return r.Check.OK && r.NeedAttention == 0 }

// WriteTable writes the report as plain text: the pre-checks, how many users in each group, and
// a table of the users to look at with why and what to do. Every name and sentence is on one
// line and cleaned (words.OneLine).
func WriteTable(w io.Writer, r Report) error {
	fmt.Fprintf(w, "Authenticator default method in %s, %s\n\n", words.OneLine(r.Tenant), r.CheckedAt.Format("2 January 2006 15:04 UTC"))
	for _, s := range r.Check.Stops {
		fmt.Fprintf(w, "Stopped: %s\n", words.OneLine(s))
	}
	for _, n := range r.Check.Notes {
		fmt.Fprintf(w, "Note: %s\n", words.OneLine(n))
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "Not found: %s\n", words.OneLine(p))
	}
	if !r.Check.OK {
		if r.Check.NeedsGDAP {
			fmt.Fprintln(w, "\nOpen GDAP relationships in the app (or run onboard365 check gdap) to add the roles.")
		}
		return nil
	}
	var counts []string
	total := 0
	for _, g := range r.Groups {
		total += g.Count
		if g.Count > 0 {
			counts = append(counts, fmt.Sprintf("%s: %d", g.Group, g.Count))
		}
	}
	fmt.Fprintf(w, "%s. %s.\n", words.Count(total, "user"), strings.Join(counts, "; "))
	if len(r.Users) == 0 {
		_, err := fmt.Fprintln(w, "\nEvery user already defaults to a Microsoft Authenticator notification.")
		return err
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "GROUP\tUSER\tSIGN-IN NAME\tCAN SWITCH")
	for _, u := range r.Users {
		// As the wizard in the app has it: ticked (switched by Apply), only if ticked by hand
		// (an admin), or not at all.
		can := "no"
		switch {
		case u.CanSwitch && u.Ticked:
			can = "yes"
		case u.CanSwitch:
			can = "if ticked"
		}
		if u.Admin {
			can += " (admin)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Group, words.OneLine(u.Name), words.OneLine(u.UPN), can)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nWhy, and what to do:")
	for _, u := range r.Users {
		fmt.Fprintf(w, "  - %s: %s\n", words.OneLine(u.Name), words.OneLine(u.Sentence))
	}
	_, err := fmt.Fprintln(w, "\nOpen Authenticator default method in the app to switch the users who can be switched.")
	return err
}
