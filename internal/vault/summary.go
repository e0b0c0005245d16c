package vault

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
)

// RefreshTokenInactivityLimit is how long Microsoft's identity platform keeps a refresh token
// valid without use (AADSTS700082 after it).
const RefreshTokenInactivityLimit = 90 * 24 * time.Hour

// Summary says what the MSAL cache holds, for Settings, without any secret: no token, no secret,
// no claim beyond the account's name and tenant.
type Summary struct {
	Accounts        []AccountSummary
	RefreshTokens   int       // refresh tokens in memory
	AccessTokens    int       // access tokens in memory (never stored in the keychain)
	CustomerTenants int       // tenants other than the accounts' home tenants that MSAL holds tokens for
	Stored          bool      // the keychain holds a cache
	StoredAt        time.Time // when the keychain's copy was written (zero when not stored)
	Unsaved         bool      // MSAL has changes that Flush has not written yet
	Damaged         bool      // the keychain's copy was damaged when read: the user must sign in again
	// Problem is what is wrong with the keychain's copy, when something is: a *DamagedError, a
	// *NewerError (a newer version saved it) or an *UnreadableError. Forgettable(Problem) holds.
	Problem error
}

// AccountSummary is one signed-in account.
type AccountSummary struct {
	Username        string // e.g. admin@contoso.onmicrosoft.com
	HomeTenantID    string // the account's home (partner) tenant
	Environment     string // e.g. login.microsoftonline.com
	HomeAccountID   string // MSAL's "<object id>.<tenant id>"
	HasRefreshToken bool
	// RefreshTokenStored is when the keychain's copy of the cache, which holds this account's
	// refresh token, was written (the manifest's "updated"); zero if the keychain has no refresh
	// token of this account yet. The identity platform replaces the refresh token every time it
	// is used, and the next Flush stores the new one, so this is close to when the refresh token
	// in the keychain was issued: the 90-day inactivity clock starts about then.
	RefreshTokenStored time.Time
}

// InactivityExpiry is when the stored refresh token expires if it is not used before then; zero if
// unknown.
func (a AccountSummary) InactivityExpiry() time.Time {
	if !a.HasRefreshToken || a.RefreshTokenStored.IsZero() {
		return time.Time{}
	}
	return a.RefreshTokenStored.Add(RefreshTokenInactivityLimit)
}

// DaysUntilInactivityExpiry is the number of whole days from now until InactivityExpiry (negative
// once it has passed), and ok=false when it is unknown.
func (a AccountSummary) DaysUntilInactivityExpiry(now time.Time) (days int, ok bool) {
	exp := a.InactivityExpiry()
	if exp.IsZero() {
		return 0, false
	}
	d := exp.Sub(now)
	days = int(d / (24 * time.Hour))
	if d < 0 && d%(24*time.Hour) != 0 {
		days--
	}
	return days, true
}

// Summary reads what the cache holds (loading it from the keychain if that was not done yet).
func (c *MSALCache) Summary(ctx context.Context) (Summary, error) {
	if err := c.load(ctx); err != nil {
		return Summary{}, err
	}
	c.mu.Lock()
	data, dirty, stored, storedAt, loadErr, storedRT := c.data, c.dirty, c.stored, c.storedAt, c.loadErr, c.storedRT
	c.mu.Unlock()
	var unavailable *UnavailableError
	if errors.As(loadErr, &unavailable) {
		return Summary{}, loadErr // the keychain could not be read: say so rather than "nothing stored"
	}
	damaged := errors.Is(loadErr, ErrDamaged)

	s, ok := summarize(data)
	if !ok {
		return Summary{}, errors.New("vault: the token cache is not in the form Onboard365 expects")
	}
	s.Stored, s.Unsaved, s.Damaged, s.Problem = stored, dirty, damaged, loadErr
	if stored {
		s.StoredAt = storedAt
		for i := range s.Accounts {
			if storedRT[s.Accounts[i].HomeAccountID] {
				s.Accounts[i].RefreshTokenStored = storedAt
			}
		}
	}
	return s, nil
}

// entryHeader is what Summary and persistable read of a cache entry. It has no field for
// "secret", so the JSON decoder skips the token itself.
type entryHeader struct {
	HomeAccountID string `json:"home_account_id"`
	Environment   string `json:"environment"`
	Realm         string `json:"realm"`
	Username      string `json:"username"`
}

func homeTenant(homeAccountID string) string {
	if _, tid, ok := strings.Cut(homeAccountID, "."); ok {
		return tid
	}
	return ""
}

// isGUID reports whether s looks like a tenant ID (8-4-4-4-12 hex digits).
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

