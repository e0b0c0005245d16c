package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/onboard365/onboard365/internal/onboard"
	"github.com/onboard365/onboard365/internal/words"
)

// RunOptions tune Run, the command line's whole journey.
type RunOptions struct {
	// Wait is how long Run waits for the customer's approval (and Microsoft's activation) before
	// it stops and says what it waits for; 0 does not wait.
	Wait time.Duration
	// Sent, when set, is told the links of an invitation that waits for the customer (once per
	// invitation): on the sandbox the command line hands them to the sandbox's customer, as a
	// technician sends them by mail.
	Sent func(domain string, links []string)
	// Progress, when set, hears what Run is doing, a sentence at a time.
	Progress func(string)
}

// OnboardReport is what `onboard365 onboard --format json` prints. It only ever gains fields.
type OnboardReport struct {
	Customer     ReportCustomer `json:"customer"`
	Status       string         `json:"status"` // done, waiting, failed
	ApprovalLink string         `json:"approvalLink"`
	ResellerLink string         `json:"resellerLink,omitempty"`
	Templates    []string       `json:"templates"`
	Steps        []ReportStep   `json:"steps"`
	Notes        []string       `json:"notes,omitempty"`
}

// ReportCustomer is the customer of a report.
type ReportCustomer struct {
	Name     string `json:"name"`
	TenantID string `json:"tenantId"`
	Domain   string `json:"domain"`
	New      bool   `json:"new"`
}

// ReportStep is one step of a report: done, waiting, failed or skipped.
type ReportStep struct {
	Name     string `json:"name"`
	Status   string `json:"status"`
	Sentence string `json:"sentence"`
}

// stepOf is the step a fix carries out.
func stepOf(k onboard.FixKind) onboard.StepName {
	switch k {
	case onboard.ResellerInvite:
		return onboard.StepReseller
	case onboard.RequestAccess:
		return onboard.StepRequest
	case onboard.GroupsAndRoles:
		return onboard.StepGroups
	}
	return onboard.StepConsent
}

// Run walks the whole journey without a person reviewing each plan, as the command line does:
// check, apply what can be done, wait for the customer (up to opts.Wait), and again, until every
// step is done or skipped (then it checks the connection), a step failed, or the wait is over.
// The report says, step by step, what was done in this run and what is true at its end.
func (o *Onboard) Run(ctx context.Context, req OnboardRequest, opts RunOptions) (OnboardReport, error) {
	say := func(f string, args ...any) {
		if opts.Progress != nil {
			opts.Progress(fmt.Sprintf(f, args...))
		}
	}
	deadline := time.Now().Add(opts.Wait)
	did := map[string]string{} // step -> what this run did there
	sent := map[string]bool{}
	var last OnboardResult
	for round := 0; ; round++ {
		r, err := o.Check(ctx, req)
		if err != nil {
			return OnboardReport{}, err
		}
		last = r
		// A request the customer declined is not sent again without a person deciding to.
		var keep []string
		for _, f := range r.Plan.Fixes {
			if f.Safe {
				keep = append(keep, f.ID)
			}
		}
		r.Plan = r.Plan.Only(keep)
		if len(r.Plan.Fixes) > 0 && round < 10 {
			say("Applying %s for %s…", words.Count(len(r.Plan.Fixes), "change"), r.Customer.Name)
			failed := false
			for i, out := range o.Apply(ctx, r.Plan, nil) {
				f := r.Plan.Fixes[i].Change.(onboard.Fix)
				step := string(stepOf(f.Kind))
				if !out.Done {
					failed = true
					did[step] = "failed:" + out.Sentence
					continue
				}
				if !strings.HasPrefix(did[step], "failed:") {
					did[step] = strings.TrimSpace(did[step] + " " + out.Sentence)
				}
			}
			if failed {
				if last, err = o.Check(ctx, req); err != nil {
					return OnboardReport{}, err
				}
				break
			}
			continue
		}
		if r.Ready {
			say("Checking the connection to %s…", r.Customer.Name)
			v, err := o.Verify(ctx, r)
			if err != nil {
				return OnboardReport{}, err
			}
			status := "done"
			if !v.Connected {
				status = "failed"
			}
			did[string(onboard.StepVerify)] = status + ":" + v.Sentence
			break
		}
		if r.Status != string(onboard.Waiting) || r.Invitation == nil {
			break
		}
		inv := *r.Invitation
		if opts.Sent != nil && !sent[inv.ID] {
			sent[inv.ID] = true
			links := []string{inv.ApprovalLink}
			if inv.ResellerLink != "" {
				links = append(links, inv.ResellerLink)
			}
			opts.Sent(inv.Domain, links)
		}
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		say("Waiting for %s: %s", r.Customer.Name, inv.Sentence)
		wctx, cancel := context.WithTimeout(ctx, left)
		got, err := o.Wait(wctx, inv, nil, nil)
		cancel()
		if ctx.Err() != nil {
			return OnboardReport{}, ctx.Err()
		}
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return OnboardReport{}, err
		}
		if got.Phase == string(onboard.Active) {
			did[string(onboard.StepApproval)] = got.Sentence
		}
		if err != nil { // the wait is over: one last reading for the report
			if last, err = o.Check(ctx, req); err != nil {
				return OnboardReport{}, err
			}
			break
		}
	}
	return report(last, did), nil
}

