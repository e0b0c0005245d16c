package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/explain"
)

// Claims are the parts of an access token that the verdict and the screens need. Nothing in it
// is secret: the token's signature and the token itself are not kept.
type Claims struct {
	Aud   string    // audience: the API the token is for, for example https://api.partnercenter.microsoft.com
	Tid   string    // the tenant the token is for
	Upn   string    // the account (upn; else preferred_username; else unique_name)
	Oid   string    // the account's object id
	Name  string    // the account's display name
	Scp   string    // delegated permissions, space-separated
	Idp   string    // the account's home identity provider, when it is not the tenant itself (guests, GDAP)
	AppID string    // the app the token was issued to (appid; else azp)
	Amr   []string  // how the account proved who it is: "pwd", "mfa", ...
	Exp   time.Time // when the token expires (zero when the token does not say)
	Iat   time.Time // when the token was issued (zero when the token does not say)
	Alg   string    // the header's signing algorithm ("RS256"; "none" or "" for an unsigned token)
}

// maxTokenLen is the longest text ParseClaims reads. Entra's access tokens are a few kilobytes
// (group claims switch to an overage link beyond 200 groups).
const maxTokenLen = 64 << 10

// TokenFormatError says why a text is not an access token this package can read. Its message is
// one of a few fixed sentences: it never repeats any part of the text.
type TokenFormatError struct {
	Reason string
}

func (e *TokenFormatError) Error() string {
	return "the access token cannot be read: " + e.Reason
}

func formatError(reason string) error { return &TokenFormatError{Reason: reason} }

// Explanation is what a person who pasted the text reads (explain.Explainer): not how the token
// is built, but what it is and what to paste instead.
func (e *TokenFormatError) Explanation() explain.Explanation {
	x := explain.Explanation{Known: true,
		What: "This is not an access token Onboard365 can read.",
		Why:  "Part of it is not what an access token holds: it may have been cut off, or changed, when it was copied.",
		Do:   "Copy the whole access token again from the tool (not its refresh token or ID token), and paste it here."}
	switch e.Reason {
	case "it is empty":
		x.What, x.Why = "Nothing was pasted.", ""
		x.Do = "Paste an access token from another tool to check it."
	case "it is an encrypted token (JWE), which only the service it is meant for can read":
		x.Why = "It is an encrypted token, which only the service it was made for can read, so what it says cannot be checked here."
	case "it does not have the three dot-separated parts of a JSON Web Token":
		x.Why = "An access token is one long text in three parts separated by dots, and starts with eyJ; what was pasted is not."
	case "it is longer than any access token (more than 64 KiB)":
		x.Why = "It is longer than any access token."
	}
	return x
}

// ParseClaims reads the claims of a JWT access token WITHOUT verifying its signature. Use it on
// a token just received from the token endpoint (over TLS, from the authority the app chose), to
// decide what the token is good for; never to decide whom to trust.
//
// The text is outside input: ParseClaims never panics, and on anything that is not a readable
// JWT it returns a *TokenFormatError. A "Bearer " prefix and surrounding spaces are ignored.
func ParseClaims(accessToken string) (Claims, error) {
	tok := strings.TrimSpace(accessToken)
	if len(tok) >= 7 && strings.EqualFold(tok[:7], "bearer ") {
		tok = strings.TrimSpace(tok[7:])
	}
	switch {
	case tok == "":
		return Claims{}, formatError("it is empty")
	case len(tok) > maxTokenLen:
		return Claims{}, formatError("it is longer than any access token (more than 64 KiB)")
	}
	switch strings.Count(tok, ".") {
	case 2:
	case 4:
		return Claims{}, formatError("it is an encrypted token (JWE), which only the service it is meant for can read")
	default:
		return Claims{}, formatError("it does not have the three dot-separated parts of a JSON Web Token")
	}
	parts := strings.SplitN(tok, ".", 3)
	header, err := decodeSegment(parts[0])
	if err != nil {
		return Claims{}, formatError("its header is not base64url")
	}
	if !isJSONObject(header) {
		return Claims{}, formatError("its header is not a JSON object")
	}
	var head struct {
		Alg json.RawMessage `json:"alg"`
	}
	_ = json.Unmarshal(header, &head) // valid JSON, checked above
	payload, err := decodeSegment(parts[1])
	if err != nil {
		return Claims{}, formatError("its claims are not base64url")
	}
	if !isJSONObject(payload) {
		return Claims{}, formatError("its claims are not a JSON object")
	}
	var raw struct {
		Aud               json.RawMessage `json:"aud"`
		Tid               json.RawMessage `json:"tid"`
		Upn               json.RawMessage `json:"upn"`
		PreferredUsername json.RawMessage `json:"preferred_username"`
		UniqueName        json.RawMessage `json:"unique_name"`
		Oid               json.RawMessage `json:"oid"`
		Name              json.RawMessage `json:"name"`
		Scp               json.RawMessage `json:"scp"`
		Idp               json.RawMessage `json:"idp"`
		AppID             json.RawMessage `json:"appid"`
		Azp               json.RawMessage `json:"azp"`
		Amr               json.RawMessage `json:"amr"`
		Exp               json.RawMessage `json:"exp"`
		Iat               json.RawMessage `json:"iat"`
	}
	if err := json.Unmarshal(payload, &raw); err != nil {
		return Claims{}, formatError("its claims are not valid JSON")
	}
	c := Claims{
		Aud:   strings.Join(stringsOf(raw.Aud), " "),
		Tid:   stringOf(raw.Tid),
		Upn:   firstNonEmpty(stringOf(raw.Upn), stringOf(raw.PreferredUsername), stringOf(raw.UniqueName)),
		Oid:   stringOf(raw.Oid),
		Name:  stringOf(raw.Name),
		Scp:   stringOf(raw.Scp),
		Idp:   stringOf(raw.Idp),
		AppID: firstNonEmpty(stringOf(raw.AppID), stringOf(raw.Azp)),
		Amr:   stringsOf(raw.Amr),
		Exp:   timeOf(raw.Exp),
		Iat:   timeOf(raw.Iat),
		Alg:   stringOf(head.Alg),
	}
	return c, nil
}

// decodeSegment decodes base64url with or without padding (and, leniently, standard base64).
func decodeSegment(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.RawStdEncoding.DecodeString(s)
	}
	return b, err
}

func isJSONObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) >= 2 && b[0] == '{' && json.Valid(b)
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// stringOf is a JSON string's value, or "" for anything else.
func stringOf(raw json.RawMessage) string {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// stringsOf is a JSON string, or the strings of a JSON array (other elements are skipped).
func stringsOf(raw json.RawMessage) []string {
	if s := stringOf(raw); s != "" {
		return []string{s}
	}
	var items []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return nil
	}
	var out []string
	for _, it := range items {
		if s := stringOf(it); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// timeOf reads a NumericDate (seconds since 1970, an integer or a fraction; leniently, a
// numeric string). Anything else, or a date outside years 1970 to about 5000, is the zero time.
func timeOf(raw json.RawMessage) time.Time {
	text := strings.TrimSpace(string(raw))
	if s := stringOf(raw); s != "" {
		text = s
	}
	if text == "" || len(text) > 64 {
		return time.Time{}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(f) || f <= 0 || f > 1e11 {
		return time.Time{}
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}
