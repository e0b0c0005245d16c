package wizard

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The few widgets every page and the shared steps are built of, so that all look alike.

// Paragraph is text that wraps at the page's width.
func Paragraph(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// Subheading is a bold heading inside a step.
func Subheading(text string) fyne.CanvasObject {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	l.Wrapping = fyne.TextWrapWord
	return l
}

// WithIcon is a paragraph with an icon on its left.
func WithIcon(icon fyne.Resource, text string) fyne.CanvasObject {
	return container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(icon)), nil, Paragraph(text))
}

// Copyable shows a text with a label above it and a Copy button beside it.
func Copyable(label, text string) fyne.CanvasObject {
	entry := widget.NewMultiLineEntry()
	entry.SetText(text)
	if strings.Contains(text, "\n") {
		entry.Wrapping = fyne.TextWrapWord // a single line cannot wrap (Fyne says so in its log)
	} else {
		entry.MultiLine = false
	}
	copyButton := widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
		fyne.CurrentApp().Clipboard().SetContent(text)
	})
	return container.NewVBox(widget.NewLabel(label), container.NewBorder(nil, nil, nil, copyButton, entry))
}
