package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/onboard365/onboard365/internal/cloud"
)

// TestPagesUseAWideWindow: on a window 1600 pixels wide, Home, Onboard a customer and Settings
// take the same width as the GDAP page, not a column with a strip left empty on the right.
func TestPagesUseAWideWindow(t *testing.T) {
	all := Services{SignIn: &fakeSignIn{}, AppRegistration: &fakeAppReg{}, GDAP: &fakeGDAP{}, Onboard: quietOnboard{},
		Troubleshoot: &fakeTroubleshoot{}, Keychain: &fakeKeychain{}}
	s, win, _ := newShell(t, Options{Cloud: cloud.Public(), Services: all})
	win.Resize(fyne.NewSize(1600, 900))
	width := func(page string) float32 {
		s.Show(page)
		win.Resize(fyne.NewSize(1600, 900))
		for _, o := range visible(win.Content()) {
			if c, ok := o.(*fyne.Container); ok {
				if _, bounded := c.Layout.(maxWidthLayout); bounded && len(c.Objects) == 1 {
					return c.Objects[0].Size().Width
				}
			}
		}
		t.Fatalf("the page %q has no width bound", page)
		return 0
	}
	gdap := width(PageGDAP)
	for _, page := range []string{PageHome, PageOnboard, PageSettings} {
		if got := width(page); got != gdap {
			t.Errorf("on a window 1600 pixels wide the page %q is %v wide, the GDAP page %v", page, got, gdap)
		}
	}
}

// quietOnboard is an Onboard service with no customers, no templates and nothing sent: enough to
// draw the page's first step. Its other methods are not called there.
type quietOnboard struct{ Onboard }

func (quietOnboard) Customers(context.Context) ([]OnboardCustomer, error) { return nil, nil }
func (quietOnboard) Templates() []Template                                { return nil }
func (quietOnboard) Roles() []RoleChoice                                  { return nil }
func (quietOnboard) Invitations() ([]Invitation, error)                   { return nil, nil }
