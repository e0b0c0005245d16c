package ui

import (
	"image/color"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/ui/wizard"
)

// Small building blocks shared by the pages, so that every page has the same look.

func heading(text string) fyne.CanvasObject {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameHeadingText
	l.Wrapping = fyne.TextWrapWord
	return l
}

// The widgets the shared wizard steps are built of, so that every page has their look.
var (
	subheading = wizard.Subheading
	paragraph  = wizard.Paragraph
	withIcon   = wizard.WithIcon
)

// card draws its content on a lightly tinted panel with an accent colour along the left edge.
func card(accent fyne.ThemeColorName, icon fyne.CanvasObject, content ...fyne.CanvasObject) fyne.CanvasObject {
	tint := canvas.NewRectangle(withAlpha(theme.Color(accent), 0x22))
	tint.CornerRadius = theme.Size(theme.SizeNameInputRadius)
	edge := canvas.NewRectangle(theme.Color(accent))
	edge.SetMinSize(fyne.NewSize(4, 4))
	body := container.NewBorder(nil, nil, container.NewVBox(icon), nil, container.NewVBox(content...))
	return container.NewStack(tint, container.NewBorder(nil, nil, edge, nil, container.NewPadded(body)))
}

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

// problemLine is a problem said in the colour of one, with its icon, and what to do about it
// here (a sign-in in a page, not on the Sign in page, must not send the person elsewhere).
func problemLine(sentence, here string) fyne.CanvasObject {
	text := strings.TrimSpace(sentence + " " + here)
	l := paragraph(text)
	l.Importance = widget.DangerImportance
	return container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(theme.ErrorIcon())), nil, l)
}

// noteLine is a sentence that is not a problem (there is nothing to fix, nothing to do here):
// said with an information icon, in the page's own colour.
func noteLine(sentence string) fyne.CanvasObject {
	return withIcon(theme.InfoIcon(), sentence)
}

// readableWidth is the widest a page's text runs; longer lines are hard to read on a wide window.
const readableWidth = 880

// readable keeps a page at a comfortable line length on wide windows, aligned to the left.
func readable(page fyne.CanvasObject) fyne.CanvasObject {
	return container.New(maxWidthLayout{readableWidth}, page)
}

// wideWidth is the widest a page with a wizard or a table runs (every task, Home, Settings):
// its tables use the width of a wide window (a column of a customer table holds more of its
// line), its wizard's buttons sit at the window's right edge, and its paragraphs stay readable
// up to it. 1,700 fills a maximised window on a 1,920-pixel screen beside the task list.
const wideWidth = 1700

// wide takes the window's width up to wideWidth.
func wide(page fyne.CanvasObject) fyne.CanvasObject {
	return container.New(maxWidthLayout{wideWidth}, page)
}

type maxWidthLayout struct{ width float32 }

func (l maxWidthLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	w := min(size.Width, l.width)
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(fyne.NewSize(w, size.Height))
	}
}

func (l maxWidthLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objects {
		s = s.Max(o.MinSize())
	}
	return s
}

// folderOf is the folder a saved file is in, as a person reads a path.
func folderOf(u fyne.URI) string {
	if p, err := storage.Parent(u); err == nil && p.Path() != "" {
		return p.Path()
	}
	return "the folder you chose"
}

// exportButtons offer to save a task's last result as CSV or a printable HTML report, in files
// named name.csv and name.html unless the person chooses otherwise.
func exportButtons(s *Shell, export func(format string, w io.Writer) error, name string) fyne.CanvasObject {
	save := func(format string) func() {
		return func() {
			win := s.window()
			if win == nil {
				return
			}
			d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
				if err != nil || w == nil {
					return
				}
				err = export(format, w)
				if cerr := w.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					dialog.ShowInformation("The report was not saved", explain.Sentence(err), win)
					return
				}
				what := "The report is saved"
				if format == "csv" {
					what = "The table is saved"
				}
				dialog.ShowInformation("Saved", what+" as "+w.URI().Name()+", in "+folderOf(w.URI())+".", win)
			}, win)
			d.SetFileName(name + "." + format)
			d.Show()
		}
	}
	return container.NewHBox(
		widget.NewButtonWithIcon("Export CSV", theme.DocumentSaveIcon(), save("csv")),
		widget.NewButtonWithIcon("Export report", theme.DocumentPrintIcon(), save("html")),
	)
}