// report is a run's last check, with what the run did: a step it carried out that is now
// skipped (nothing left to do) or todo shows as done; one that failed as failed.
func report(r OnboardResult, did map[string]string) OnboardReport {
	rep := OnboardReport{Customer: ReportCustomer{Name: r.Customer.Name, TenantID: r.Customer.TenantID, Domain: r.Customer.Domain, New: r.Customer.New},
		Templates: r.Request.Templates, Notes: r.Notes}
	if r.Invitation != nil && r.Invitation.Open {
		rep.ApprovalLink, rep.ResellerLink = r.Invitation.ApprovalLink, r.Invitation.ResellerLink
	}
	status := "done"
	for _, s := range r.Steps {
		step := ReportStep{Name: s.Name, Status: s.Status, Sentence: s.Sentence}
		what, ok := did[s.Name]
		switch {
		case strings.HasPrefix(what, "failed:"):
			step.Status, step.Sentence = "failed", strings.TrimPrefix(what, "failed:")
		case strings.HasPrefix(what, "done:"):
			step.Status, step.Sentence = "done", strings.TrimPrefix(what, "done:")
		case ok && (s.Status == "skipped" || s.Status == "todo"):
			step.Status, step.Sentence = "done", what
		case s.Status == "todo":
			step.Status = "waiting" // it can be done once what it waits for is done
		}
		switch {
		case step.Status == "failed":
			status = "failed"
		case step.Status == "waiting" && status != "failed":
			status = "waiting"
		}
		rep.Steps = append(rep.Steps, step)
	}
	rep.Status = status
	if status != "waiting" {
		if status == "done" {
			rep.ApprovalLink, rep.ResellerLink = "", ""
		}
	}
	return words.Cleaned(rep)
}

// WriteReport writes a run's report as "json" or "table" (a line per step).
func WriteReport(w io.Writer, rep OnboardReport, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	who := rep.Customer.Name
	if rep.Customer.Domain != "" && rep.Customer.Domain != who {
		who += " (" + rep.Customer.Domain + ")"
	}
	fmt.Fprintf(w, "Onboarding %s with %s: %s\n\n", who, words.JoinAnd(rep.Templates), rep.Status)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STEP\tSTATUS\tWHAT")
	for _, s := range rep.Steps {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", onboard.StepName(s.Name).Title(), s.Status, words.OneLine(s.Sentence))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if rep.ApprovalLink != "" {
		fmt.Fprintf(w, "\nApproval link for the customer's Global Administrator:\n%s\n", rep.ApprovalLink)
	}
	if rep.ResellerLink != "" {
		fmt.Fprintf(w, "\nReseller invitation link:\n%s\n", rep.ResellerLink)
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "\nNote: %s\n", n)
	}
	return nil
}

// WriteInvitations writes the ledger as "json" or "table" (`onboard365 onboard status`).
func WriteInvitations(w io.Writer, invs []Invitation, format string) error {
	if format == "json" {
		type row struct {
			Customer     string    `json:"customer"`
			Domain       string    `json:"domain,omitempty"`
			TenantID     string    `json:"tenantId,omitempty"`
			Templates    []string  `json:"templates"`
			Relationship string    `json:"relationshipId"`
			Sent         time.Time `json:"sent"`
			State        string    `json:"state"`
			Age          string    `json:"age"`
			DaysLeft     int       `json:"daysLeft"`
			ApprovalLink string    `json:"approvalLink"`
			ResellerLink string    `json:"resellerLink,omitempty"`
		}
		rows := make([]row, 0, len(invs))
		for _, i := range invs {
			rows = append(rows, row{Customer: i.Customer, Domain: i.Domain, TenantID: i.TenantID, Templates: i.Templates, Relationship: i.ID,
				Sent: i.Sent.UTC(), State: i.State, Age: i.Age, DaysLeft: i.DaysLeft, ApprovalLink: i.ApprovalLink, ResellerLink: i.ResellerLink})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"invitations": rows})
	}
	if len(invs) == 0 {
		_, err := fmt.Fprintln(w, "Onboard365 has sent no invitation from this computer yet.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CUSTOMER\tTEMPLATES\tSENT\tSTATE\tDAYS LEFT\tAPPROVAL LINK")
	for _, i := range invs {
		left := "-"
		if i.Open && i.Waits {
			left = fmt.Sprint(i.DaysLeft)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", words.OneLine(i.Customer), words.OneLine(strings.Join(i.Templates, ", ")),
			i.Sent.Local().Format("2 Jan 2006"), i.State, left, i.ApprovalLink)
	}
	return tw.Flush()
}
