package sandbox

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"time"
)

// Signing: the access, id and refresh tokens of a user sign-in, once the grant was checked. Part
// of the simulated identity platform (identity.go).

// tokenPlan is everything a token response needs, copied out of the world under its lock.
type tokenPlan struct {
	app                 appInfo
	userID, upn, name   string
	homeID, targetID    string
	amr                 []string
	req                 scopeRequest
	scp                 string // the access token's scp
	grantedScopes       string // the response's scope
	nonce               string
	authTime            time.Time
	wantRefresh, wantID bool
}

// signTokens signs the plan's tokens and stores the new refresh token.
func (id *identity) signTokens(p tokenPlan) (map[string]any, *oauthError) {
	now := id.s.world.now()
	internal := &oauthError{status: http.StatusInternalServerError, err: "temporarily_unavailable", code: 90033, text: "A transient error has occurred. Please try again."}
	ac := claims{Aud: p.req.resource, Iss: "https://sts.windows.net/" + p.targetID + "/",
		Iat: now.Add(-5 * time.Minute).Unix(), Nbf: now.Add(-5 * time.Minute).Unix(), Exp: now.Add(accessTokenSeconds * time.Second).Unix(),
		Amr: p.amr, AppID: p.app.appID, Name: p.name, Oid: p.userID, Scp: p.scp, Sub: pairwiseSub(p.userID, p.req.resource),
		Tid: p.targetID, Upn: p.upn, Ver: "1.0"}
	if p.targetID != p.homeID {
		ac.Idp = "https://sts.windows.net/" + p.homeID + "/"
	}
	at, err := id.s.keys.sign(ac)
	if err != nil {
		return nil, internal
	}
	clientInfo, _ := json.Marshal(map[string]string{"uid": p.userID, "utid": p.homeID})
	body := map[string]any{
		"token_type":     "Bearer",
		"scope":          p.grantedScopes,
		"expires_in":     accessTokenSeconds,
		"ext_expires_in": accessTokenSeconds,
		"access_token":   at,
		"client_info":    base64.RawURLEncoding.EncodeToString(clientInfo),
	}
	if p.wantID {
		ic := claims{Aud: p.app.appID, Iss: id.s.base + "/" + p.targetID + "/v2.0",
			Iat: now.Add(-5 * time.Minute).Unix(), Nbf: now.Add(-5 * time.Minute).Unix(), Exp: now.Add(time.Hour).Unix(),
			Name: p.name, Oid: p.userID, Sub: pairwiseSub(p.userID, p.app.appID), Tid: p.targetID, Username: p.upn,
			Nonce: p.nonce, Ver: "2.0"}
		if p.targetID != p.homeID {
			ic.Idp = "https://sts.windows.net/" + p.homeID + "/"
		}
		idt, err := id.s.keys.sign(ic)
		if err != nil {
			return nil, internal
		}
		body["id_token"] = idt
	}
	if p.wantRefresh {
		rt := "0.A" + SecretMarker + randomToken(64)
		id.mu.Lock()
		id.pruneLocked(now)
		id.refresh[rt] = &refreshGrant{
			grant:  grant{userID: p.userID, homeID: p.homeID, appID: p.app.appID, amr: slices.Clone(p.amr), authTime: p.authTime},
			scopes: slices.Clone(p.req.all), issued: now, usedAt: now,
		}
		id.mu.Unlock()
		body["refresh_token"] = rt
	}
	return body, nil
}

// pairwiseSub is a subject that differs per app (or resource), as Entra's sub does.
func pairwiseSub(userID, audience string) string {
	sum := sha256.Sum256([]byte(userID + "|" + audience))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:43]
}
