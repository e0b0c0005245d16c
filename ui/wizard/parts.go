package wizard

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
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

// Copyable shows a text to pass on (an approval link, a message, a sign-in address) with a
// label above it and a Copy button beside it. The text is a selectable label on a tinted panel,
// not a text field: a field would take the mouse wheel from the page (it scrolls itself), and
// nothing here is for typing. A link or an address breaks anywhere (it has no spaces); a message
// wraps at words.
func Copyable(label, text string) fyne.CanvasObject {
	return copyable(label, "Copy", text)
}

// Address is a web address the person may open by hand, with a "Copy the address" button: where
// a sign-in opened when no browser could be, or the page of a device code.
func Address(label, url string) fyne.CanvasObject {
	return copyable(label, "Copy the address", url)
}

func copyable(label, button, text string) fyne.CanvasObject {
	shown := widget.NewLabel(text)
	shown.Selectable = true
	shown.Wrapping = fyne.TextWrapWord
	if !strings.ContainsAny(strings.TrimSpace(text), " \n") {
		shown.Wrapping = fyne.TextWrapBreak
		shown.TextStyle = fyne.TextStyle{Monospace: true}
	}
	copyButton := widget.NewButtonWithIcon(button, theme.ContentCopyIcon(), func() {
		fyne.CurrentApp().Clipboard().SetContent(text)
	})
	panel := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	panel.CornerRadius = theme.Size(theme.SizeNameInputRadius)
	row := container.NewBorder(nil, nil, nil, container.NewVBox(copyButton), container.NewStack(panel, shown))
	if label == "" {
		return row
	}
	return container.NewVBox(widget.NewLabel(label), row)
}
