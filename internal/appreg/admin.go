package appreg

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/auth"
	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/internal/graph"
)

// AdminSession is the administrator's sign-in that creates and repairs the app registration.
// It signs in with Microsoft's own Graph command line client (permissions.AdminClientID), asking for the
// Admin permissions of the table and nothing more, with a fresh prompt and MFA like every
// sign-in of this app. It lives in memory only: nothing of it is ever stored, and the app
// registration itself never needs the right to manage app registrations.
type AdminSession struct {
	cloud  cloud.Cloud
	hc     *http.Client
	auth   *auth.Authenticator
	scopes string
	tenant string // the signed-in administrator's tenant, once signed in
}

// NewAdminSession prepares the administrator's sign-in for the needs' Admin permissions.
// openURL and onLaunch are as in auth.Config: how the sign-in page is opened, and told about.
func NewAdminSession(c cloud.Cloud, n permissions.Needs, tenant string, openURL func(string) error, onLaunch func(auth.Launch)) (*AdminSession, error) {
	hc, err := c.HTTPClient()
	if err != nil {
		return nil, err
	}
	scopes := AdminScopes(n)
	a, err := auth.New(auth.Config{Cloud: c, ClientID: permissions.AdminClientID, Tenant: tenant, OpenURL: openURL, OnLaunch: onLaunch, SignInScope: scopes})
	if err != nil {
		return nil, err
	}
	return &AdminSession{cloud: c, hc: hc, auth: a, scopes: scopes}, nil
}

// AdminScopes are the Admin permissions as one scope parameter for Microsoft Graph.
func AdminScopes(n permissions.Needs) string {
	full := make([]string, len(n.Admin))
	for i, p := range n.Admin {
		full[i] = "https://graph.microsoft.com/" + p
	}
	return strings.Join(full, " ")
}

// SignIn signs the administrator in (a fresh sign-in, as for the technician). The result's
// verdict says whether the sign-in carried MFA; the caller decides what to do with a No.
func (s *AdminSession) SignIn(ctx context.Context, loginHint string) (auth.Result, error) {
	res, err := s.auth.SignIn(ctx, loginHint)
	var se *auth.SignInError
	if errors.As(err, &se) && needsAdminApproval(se.Code) {
		return res, &Problem{err: err,
			What: "Microsoft asks an administrator to approve \"Microsoft Graph Command Line Tools\" for these permissions first.",
			Why: "Your tenant does not let this account consent for Microsoft's Graph command line app, which the wizard signs in " +
				"with to manage app registrations (" + strings.ReplaceAll(AdminScopesNames(s.scopes), " ", ", ") + ").",
			Do: "Sign in as a Global Administrator, who can approve it on the sign-in page, or ask one to approve it in the Entra " +
				"admin center (Enterprise applications, Microsoft Graph Command Line Tools, Permissions). Then press Try again."}
	}
	if err != nil {
		return res, err
	}
	s.tenant = res.Claims.Tid
	return res, nil
}

// needsAdminApproval recognizes Entra's answers that an admin must consent first (AADSTS65001,
// 90094, 90095).
func needsAdminApproval(code string) bool {
	for _, c := range []string{"65001", "90094", "90095"} {
		if strings.HasSuffix(code, c) {
			return true
		}
	}
	return false
}

// AdminScopesNames turns AdminScopes back into the permission names, for a sentence.
func AdminScopesNames(scopes string) string {
	return strings.ReplaceAll(scopes, "https://graph.microsoft.com/", "")
}

// TenantID is the signed-in administrator's tenant: the partner tenant.
func (s *AdminSession) TenantID() string { return s.tenant }

// Graph is a Microsoft Graph client for the partner tenant with the administrator's sign-in.
func (s *AdminSession) Graph() *graph.Client {
	return graph.New(s.cloud.GraphURL, s.hc, s.auth.TokenSource("", s.scopes), graph.Options{})
}

// SecretCheck proves the app's secrets in the administrator's tenant.
func (s *AdminSession) SecretCheck() SecretCheck { return NewSecretCheck(s.cloud, s.tenant) }

// SignOut forgets the administrator's sign-in.
func (s *AdminSession) SignOut(ctx context.Context) { _ = s.auth.SignOut(ctx) }
