package main

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/authmethods"
	"github.com/onboard365/onboard365/internal/sandbox"
	"github.com/onboard365/onboard365/ui"
	"github.com/onboard365/onboard365/ui/screenshot"
)

// The window, driven headless from this package.

// visibleObjects is every object a person can see in the tree under o.
func visibleObjects(o fyne.CanvasObject) []fyne.CanvasObject { return screenshot.Visible(o) }

// asButton finds the button in o: a widget.Button, or a widget of the app's own that embeds one
// (a wizard's Back and Next).
func asButton(o fyne.CanvasObject) (text string, tap fyne.Tappable, ok bool) {
	if b, ok := o.(*widget.Button); ok {
		return b.Text, b, true
	}
	v := reflect.ValueOf(o)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return "", nil, false
	}
	f := v.Elem().FieldByName("Button")
	tap, isTap := o.(fyne.Tappable)
	if !f.IsValid() || f.Type() != reflect.TypeOf(widget.Button{}) || !isTap {
		return "", nil, false
	}
	return f.Addr().Interface().(*widget.Button).Text, tap, true
}

func windowText(win fyne.Window) string {
	var b strings.Builder
	for _, o := range visibleObjects(win.Content()) {
		if w, ok := o.(*widget.Label); ok {
			b.WriteString(w.Text + "\n")
		} else if text, _, ok := asButton(o); ok {
			b.WriteString("[" + text + "]\n")
		}
	}
	return b.String()
}

func tapButton(t *testing.T, win fyne.Window, text string) {
	t.Helper()
	for _, o := range visibleObjects(win.Content()) {
		if got, tap, ok := asButton(o); ok && got == text {
			test.Tap(tap)
			return
		}
	}
	t.Fatalf("no button %q in:\n%s", text, windowText(win))
}

func chooseTenant(t *testing.T, win fyne.Window, name string) {
	t.Helper()
	for _, o := range visibleObjects(win.Content()) {
		if sel, ok := o.(*widget.Select); ok && sel.PlaceHolder == "Choose a customer, or your partner tenant" {
			sel.SetSelected(name)
			return
		}
	}
	t.Fatalf("no tenant drop-down in:\n%s", windowText(win))
}

func mustSay(t *testing.T, win fyne.Window, wants ...string) {
	t.Helper()
	got := windowText(win)
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("the page does not say %q:\n%s", w, got)
		}
	}
}

// TestAuthenticatorPageOnTheSandbox walks the page headless on the sandbox scenario: Proseware's
// text-message users are found and sorted, exactly the fixable ones are switched, the others are
// left alone, and reading again shows push; Lamna Healthcare stops at the first step.
func TestAuthenticatorPageOnTheSandbox(t *testing.T) {
	s, a := onSandbox(t, sandbox.Options{})
	svc := app.NewAuthenticator(a)
	w := newWalker(t, ui.Options{Cloud: s.Cloud(), Services: ui.Services{Authenticator: svc}})
	shell, win, settle, waitStep := w.shell, w.win, w.idle, w.workDone

	shell.Show(ui.PageAuthenticator)
	settle() // the customers
	chooseTenant(t, win, "Proseware")
	settle() // the checks
	mustSay(t, win, "Ready: Proseware passed the checks.", "Admins' default method needs Privileged Authentication Administrator")

	tapButton(t, win, "Read the users")
	waitStep()
	mustSay(t, win,
		"Proseware: 10 users. Default is not Authenticator: 3; System-preferred MFA decides: 1; Authenticator not set up: 2; No sign-in method set up: 1; Guests: 1; Already Authenticator: 2.",
		"Pat Fernandez", "Sam Okafor", "Dana Whitfield (IT manager)", "Admin", "Jo Weber", "Kim Larsen", "Robin Moss (new starter)",
		"Chris Doe (guest from Fabrikam)", "3 of these users must set up Microsoft Authenticator themselves", "2 users ticked.")

	tapButton(t, win, "Review the changes")
	mustSay(t, win, "2 users in Proseware will default to a Microsoft Authenticator notification.",
		"Pat Fernandez (pat@proseware.onmicrosoft.com): the default changes from a text message to a Microsoft Authenticator notification",
		"Sam Okafor (sam@proseware.onmicrosoft.com): the default changes from a text message")
	tapButton(t, win, "Apply the changes")
	waitStep()
	mustSay(t, win, "2 of 2 users switched. Read again, 2 now default to a Microsoft Authenticator notification.",
		"Pat Fernandez: Done: this user now defaults to a Microsoft Authenticator notification.")

	// What Microsoft (the sandbox) holds now, read without the page.
	tid := ""
	tenants, _ := svc.Tenants(context.Background())
	for _, tn := range tenants {
		if tn.Name == "Proseware" {
			tid = tn.ID
		}
	}
	c, err := a.Graph(context.Background(), tid)
	if err != nil {
		t.Fatal(err)
	}
	regs, err := authmethods.Read(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"pat": "push", "sam": "push", "kim": "sms", "jo": "sms", "dana": "sms", "sasha": "sms", "admin": "push", "reception": "push", "robin": "none"}
	for _, r := range regs {
		short := strings.SplitN(r.UserPrincipalName, "@", 2)[0]
		if w, ok := want[short]; ok && r.Preferred != w {
			t.Errorf("%s defaults to %s, want %s", short, r.Preferred, w)
		}
	}

	// Lamna Healthcare has no Entra ID P1: the wizard stops at step 1 and says why.
	tapButton(t, win, "Finish")
	tapButton(t, win, "Start again")
	chooseTenant(t, win, "Lamna Healthcare")
	settle()
	tapButton(t, win, "Read the users")
	mustSay(t, win, "Step 1 of 5: Choose the tenant", "Lamna Healthcare has no Microsoft Entra ID P1 licence.")
}

