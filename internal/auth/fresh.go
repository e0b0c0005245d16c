package auth

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// FreshToken is Token without MSAL's cache of access tokens: it always redeems the refresh token,
// so the token it returns carries what Entra grants now (the App registration wizard checks a
// customer's consent this way right after changing it). It asks, as a Conditional Access
// evaluation claims challenge does, for a token issued no earlier than now: MSAL skips its cache
// for any request with claims.
func (a *Authenticator) FreshToken(ctx context.Context, tenantID, scope string) (string, error) {
	tenantID = strings.TrimSpace(tenantID)
	acct, ok := a.Account()
	if !ok {
		return "", &TokenError{Tenant: tenantID, Explained: notSignedIn}
	}
	claims := `{"access_token":{"nbf":{"essential":true,"value":"` + strconv.FormatInt(time.Now().Unix(), 10) + `"}}}`
	opts := []public.AcquireSilentOption{public.WithSilentAccount(acct), public.WithClaims(claims)}
	if tenantID != "" {
		opts = append(opts, public.WithTenantID(tenantID))
	}
	res, err := a.client.AcquireTokenSilent(ctx, strings.Fields(scope), opts...)
	if err != nil {
		return "", tokenFailure(ctx, tenantID, err)
	}
	return res.AccessToken, nil
}