// sections decodes the top level of MSAL's cache JSON and the entries of the named sections.
func sections(data []byte) (map[string]json.RawMessage, bool) {
	if len(data) == 0 {
		return map[string]json.RawMessage{}, true
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil || top == nil {
		return nil, false
	}
	return top, true
}

func entries(top map[string]json.RawMessage, section string) map[string]entryHeader {
	out := map[string]entryHeader{}
	raw, ok := top[section]
	if !ok {
		return out
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return out
	}
	for k, e := range m {
		var h entryHeader
		if json.Unmarshal(e, &h) == nil {
			out[k] = h
		}
	}
	return out
}

// refreshTokenAccounts lists the home account IDs that have a refresh token in data.
func refreshTokenAccounts(data []byte) map[string]bool {
	out := map[string]bool{}
	if top, ok := sections(data); ok {
		for _, rt := range entries(top, "RefreshToken") {
			out[rt.HomeAccountID] = true
		}
	}
	return out
}

func summarize(data []byte) (Summary, bool) {
	top, ok := sections(data)
	if !ok {
		return Summary{}, false
	}
	ats, rts := entries(top, "AccessToken"), entries(top, "RefreshToken")
	ids, accts := entries(top, "IdToken"), entries(top, "Account")

	var s Summary
	s.AccessTokens, s.RefreshTokens = len(ats), len(rts)
	hasRT := map[string]bool{}
	for _, rt := range rts {
		hasRT[rt.HomeAccountID] = true
	}
	byHome := map[string]*AccountSummary{}
	homes := map[string]bool{}
	for _, a := range accts {
		if a.HomeAccountID == "" {
			continue
		}
		tid := homeTenant(a.HomeAccountID)
		if tid == "" {
			tid = a.Realm
		}
		homes[strings.ToLower(tid)] = true
		as := byHome[a.HomeAccountID]
		if as == nil {
			as = &AccountSummary{HomeAccountID: a.HomeAccountID, HomeTenantID: tid, HasRefreshToken: hasRT[a.HomeAccountID]}
			byHome[a.HomeAccountID] = as
		}
		// Prefer the entry of the home tenant for the name; any entry fills a gap.
		home := strings.EqualFold(a.Realm, tid)
		if as.Username == "" || (home && a.Username != "") {
			as.Username = a.Username
		}
		if as.Environment == "" || home {
			as.Environment = a.Environment
		}
	}
	// A refresh token without an account entry is still an account to show.
	for _, rt := range rts {
		if rt.HomeAccountID != "" && byHome[rt.HomeAccountID] == nil {
			tid := homeTenant(rt.HomeAccountID)
			homes[strings.ToLower(tid)] = true
			byHome[rt.HomeAccountID] = &AccountSummary{HomeAccountID: rt.HomeAccountID, HomeTenantID: tid,
				Environment: rt.Environment, HasRefreshToken: true}
		}
	}
	for _, as := range byHome {
		s.Accounts = append(s.Accounts, *as)
	}
	slices.SortFunc(s.Accounts, func(a, b AccountSummary) int { return strings.Compare(a.HomeAccountID, b.HomeAccountID) })

	customers := map[string]bool{}
	for _, set := range []map[string]entryHeader{ats, ids, accts} {
		for _, e := range set {
			if r := strings.ToLower(e.Realm); isGUID(r) && !homes[r] {
				customers[r] = true
			}
		}
	}
	s.CustomerTenants = len(customers)
	return s, true
}

// persistable is the part of MSAL's cache worth keeping in the keychain: all of it but the access
// tokens, and but the id tokens and accounts of tenants other than the account's home tenant
// (MSAL records one of each per customer tenant; after a restart it gets them again with the
// refresh token, which is not tenant-specific). Entries that cannot be told apart are kept; an
// account keeps all its entries if none is of its home tenant. Anything this function does not
// understand is stored as it is.
func persistable(data []byte) []byte {
	top, ok := sections(data)
	if !ok || len(data) == 0 {
		return data
	}
	delete(top, "AccessToken")
	for _, section := range []string{"Account", "IdToken"} {
		raw, ok := top[section]
		if !ok {
			continue
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			continue
		}
		drop := map[string]bool{}
		keptFor := map[string]bool{}
		for k, e := range m {
			var h entryHeader
			if json.Unmarshal(e, &h) != nil {
				continue
			}
			tid := homeTenant(h.HomeAccountID)
			if tid != "" && isGUID(h.Realm) && !strings.EqualFold(h.Realm, tid) {
				drop[k] = true
			} else {
				keptFor[h.HomeAccountID] = true
			}
		}
		if len(drop) == 0 {
			continue
		}
		for k := range drop {
			var h entryHeader
			_ = json.Unmarshal(m[k], &h)
			if keptFor[h.HomeAccountID] {
				delete(m, k)
			}
		}
		b, err := json.Marshal(m)
		if err != nil {
			return data
		}
		top[section] = b
	}
	out, err := json.Marshal(top)
	if err != nil {
		return data
	}
	return out
}