// TestCheckAuthenticatorOnTheSandbox runs "onboard365 check authenticator" on the sandbox: a
// table and JSON for Proseware (exit 1: users to switch), the reason for Lamna Healthcare, exit 0
// for Fabrikam, and usage errors.
func TestCheckAuthenticatorOnTheSandbox(t *testing.T) {
	tests := []struct {
		args  []string
		code  int
		check func(t *testing.T, out, errOut string)
	}{
		{[]string{"--customer", "proseware"}, exitProblem, func(t *testing.T, out, _ string) {
			for _, want := range []string{"Authenticator default method in Proseware", "10 users. Default is not Authenticator: 3;",
				"GROUP", "pat@proseware.onmicrosoft.com", "no (admin)", "Kim Larsen: Defaults to a text message and has not set up Microsoft Authenticator"} {
				if !strings.Contains(out, want) {
					t.Errorf("the table lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "reception@") {
				t.Error("users who need nothing are not listed")
			}
		}},
		{[]string{"--customer", "Proseware", "--format", "json", "--user", "sasha@proseware.onmicrosoft.com, x@proseware.onmicrosoft.com"}, exitProblem, func(t *testing.T, out, _ string) {
			var r authmethods.Report
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("not a report: %v\n%s", err, out)
			}
			if r.Tenant != "Proseware" || !r.Check.OK || r.NeedAttention != 1 || len(r.Users) != 1 || !r.Users[0].CanSwitch ||
				len(r.Problems) != 1 || !strings.Contains(out, `"needsGdap": false`) {
				t.Errorf("report %+v", r)
			}
		}},
		{[]string{"--customer", "Lamna Healthcare"}, exitProblem, func(t *testing.T, out, _ string) {
			if !strings.Contains(out, "Stopped: Lamna Healthcare has no Microsoft Entra ID P1 licence.") {
				t.Errorf("no reason:\n%s", out)
			}
		}},
		{[]string{"--customer", "Fabrikam"}, exitAllPass, func(t *testing.T, out, _ string) {
			if !strings.Contains(out, "Every user already defaults to a Microsoft Authenticator notification.") {
				t.Errorf("no verdict:\n%s", out)
			}
		}},
		{[]string{"--customer", "Nobody Inc"}, exitProblem, func(t *testing.T, _, errOut string) {
			if !strings.Contains(errOut, `You have no customer called "Nobody Inc". Your customers are "Adatum Corporation"`) {
				t.Errorf("stderr: %s", errOut)
			}
		}},
		{[]string{}, exitUsage, func(t *testing.T, _, errOut string) {
			if !strings.Contains(errOut, "--customer NAME") {
				t.Errorf("stderr: %s", errOut)
			}
		}},
		{[]string{"--customer", "Proseware", "--format", "csv"}, exitUsage, nil},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			args := append([]string{"check", "authenticator"}, tt.args...)
			if len(tt.args) > 0 {
				args = append(args, "--sandbox")
			}
			if code := run(args, &out, &errOut); code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out.String(), errOut.String())
			}
			if tt.check != nil {
				tt.check(t, out.String(), errOut.String())
			}
		})
	}
}
