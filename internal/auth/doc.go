// Package auth signs a technician in to the partner tenant with a fresh MFA sign-in, checks
// that the sign-in really carries MFA, gives a plain Yes/No verdict, and then hands out tokens
// for customer tenants (GDAP) by redeeming the sign-in's refresh token silently.
//
// It wraps MSAL Go's public client (github.com/AzureAD/microsoft-authentication-library-for-go):
//
//   - SignIn runs MSAL's interactive flow (authorization code with PKCE, the result posted back
//     to a loopback listener) with prompt=login ALWAYS, so the browser cannot answer from an
//     earlier session whose MFA is stale or absent, and opens the sign-in page in a private
//     (InPrivate, incognito) window of the user's browser where it can (PrivateBrowser). The
//     listener is the app's own (loopback.go): it holds its port on every loopback address, and
//     only the answer carrying the sign-in's state can end the sign-in.
//   - SignInWithDeviceCode is the fallback where no browser can be opened on this computer.
//   - ParseClaims and Check read the access token (without verifying it: it is ours, just
//     received from the token endpoint over TLS) and decide: amr has "mfa" (an amr with "ngcmfa"
//     and not "mfa" is left to Partner Center's answer), tid is the partner tenant, the account
//     is the one asked for.
//   - CheckPartnerCenter proves it live: Partner Center refuses an App+User token without MFA
//     with 401, and a tenant that is not a partner tenant with 403. ConfirmSignIn makes its
//     answer part of the verdict (Confirm): a sign-in is YES, and Keepable, only when Partner
//     Center accepts it (or, when Partner Center cannot be reached, for the partner tenant
//     pinned before).
//   - InspectPasted judges a token pasted from another tool: it cannot check the signature, and
//     says so; it flags unsigned (alg none), expired and other-audience tokens.
//   - Token and TokenSource redeem the refresh token for a customer tenant
//     (AcquireTokenSilent with WithTenantID) and turn Entra's refusals into plain sentences.
//
// # What is stored, and when
//
// Nothing is stored before the verdict passes. SignIn persists nothing itself: MSAL hands its
// serialized cache (with the refresh token) to Config.Cache, the vault, which keeps it in memory
// only. The caller decides:
//
//	res, err := a.SignIn(ctx, upn)
//	if err != nil { show(err); vault.Discard(); return }
//	res, pcErr := a.ConfirmSignIn(ctx, nil, keptTenant)
//	if res.Verdict.Compliant && a.Keepable() == nil {
//		vault.Flush()   // now, and only now, the sign-in goes to the OS keychain
//	} else {
//		vault.Discard() // a sign-in without a YES is never written anywhere
//		show(res.Verdict.Reasons, pcErr)
//	}
//
// The signed-in account stays in memory for this run either way, so that CheckPartnerCenter can
// show what Partner Center says about a non-compliant sign-in. SignOut forgets it.
//
// # Errors
//
// Every error a person can see is a plain sentence: what happened, why, what to do
// (*SignInError, *TokenError, *PartnerCenterError, all built on internal/explain). MSAL's own
// error texts are never passed on: they can hold the token endpoint's whole answer, so only the
// AADSTS code is kept from them. No token, refresh token or authorization code appears in an
// error message, a log line or a panic.
package auth
