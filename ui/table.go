package ui

import (
	"fmt"
	"image/color"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/words"
	"github.com/onboard365/onboard365/ui/wizard"
)

// The table every check shows its customers in (GDAP relationships, Troubleshoot): one line per
// customer (its name, its status, what is wrong in one line, and the fix Onboard365 plans for
// it), sorted by status or by name, narrowed to the failing ones or by a filter, each line
// opening on demand to the whole paragraph. A screen holds some fifteen customers, not three.

// tableRow is one customer of a checkTable.
type tableRow struct {
	Name   string
	Status plan.Status
	Line   string // what is wrong (or right), in one line
	Fix    string // the fix planned for it, in one line; "" when there is none
	// Detail is the whole paragraph, built when the person opens the line.
	Detail func() fyne.CanvasObject
	// Below, when set, is always shown under the line (a customer administrator's sign-in).
	Below fyne.CanvasObject
}

// Sort orders of a checkTable.
const (
	sortWorstFirst = "status"
	sortByName     = "name"
	sortByFix      = "fix"
)

// checkTable is the table and its controls. Its state (sort, filter, which lines are open)
// lives in the page's state, so that it survives the table being drawn again.
type checkTable struct {
	what   string // "customers"
	first  string // the first column's heading: "Customer", or "Check" for a tenant's own checks
	bare   bool   // no filter, no "failing only", no export: a short table (the partner's checks)
	rows   []tableRow
	view   *tableView
	box    *fyne.Container
	export fyne.CanvasObject
	wheel  *wizard.Wheel // the page's: the mouse wheel over the filter scrolls the page
}

// tableView is what the person chose about a table: kept by the page across redraws.
type tableView struct {
	sort        string // sortWorstFirst (default), sortByName, sortByFix
	failingOnly bool
	filter      string
	open        map[string]bool
}

func newCheckTable(what string, rows []tableRow, view *tableView, export fyne.CanvasObject, wheel *wizard.Wheel) *checkTable {
	if view.open == nil {
		view.open = map[string]bool{}
	}
	t := &checkTable{what: what, first: "Customer", rows: rows, view: view, box: container.NewVBox(), export: export, wheel: wheel}
	return t
}

// object is the table with its controls: filter, failing only, export, then the lines.
func (t *checkTable) object() fyne.CanvasObject {
	if t.bare {
		t.draw()
		return t.box
	}
	filter := widget.NewEntry()
	filter.SetPlaceHolder("Filter by customer name")
	filter.SetText(t.view.filter)
	filter.OnChanged = func(text string) { t.view.filter = text; t.draw() }
	failing := widget.NewCheck("Only those that do not pass", func(on bool) { t.view.failingOnly = on; t.draw() })
	failing.SetChecked(t.view.failingOnly)
	controls := container.NewBorder(nil, nil, nil, container.NewHBox(failing, t.export), t.wheel.Field(filter))
	t.draw()
	return container.NewVBox(controls, t.box)
}

// columns are the table's columns: the status one as wide as "Could not check" with its icon,
// the others sharing what is left.
var columns = columnLayout{status: 1, statusWidth: 150, parts: []float32{0.24, 0, 0.42, 0.34}}

func (t *checkTable) header() fyne.CanvasObject {
	head := func(label, order string) fyne.CanvasObject {
		text := label
		if t.view.sort == order || (order == sortWorstFirst && t.view.sort == "") {
			text += " ▼"
		}
		b := widget.NewButton(text, func() { t.view.sort = order; t.draw() })
		b.Importance = widget.LowImportance
		b.Alignment = widget.ButtonAlignLeading
		return b
	}
	line := widget.NewLabelWithStyle("In one line", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	// The lines below start with their Details button: the header keeps its room, so that the
	// columns line up.
	room := canvas.NewRectangle(color.Transparent)
	room.SetMinSize(fyne.NewSize(toggleWidth(), 0))
	return container.NewBorder(nil, nil, room, nil,
		container.New(columns, head(t.first, sortByName), head("Status", sortWorstFirst), line, head("The fix", sortByFix)))
}

// toggleButton opens or closes a line's paragraph. It is as wide open ("Hide") as closed
// ("Details"), so that an open line's columns stay in line with the others.
func toggleButton(open bool, tapped func()) fyne.CanvasObject {
	label, icon := "Details", theme.MenuExpandIcon()
	if open {
		label, icon = "Hide", theme.MenuDropUpIcon()
	}
	b := widget.NewButtonWithIcon(label, icon, tapped)
	b.Importance = widget.LowImportance
	b.Alignment = widget.ButtonAlignLeading
	room := canvas.NewRectangle(color.Transparent)
	room.SetMinSize(fyne.NewSize(toggleWidth(), 0))
	return container.NewStack(room, b)
}

// toggleWidth is the wider of the toggle's two faces.
func toggleWidth() float32 {
	closed := widget.NewButtonWithIcon("Details", theme.MenuExpandIcon(), nil).MinSize().Width
	open := widget.NewButtonWithIcon("Hide", theme.MenuDropUpIcon(), nil).MinSize().Width
	return max(closed, open)
}

func (t *checkTable) sorted() []tableRow {
	out := append([]tableRow(nil), t.rows...)
	byName := func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) }
	sort.SliceStable(out, func(i, j int) bool {
		switch t.view.sort {
		case sortByName:
			return byName(i, j)
		case sortByFix:
			if (out[i].Fix != "") != (out[j].Fix != "") {
				return out[i].Fix != ""
			}
		}
		if ri, rj := out[i].Status.Rank(), out[j].Status.Rank(); ri != rj {
			return ri < rj
		}
		return byName(i, j)
	})
	return out
}

