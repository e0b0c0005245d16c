package authmethods

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/onboard365/onboard365/internal/graph"
)

// reportPath is Microsoft's sign-in methods report (Entra ID P1; Reports Reader, Security Reader
// or Global Reader). Its page (authenticationmethodsroot-list-userregistrationdetails) supports
// only $filter and $orderBy, so it is read whole, in the pages Microsoft chooses, and filtered
// on properties its type page marks filterable (userPrincipalName).
const reportPath = "/reports/authenticationMethods/userRegistrationDetails"

// Read lists every user's row of the sign-in methods report, following every page. progress,
// when not nil, is called after each page with the number of users read so far.
//
// A tenant without Entra ID P1 gives ErrNoP1.
func Read(ctx context.Context, c *graph.Client, progress func(read int)) ([]Registration, error) {
	path := "/v1.0" + reportPath
	var all []Registration
	for page, err := range graph.Pages[Registration](ctx, c, path) {
		if err != nil {
			return nil, explainRead("read the sign-in methods report", err)
		}
		all = append(all, page...)
		if progress != nil {
			progress(len(all))
		}
	}
	return all, nil
}

// Lookup is the answer for one sign-in name (UPN) that a person typed.
type Lookup struct {
	UPN   string        // as typed
	Found *Registration // nil when no user signs in with that name
	Err   error         // the lookup itself failed
	// Recent is true when the report did not yet show Microsoft Authenticator but the user's
	// methods, read directly, do: they set it up after the report was made.
	Recent bool
	// RecheckErr is why the user's Authenticator registrations could not be read directly (the
	// report's word then stands, and the sentence says it may be behind).
	RecheckErr error
}

// Sentence says what became of a name that found nobody or could not be looked up; "" when a
// user was found.
func (l Lookup) Sentence() string {
	switch {
	case l.Err != nil:
		return l.UPN + ": could not be looked up. " + Describe(l.Err)
	case l.Found == nil:
		return "Nobody signs in as " + l.UPN + " in this tenant. Check the spelling; it is the user's sign-in name, " +
			"usually their email address (a guest's ends in #EXT# followed by this tenant's domain)."
	}
	return ""
}

// Find looks up users by sign-in name, one report row each, all in a few $batch calls. Each name
// gets its own answer: a name that finds nobody, or whose lookup fails, never stops the others.
// For a member whose report row shows no Microsoft Authenticator, Find also reads the user's
// Authenticator registrations directly (the report can be hours behind), so that a user who just
// set it up can be switched at once.
//
// It fails as a whole only when the tenant has no Entra ID P1 (ErrNoP1) or a $batch call fails.
func Find(ctx context.Context, c *graph.Client, upns []string) ([]Lookup, error) {
	out := make([]Lookup, len(upns))
	reqs := make([]graph.BatchRequest, len(upns))
	for i, upn := range upns {
		out[i].UPN = upn
		reqs[i] = graph.BatchRequest{ID: upn, Method: http.MethodGet, URL: lookupURL(upn)}
	}
	answers, err := c.Batch(ctx, "v1.0", reqs)
	if err != nil {
		return nil, explainRead("look the users up in the sign-in methods report", err)
	}
	var recheck []int
	for i, a := range answers {
		reg, err := decodeLookup(a)
		if err != nil {
			if err2 := explainRead("", err); err2 == ErrNoP1 {
				return nil, ErrNoP1
			}
			out[i].Err = err
			continue
		}
		out[i].Found = reg
		if reg != nil && !reg.IsGuest() && !reg.HasAuthenticator() {
			recheck = append(recheck, i)
		}
	}
	if len(recheck) > 0 {
		checkAuthenticator(ctx, c, out, recheck)
	}
	return out, nil
}

// lookupURL is the report filtered to one sign-in name, relative to the version root.
func lookupURL(upn string) string {
	q := url.Values{}
	q.Set("$filter", "userPrincipalName eq '"+strings.ReplaceAll(upn, "'", "''")+"'")
	return reportPath + "?" + q.Encode()
}

// decodeLookup reads one $batch answer of a filtered report: the user's row, or nil when the
// filter found nobody. An item that failed gives its *graph.Error.
func decodeLookup(a graph.BatchResponse) (*Registration, error) {
	if a.Err != nil {
		return nil, a.Err
	}
	var page struct {
		Value *[]Registration `json:"value"`
	}
	if err := json.Unmarshal(a.Body, &page); err != nil {
		return nil, fmt.Errorf("the answer about %s is not the list Onboard365 expects: %w", a.ID, err)
	}
	if page.Value == nil {
		return nil, fmt.Errorf("the answer about %s has no list of users", a.ID)
	}
	for _, r := range *page.Value {
		if strings.EqualFold(r.UserPrincipalName, a.ID) && r.ID != "" {
			return &r, nil
		}
	}
	return nil, nil
}

