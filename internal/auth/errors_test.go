package auth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// MSAL's errors carry the token endpoint's whole answer (and its URL); only the AADSTS code may
// reach the user.
func TestTokenFailureKeepsOnlyTheCode(t *testing.T) {
	const secret = "0.ASBXSECRETabcdefghijklmnopqrstuvwxyz0123456789"
	jwtLike := "eyJ0eXAiOiJKV1QifQ.eyJ0aWQiOiJ4In0.c2lnbmF0dXJl"
	msal := func(code, text string) error {
		return fmt.Errorf("http call(https://login.microsoftonline.com/contoso/oauth2/v2.0/token)(POST) error: reply status code was 400:\n"+
			`{"error":"invalid_grant","error_description":"AADSTS%s: %s refresh_token=%s access_token=%s","error_codes":[%s]}`, code, text, secret, jwtLike, code)
	}
	for _, tc := range []struct {
		code, says string
	}{
		{"90099", "Open App registration and run customer consent"},
		{"700082", "not used for 90 days"},
		{"50173", "was revoked"},
		{"53003", "Conditional Access"},
		{"50020", "no delegated (GDAP) access"},
		{"530034", "looks risky"},
		{"99999", "does not know yet"},
	} {
		t.Run(tc.code, func(t *testing.T) {
			err := tokenFailure(context.Background(), "tenant-1", msal(tc.code, "Some text from Microsoft."))
			if err.Code != tc.code || !strings.Contains(err.Error(), tc.says) || !strings.Contains(err.Error(), "AADSTS"+tc.code) {
				t.Errorf("tokenFailure = %q (code %q), want code %s saying %q", err, err.Code, tc.code, tc.says)
			}
			for _, leak := range []string{secret[3:], jwtLike, "Some text from Microsoft", "http call", "login.microsoftonline.com"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("the error carries %q: %s", leak, err)
				}
			}
		})
	}
	// An answer without an AADSTS code, such as MSAL's JSON decoding error that quotes the body.
	err := tokenFailure(context.Background(), "", errors.New("json decode error: x\njson message bytes were: {\"access_token\":\""+jwtLike+"\"}"))
	if strings.Contains(err.Error(), jwtLike) || !strings.Contains(err.Error(), "your partner tenant") {
		t.Errorf("tokenFailure without a code = %s", err)
	}
	// A network failure names the host only.
	err = tokenFailure(context.Background(), "t", &url.Error{Op: "Post", URL: "https://login.example/t/oauth2/v2.0/token?x=" + secret, Err: errors.New("connection refused")})
	if strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "could not reach the sign-in service at login.example") {
		t.Errorf("tokenFailure for a network error = %s", err)
	}
	// A cancelled request keeps its context error.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := tokenFailure(ctx, "t", errors.New("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("tokenFailure after cancel = %v", err)
	}
}

func TestSignInFailureKeepsOnlyTheCode(t *testing.T) {
	ctx := context.Background()
	// What MSAL's loopback listener makes of an error posted back: the description.
	err := signInFailure(ctx, ctx, errors.New("AADSTS50089: Authentication failed due to flow token expired. Trace ID: 1 Correlation ID: 2 Timestamp: 3"), time.Second)
	var se *SignInError
	if !errors.As(err, &se) || se.Code != "AADSTS50089" || !strings.Contains(err.Error(), "took too long") || strings.Contains(err.Error(), "Trace ID") {
		t.Errorf("signInFailure = %v", err)
	}
	err = signInFailure(ctx, ctx, errors.New("mismatched OAuth state, req(abc), resp(def)"), time.Second)
	if !strings.Contains(err.Error(), "The sign-in did not finish.") || strings.Contains(err.Error(), "abc") {
		t.Errorf("signInFailure without a code = %v", err)
	}
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "1 second", 2 * time.Second: "2 seconds", 1500 * time.Millisecond: "2 seconds", 59 * time.Second: "59 seconds",
		time.Minute: "1 minute", 10 * time.Minute: "10 minutes", 10*time.Minute + 20*time.Second: "10 minutes", 2*time.Minute + 40*time.Second: "3 minutes",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
