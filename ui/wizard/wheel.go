package wizard

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Wheel makes the mouse wheel scroll the page over the fields a person types into.
//
// Fyne hands a wheel event to the deepest scrollable object under the pointer, and a text field
// (widget.Entry, one line or several) holds a scroll of its own: over a field, the wheel moved
// the field, not the page, and the page stopped under the pointer. Field lays a thin forwarder
// over the field that is scrollable and nothing else: Fyne finds it after the field (so it wins
// the wheel), and passes it on to the page's scroll; clicks, typing, selecting and the pointer's
// shape still go to the field, since the forwarder takes none of them.
//
// A multi-line field hands the wheel to the page too, even when its text is taller than it: the
// wheel means "move the page" everywhere on a page, and the cursor keys move through a long text.
//
// A page keeps one Wheel (its zero value is ready), wraps each field with Field, and gives it to
// its wizard in Config.Wheel; New points it at the wizard's body. A page outside a wizard may
// point it at its own scroll with Scrolls.
type Wheel struct {
	target fyne.Scrollable
}

// Scrolls makes the wheel over the fields scroll s.
func (wh *Wheel) Scrolls(s fyne.Scrollable) { wh.target = s }

// Field is the field with the wheel over it handed to the page. A nil Wheel (a form outside
// any page) leaves the field as it is.
func (wh *Wheel) Field(field fyne.CanvasObject) fyne.CanvasObject {
	if wh == nil {
		return field
	}
	f := &wheelForwarder{wheel: wh}
	f.ExtendBaseWidget(f)
	return container.NewStack(field, f) // later in Fyne's walk than the field's own scroll
}

// wheelForwarder is scrollable, and nothing else: not tappable, focusable, hoverable nor
// draggable, so that everything but the wheel reaches the field beneath.
type wheelForwarder struct {
	widget.BaseWidget
	wheel *Wheel
}

var _ fyne.Scrollable = (*wheelForwarder)(nil)

func (f *wheelForwarder) Scrolled(ev *fyne.ScrollEvent) {
	if f.wheel != nil && f.wheel.target != nil {
		f.wheel.target.Scrolled(ev)
	}
}

func (f *wheelForwarder) MinSize() fyne.Size { return fyne.NewSize(0, 0) }

func (f *wheelForwarder) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewWithoutLayout())
}
