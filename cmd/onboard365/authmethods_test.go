package main

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/authmethods"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/sandbox"
	"github.com/onboard365/onboard365/ui"
	"github.com/onboard365/onboard365/ui/screenshot"
)

// tenantTokens issues the technician's tokens for one tenant, once.
type tenantTokens struct {
	s      *sandbox.Server
	tenant string
	once   sync.Once
	tok    string
	err    error
}

func (t *tenantTokens) Token(context.Context) (string, error) {
	t.once.Do(func() {
		t.tok, t.err = t.s.IssueToken(sandbox.TokenRequest{UPN: "alex@contosopartners.onmicrosoft.com", Tenant: t.tenant,
			Audience: "https://graph.microsoft.com", Consented: true})
	})
	return t.tok, t.err
}

// sandboxAuthService is the page's service on a sandbox, as the technician.
func sandboxAuthService(t *testing.T) (*sandbox.Server, *authService, func(tenant string) *graph.Client) {
	t.Helper()
	s, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	hc, err := s.Cloud().HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	client := func(tenant string) *graph.Client {
		return graph.New(s.Cloud().GraphURL, hc, &tenantTokens{s: s, tenant: tenant}, graph.Options{})
	}
	return s, newAuthService(func(_ context.Context, tenant string) (*graph.Client, error) { return client(tenant), nil }), client
}

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
	s, svc, client := sandboxAuthService(t)
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

	var instructions bytes.Buffer
	if err := svc.ExportInstructions(&instructions); err != nil || strings.Count(instructions.String(), "<section>") != 3 ||
		!strings.Contains(instructions.String(), "For Kim Larsen (kim@proseware.onmicrosoft.com)") {
		t.Errorf("printable instructions for Kim, Sasha and Robin: %v\n%s", err, instructions.String())
	}

	tapButton(t, win, "Review the changes")
	mustSay(t, win, "2 users in Proseware will default to a Microsoft Authenticator notification.",
		"Pat Fernandez (pat@proseware.onmicrosoft.com): the default changes from a text message to a Microsoft Authenticator notification",
		"Sam Okafor (sam@proseware.onmicrosoft.com): the default changes from a text message")
	tapButton(t, win, "Apply the changes")
	waitStep()
	mustSay(t, win, "2 of 2 users switched. Read again, 2 now default to a Microsoft Authenticator notification.",
		"Pat Fernandez: Done: it now defaults to a Microsoft Authenticator notification.")

	// What Microsoft (the sandbox) holds now, read without the page.
	tid := ""
	tenants, _ := svc.Tenants(context.Background())
	for _, tn := range tenants {
		if tn.Name == "Proseware" {
			tid = tn.ID
		}
	}
	regs, err := authmethods.Read(context.Background(), client(tid), nil)
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
	mustSay(t, win, "Step 1 of 4: Choose the tenant", "Lamna Healthcare has no Microsoft Entra ID P1 licence.")
}

// TestAuthenticatorServiceFindsNamedUsers is the ticket case on the sandbox: names typed, each bad
// one a sentence, Sasha (who set up Authenticator after the report was made) switchable.
func TestAuthenticatorServiceFindsNamedUsers(t *testing.T) {
	_, svc, _ := sandboxAuthService(t)
	ctx := context.Background()
	tenants, err := svc.Tenants(ctx)
	if err != nil || len(tenants) != 13 || tenants[0].Name != partnerName {
		t.Fatalf("tenants: %v %v", tenants, err)
	}
	var proseware string
	for _, tn := range tenants {
		if tn.Name == "Proseware" {
			proseware = tn.ID
		}
	}
	list, err := svc.FindUsers(ctx, proseware, "sasha@proseware.onmicrosoft.com\nnobody@proseware.onmicrosoft.com, Kim")
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Users) != 1 || !list.Users[0].CanFix || !list.Users[0].Ticked || len(list.Problems) != 2 ||
		!strings.Contains(list.Problems[0], `"Kim" is not a sign-in name`) || !strings.Contains(list.Problems[1], "Nobody signs in as nobody@") {
		t.Fatalf("list: %+v", list)
	}
	out := svc.Apply(ctx, []string{list.Users[0].ID}, nil)
	if len(out) != 1 || !out[0].Done || !out[0].NowPush {
		t.Fatalf("apply: %+v", out)
	}
	if _, err := svc.FindUsers(ctx, proseware, "just words"); err == nil {
		t.Error("text without a sign-in name must be refused with a sentence")
	}
	if !strings.Contains(svc.Instructions(), "your Proseware account") {
		t.Errorf("instructions: %s", svc.Instructions())
	}
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
			var r AuthenticatorReport
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

// TestAuthenticatorServiceWithTheAppsOwnSignIn signs in to the sandbox the way the window does and
// runs the page's service on the tokens that sign-in gives: the app's consented permissions must
// reach the licences, the report and the sign-in preferences of a customer.
func TestAuthenticatorServiceWithTheAppsOwnSignIn(t *testing.T) {
	s, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, err := newAccount(s.Cloud(), &keychainInMemory{items: map[string]string{}}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = a.Interactive(ctx, "", func(l ui.Launch) {
		if l.InApp == nil {
			t.Error("the sandbox's sign-in is not in the app")
			return
		}
		go func() {
			if err := l.InApp(ctx, "alex@contosopartners.onmicrosoft.com", "sandbox", true); err != nil {
				t.Errorf("sign in: %v", err)
			}
		}()
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := a.services().Authenticator
	tenants, err := svc.Tenants(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var proseware string
	for _, tn := range tenants {
		if tn.Name == "Proseware" {
			proseware = tn.ID
		}
	}
	check, err := svc.Check(ctx, proseware)
	if err != nil || !check.OK {
		t.Fatalf("check: %+v %v", check, err)
	}
	list, err := svc.ReadUsers(ctx, proseware, nil)
	if err != nil || len(list.Users) != 10 {
		t.Fatalf("read: %d users, %v", len(list.Users), err)
	}
	var ids []string
	for _, u := range list.Users {
		if u.Ticked {
			ids = append(ids, u.ID)
		}
	}
	for _, o := range svc.Apply(ctx, ids, nil) {
		if !o.Done || !o.NowPush {
			t.Errorf("%s: %s", o.Name, o.Sentence)
		}
	}
	if len(ids) != 2 {
		t.Errorf("%d users ticked, want Pat and Sam", len(ids))
	}
	// The partner's own tenant: no GDAP, the technician's own admin roles.
	if check, err := svc.Check(ctx, ""); err != nil || !check.OK {
		t.Errorf("partner tenant check: %+v %v", check, err)
	}
	if _, err := svc.ReadUsers(ctx, "", nil); err != nil {
		t.Errorf("partner tenant read: %v", err)
	}
}