func (t *checkTable) shown(r tableRow) bool {
	if t.view.failingOnly && r.Status == plan.Pass {
		return false
	}
	q := strings.ToLower(strings.TrimSpace(t.view.filter))
	return q == "" || strings.Contains(strings.ToLower(r.Name), q)
}

func (t *checkTable) draw() {
	t.box.RemoveAll()
	t.box.Add(t.header())
	t.box.Add(widget.NewSeparator())
	shown, matching := 0, 0
	for _, r := range t.sorted() {
		if !t.shown(r) {
			continue
		}
		if matching++; shown == maxRows {
			continue
		}
		shown++
		t.box.Add(t.line(r))
	}
	switch {
	case len(t.rows) == 0:
		t.box.Add(paragraph("No " + t.what + " were checked."))
	case matching == 0 && t.view.failingOnly && t.view.filter == "":
		t.box.Add(withIcon(theme.ConfirmIcon(), "Every one passes."))
	case matching == 0:
		t.box.Add(paragraph("Nothing matches the filter."))
	case matching > shown:
		t.box.Add(paragraph(fmt.Sprintf("Showing %d of %d %s; type a name in the filter to find the others. The export holds them all.", shown, matching, t.what)))
	}
	t.box.Refresh()
}

// line is one customer: a toggle, its name, status, one line and fix, then what is always below
// it and, when open, the whole paragraph.
func (t *checkTable) line(r tableRow) fyne.CanvasObject {
	name := oneLine(r.Name, true)
	status := container.NewBorder(nil, nil, widget.NewIcon(statusIcon(r.Status)), nil, statusLabel(r.Status))
	fix := r.Fix
	if fix == "" {
		fix = "—"
	}
	open := t.view.open[r.Name]
	toggle := toggleButton(open, func() { t.view.open[r.Name] = !t.view.open[r.Name]; t.draw() })
	// The line's sentence often starts with the customer's name, which its own column shows.
	line := strings.TrimPrefix(r.Line, r.Name+": ")
	row := container.NewBorder(nil, nil, toggle, nil,
		container.New(columns, name, status, oneLine(words.UpperFirst(line), false), oneLine(fix, false)))
	out := container.NewVBox(row)
	if r.Below != nil {
		out.Add(container.NewPadded(r.Below))
	}
	if open && r.Detail != nil {
		out.Add(container.NewPadded(r.Detail()))
	}
	out.Add(widget.NewSeparator())
	return out
}

// statusWord is a status in its colour, whole (for a line of its own).
func statusWord(s plan.Status) *widget.Label {
	l := widget.NewLabelWithStyle(s.Word(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Importance = statusImportance(s)
	return l
}

// statusLabel is a status in its colour, cut to its column.
func statusLabel(s plan.Status) *widget.Label {
	l := widget.NewLabelWithStyle(s.Word(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Importance = statusImportance(s)
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// oneLine is a text cut to one line of its column, with an ellipsis where it is cut.
func oneLine(s string, bold bool) *widget.Label {
	l := widget.NewLabelWithStyle(words.OneLine(s), fyne.TextAlignLeading, fyne.TextStyle{Bold: bold})
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// columnLayout lays its objects side by side: the one at status gets statusWidth, the others
// their part of the rest.
type columnLayout struct {
	status      int
	statusWidth float32
	parts       []float32
}

func (l columnLayout) widths(total float32) []float32 {
	rest := max(0, total-l.statusWidth)
	out := make([]float32, len(l.parts))
	for i, p := range l.parts {
		out[i] = rest * p
	}
	if l.status < len(out) {
		out[l.status] = l.statusWidth
	}
	return out
}

func (l columnLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	x := float32(0)
	pad := theme.Padding()
	ws := l.widths(size.Width)
	for i, o := range objects {
		w := float32(0)
		if i < len(ws) {
			w = ws[i]
		}
		h := o.MinSize().Height
		o.Move(fyne.NewPos(x, (size.Height-h)/2))
		o.Resize(fyne.NewSize(max(0, w-pad), h))
		x += w
	}
}

func (l columnLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(l.statusWidth, 0)
	for i, o := range objects {
		m := o.MinSize()
		s.Height = max(s.Height, m.Height)
		if i != l.status {
			s.Width += min(m.Width, 80) // a cut text may be narrower than it is long
		}
	}
	return s
}

// fixFor is the first fix a plan has for who, in one line, and how many more: "" when none.
func fixFor(p plan.Plan, who string) string {
	var first string
	n := 0
	for _, f := range p.Fixes {
		if f.Who != who {
			continue
		}
		if n == 0 {
			first = f.What
			if f.Blocked != "" {
				first = "Cannot be applied now: " + f.Blocked
			}
		}
		n++
	}
	if n > 1 {
		first += fmt.Sprintf(" (and %s)", words.Count(n-1, "more fix"))
	}
	return first
}
