package sandbox

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The device code flow: the device authorization request, the page where the code is typed, and
// the token endpoint's redemption of the code. Part of the simulated identity platform (identity.go).

func (id *identity) deviceCode(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		id.writeOAuthError(w, r, &oauthError{err: "invalid_request", code: 900144, text: "The request body is not a valid form."})
		return
	}
	ref, ok := id.resolveTenant(r)
	if !ok {
		id.writeOAuthError(w, r, errUnknownTenant(ref.path))
		return
	}
	clientID := r.PostFormValue("client_id")
	app, ok := id.lookupApp(clientID)
	if !ok {
		id.writeOAuthError(w, r, errUnknownApp(clientID, ref.path))
		return
	}
	scopes := strings.Fields(r.PostFormValue("scope"))
	if len(scopes) == 0 {
		id.writeOAuthError(w, r, &oauthError{err: "invalid_request", code: 900144, text: "The request body must contain the following parameter: 'scope'."})
		return
	}
	if _, e := parseScopes(scopes); e != nil {
		id.writeOAuthError(w, r, e)
		return
	}
	now := id.s.world.now()
	d := &deviceAuth{deviceCode: randomToken(48), userCode: userCode(), appID: app.appID, tenantPath: ref.path,
		targetID: ref.id(), scopes: scopes, expires: now.Add(deviceCodeLifetime)}
	id.mu.Lock()
	id.pruneLocked(now)
	id.devices[d.deviceCode] = d
	id.mu.Unlock()
	verify := id.s.base + "/common/oauth2/deviceauth"
	writeJSON(w, http.StatusOK, map[string]any{
		"user_code":        d.userCode,
		"device_code":      d.deviceCode,
		"verification_uri": verify,
		"expires_in":       int(deviceCodeLifetime / time.Second),
		"interval":         deviceInterval,
		"message":          fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.", verify, d.userCode),
	})
}

// userCode is eight capital letters, without the ones easily misread (I, L, O).
func userCode() string {
	const letters = "ABCDEFGHJKMNPQRSTUVWXYZ"
	var b [8]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return string(b[:])
}

func (id *identity) devicePage(w http.ResponseWriter, r *http.Request) {
	renderPage(w, http.StatusOK, "", pageDevice, devicePageData{Action: "/" + url.PathEscape(r.PathValue("tenant")) + "/oauth2/deviceauth"})
}

// deviceCodeEntered checks the code typed on the device page and starts the sign-in for it.
func (id *identity) deviceCodeEntered(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	typed := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(r.PostFormValue("otc")))
	now := id.s.world.now()
	var found *deviceAuth
	id.mu.Lock()
	for _, d := range id.devices {
		if typed != "" && subtle.ConstantTimeCompare([]byte(d.userCode), []byte(typed)) == 1 && d.status == devicePending && now.Before(d.expires) {
			found = d
		}
	}
	var f *signInFlow
	if found != nil {
		f = &signInFlow{id: randomToken(18), kind: flowDevice, tenantPath: found.tenantPath, targetID: found.targetID,
			appID: found.appID, deviceCode: found.deviceCode, scopes: found.scopes, created: now}
	}
	id.mu.Unlock()
	if f == nil {
		renderPage(w, http.StatusOK, "", pageDevice, devicePageData{
			Action: "/" + url.PathEscape(r.PathValue("tenant")) + "/oauth2/deviceauth",
			Error:  "That code didn’t work. Check the code and try again: it is shown by the app, and it expires after 15 minutes.",
		})
		return
	}
	if app, ok := id.lookupApp(f.appID); ok {
		f.appName = app.name
	}
	id.saveFlow(f)
	id.renderSignIn(w, http.StatusOK, f, "", "", 0)
}

// ---------------------------------------------------------------------------------------------
// Redeeming a device code at the token endpoint

func (id *identity) redeemDeviceCode(r *http.Request, ref tenantRef, app appInfo) (map[string]any, *oauthError) {
	if !app.publicClient {
		return nil, &oauthError{status: http.StatusUnauthorized, err: "invalid_client", code: 7000218,
			text: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'. (Allow public client flows is off for this app registration.)"}
	}
	code := r.PostFormValue("device_code")
	now := id.s.world.now()
	id.mu.Lock()
	d := id.devices[code]
	var (
		status deviceStatus
		g      grant
		d2     deviceAuth
	)
	if d != nil {
		d2 = *d
		status, g = d.status, d.grant
		if status == deviceApproved && now.Before(d.expires) && strings.EqualFold(d.appID, app.appID) {
			d.status = deviceRedeemed
		}
	}
	id.mu.Unlock()
	switch {
	case d == nil || code == "":
		return nil, &oauthError{err: "invalid_grant", code: 70000, text: "The provided value for the input parameter 'device_code' is not valid."}
	case !strings.EqualFold(d2.appID, app.appID):
		return nil, &oauthError{err: "invalid_grant", code: 70000, text: "The device code was issued to a different client."}
	case !now.Before(d2.expires):
		return nil, &oauthError{err: "expired_token", code: 70020, text: "The provided value for the input parameter 'device_code' is not valid. This device code has expired."}
	case status == devicePending:
		return nil, &oauthError{err: "authorization_pending", code: 70016, text: "The provided request has not yet been authorized by the user. The user must input their code."}
	case status == deviceDeclined:
		return nil, &oauthError{err: "authorization_declined", code: 70000, text: "The user declined the sign-in request."}
	case status == deviceRedeemed:
		return nil, &oauthError{err: "invalid_grant", code: 54005, text: "The device code was already redeemed. Start a new sign-in."}
	}
	scopes := strings.Fields(r.PostFormValue("scope"))
	if len(scopes) == 0 {
		scopes = d2.scopes
	}
	target := d2.targetID
	if !ref.multi {
		target = ref.id()
	}
	return id.issueUserTokens(app, target, g, scopes, "")
}
