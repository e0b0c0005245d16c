package authmethods

import (
	"bytes"
	"strings"
	"testing"
)

// The command line's table says what the wizard in the app does with each user: a user it
// ticks is switched ("yes"), an admin it can switch but leaves unticked only if ticked by hand
// ("if ticked (admin)"), and one it cannot switch "no". It used to say "yes (admin)" for an admin
// the wizard leaves alone.
func TestWriteTableSaysWhatTheWizardDoes(t *testing.T) {
	r := Report{Tenant: "Proseware", Check: ReportCheck{OK: true}, NeedAttention: 3, Users: []ReportUser{
		{Name: "Pat", UPN: "pat@proseware.com", Group: "Default is not Authenticator", CanSwitch: true, Ticked: true},
		{Name: "Dana", UPN: "dana@proseware.com", Group: "Default is not Authenticator", CanSwitch: true, Admin: true},
		{Name: "Kim", UPN: "kim@proseware.com", Group: "Authenticator not set up"},
		{Name: "Lee", UPN: "lee@proseware.com", Group: "Default is not Authenticator", Admin: true},
	}}
	var b bytes.Buffer
	if err := WriteTable(&b, r); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"pat@proseware.com": "yes", "dana@proseware.com": "if ticked (admin)", "kim@proseware.com": "no", "lee@proseware.com": "no (admin)"}
	for _, line := range strings.Split(b.String(), "\n") {
		for upn, can := range want {
			if strings.Contains(line, upn) && !strings.HasSuffix(strings.TrimSpace(line), "  "+can) {
				t.Errorf("%s: %q, want it to end %q", upn, line, can)
			}
		}
	}
	if strings.Contains(b.String(), "yes (admin)") {
		t.Errorf("an admin is shown as switched:\n%s", b.String())
	}
}
