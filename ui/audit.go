package ui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/audit"
	"github.com/onboard365/onboard365/internal/explain"
)

// Audit is what Settings needs of the audit trail (internal/app's AuditTrail): its entries, and
// the check that none was edited.
type Audit interface {
	Entries(ctx context.Context, f audit.Filter) ([]audit.Entry, error)
	Verify(ctx context.Context) (audit.Report, error)
}

// auditShown is how many entries Settings lists for one choice, the latest first.
const auditShown = 50

// everyCustomer is the chooser's first choice.
const everyCustomer = "Every customer"

// auditSection lists every change the app made, for one customer or all, and checks the trail.
func (s *Shell) auditSection() fyne.CanvasObject {
	list := container.NewVBox(paragraph("Reading the audit trail…"))
	verdict := container.NewVBox()
	var entries []audit.Entry
	chooser := widget.NewSelect(nil, nil)
	chooser.PlaceHolder = "Choose a customer"
	show := func(customer string) {
		list.RemoveAll()
		f := audit.Filter{}
		if customer != everyCustomer {
			f.Customer = customer
		}
		chosen := audit.Select(entries, f)
		if len(chosen) == 0 {
			list.Add(paragraph("No changes recorded."))
			return
		}
		for i := len(chosen) - 1; i >= 0 && i >= len(chosen)-auditShown; i-- {
			list.Add(auditRow(chosen[i]))
		}
		if len(chosen) > auditShown {
			list.Add(paragraph(fmt.Sprintf("And %d older changes: onboard365 audit lists them all.", len(chosen)-auditShown)))
		}
	}
	chooser.OnChanged = show
	svc := s.opts.Audit
	s.background(20*time.Second, func(ctx context.Context) func() {
		got, err := svc.Entries(ctx, audit.Filter{})
		return func() {
			entries = got
			list.RemoveAll()
			var damaged *audit.DamagedError
			if err != nil && !errors.As(err, &damaged) {
				list.Add(withIcon(theme.ErrorIcon(), explain.Sentence(err)))
				return
			}
			if damaged != nil {
				verdict.Add(withIcon(theme.WarningIcon(), explain.Sentence(err)))
			}
			chooser.Options = append([]string{everyCustomer}, auditCustomers(got)...)
			chooser.SetSelected(everyCustomer)
		}
	})
	var check *widget.Button
	check = widget.NewButtonWithIcon("Check the audit trail", theme.SearchIcon(), func() {
		check.Disable()
		verdict.RemoveAll()
		verdict.Add(paragraph("Checking every entry…"))
		s.background(time.Minute, func(ctx context.Context) func() {
			r, err := svc.Verify(ctx)
			return func() {
				check.Enable()
				verdict.RemoveAll()
				switch {
				case err != nil:
					verdict.Add(withIcon(theme.ErrorIcon(), explain.Sentence(err)))
				case r.OK:
					verdict.Add(withIcon(theme.ConfirmIcon(), r.Sentence))
				default:
					verdict.Add(withIcon(theme.ErrorIcon(), r.Sentence))
				}
			}
		})
	})
	return container.NewVBox(
		subheading("Audit trail"),
		paragraph("Every change Onboard365 made in your partner tenant or a customer's: when, who was signed in, what it "+
			"was before and after, and how it ended. It is kept on this computer; each entry is chained to the one "+
			"before, so an edited or removed entry shows when you check it."),
		chooser, list, container.NewHBox(check), verdict)
}

// auditRow is one change, in a line a person reads.
func auditRow(e audit.Entry) fyne.CanvasObject {
	who := e.TenantName
	if who == "" {
		who = e.TenantID
	}
	change := e.Change
	if e.Before != "" || e.After != "" {
		change += " (before: " + orNone(e.Before) + " After: " + orNone(e.After) + ")"
	}
	result := audit.ResultWord(e.Result)
	if e.Detail != "" {
		result += ": " + e.Detail
	}
	text := fmt.Sprintf("%s, %s, %s: %s. %s.", e.Time.Local().Format("2 January 2006 15:04"), e.Technician, who,
		strings.TrimSuffix(change, "."), strings.TrimSuffix(result, "."))
	icon := theme.ConfirmIcon()
	if e.Result != audit.Succeeded {
		icon = theme.ErrorIcon()
	}
	return withIcon(icon, text)
}

func orNone(s string) string {
	if s == "" {
		return "nothing."
	}
	return s
}

// auditCustomers are the tenants the entries name, sorted.
func auditCustomers(entries []audit.Entry) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range entries {
		name := e.TenantName
		if name == "" {
			name = e.TenantID
		}
		if name != "" && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
