package sandboxtest

import (
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/appreg/permissions"
)

// The scopes are the permission table's for the wizards named, and only theirs.
func TestScopesComeFromThePermissionTable(t *testing.T) {
	gdap := Scopes(permissions.FeatureGDAP)
	for _, want := range []string{"User.Read", "DelegatedAdminRelationship.ReadWrite.All", "GroupMember.ReadWrite.All"} {
		if !strings.Contains(" "+gdap+" ", " "+want+" ") {
			t.Errorf("GDAP scopes %q lack %s", gdap, want)
		}
	}
	if strings.Contains(gdap, "Application.") || strings.Contains(gdap, "UserAuthenticationMethod") {
		t.Errorf("GDAP scopes %q hold another wizard's permissions", gdap)
	}
	both := Scopes(permissions.FeatureGDAP, permissions.FeatureAuthenticator)
	if !strings.Contains(" "+both+" ", " UserAuthenticationMethod.ReadWrite ") || len(both) <= len(gdap) {
		t.Errorf("GDAP and Authenticator scopes %q", both)
	}
	if Scopes() != "" {
		t.Error("no wizard, no permission")
	}
}