// checkAuthenticator reads the Microsoft Authenticator registrations of the users out[idx...]
// directly (microsoftauthenticatorauthenticationmethod-list supports no query option). A user
// who has one gets it added to their methods and Recent set; a read that fails is recorded in
// RecheckErr, and the report's word stands.
func checkAuthenticator(ctx context.Context, c *graph.Client, out []Lookup, idx []int) {
	reqs := make([]graph.BatchRequest, len(idx))
	for j, i := range idx {
		reqs[j] = graph.BatchRequest{ID: out[i].Found.ID, Method: http.MethodGet,
			URL: "/users/" + url.PathEscape(out[i].Found.ID) + "/authentication/microsoftAuthenticatorMethods"}
	}
	answers, err := c.Batch(ctx, "v1.0", reqs)
	if err != nil {
		for _, i := range idx {
			out[i].RecheckErr = err
		}
		return
	}
	for j, i := range idx {
		n, err := countItems(answers[j])
		switch {
		case err != nil:
			out[i].RecheckErr = err
		case n > 0:
			out[i].Found.MethodsRegistered = append(out[i].Found.MethodsRegistered, methodAuthenticatorPush)
			out[i].Recent = true
		}
	}
}

// countItems counts the items of a one-page collection in a $batch answer.
func countItems(a graph.BatchResponse) (int, error) {
	if a.Err != nil {
		return 0, a.Err
	}
	var page struct {
		Value *[]json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(a.Body, &page); err != nil {
		return 0, err
	}
	if page.Value == nil {
		return 0, fmt.Errorf("no list")
	}
	return len(*page.Value), nil
}

// ParseUPNs reads the sign-in names a person typed or pasted, one entry per line or between
// commas or semicolons. An entry may carry a name before the address, with or without angle
// brackets or quotes: "Pat Fernandez <pat@contoso.com>" gives pat@contoso.com. Repeats are dropped,
// in any letter case. An entry without an address is returned in notNames, so the person can be
// told.
func ParseUPNs(text string) (upns, notNames []string) {
	seen := map[string]bool{}
	entries := strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' })
	for _, e := range entries {
		found := false
		for _, w := range strings.Fields(e) {
			w = strings.Trim(w, "<>\"'()[]")
			if len(w) > 7 && strings.EqualFold(w[:7], "mailto:") {
				w = w[7:]
			}
			at := strings.Index(w, "@")
			if at <= 0 || at == len(w)-1 {
				continue
			}
			found = true
			if key := strings.ToLower(w); !seen[key] {
				seen[key] = true
				upns = append(upns, w)
			}
		}
		if e = strings.TrimSpace(e); !found && e != "" {
			notNames = append(notNames, e)
		}
	}
	return upns, notNames
}

// Preferences is a user's sign-in preferences (beta signInPreferences): the default method and
// whether system-preferred MFA is on.
type Preferences struct {
	Preferred       string `json:"userPreferredMethodForSecondaryAuthentication"`
	SystemPreferred *bool  `json:"isSystemPreferredAuthenticationMethodEnabled"`
}

// decodePreferences reads one $batch answer of GET signInPreferences.
func decodePreferences(a graph.BatchResponse) (Preferences, error) {
	if a.Err != nil {
		return Preferences{}, a.Err
	}
	var p Preferences
	if err := json.Unmarshal(a.Body, &p); err != nil {
		return Preferences{}, fmt.Errorf("the sign-in preferences are not the JSON Onboard365 expects: %w", err)
	}
	if strings.TrimSpace(p.Preferred) == "" {
		return Preferences{}, fmt.Errorf("the sign-in preferences do not say which method is the default")
	}
	return p, nil
}

// forEachChunk runs do on the items [0, n) in chunks of chunk, workers at a time, until ctx is
// cancelled; chunks not started by then are skipped.
func forEachChunk(ctx context.Context, n, chunk, workers int, do func(lo, hi int)) {
	jobs := make(chan [2]int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				do(j[0], j[1])
			}
		}()
	}
	for lo := 0; lo < n; lo += chunk {
		if ctx.Err() != nil {
			break
		}
		select {
		case jobs <- [2]int{lo, min(lo+chunk, n)}:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
}
