// Package explain turns the raw errors a person meets while connecting a
// Microsoft partner tenant to its customers into plain words: what happened,
// why, what to do next, and a Microsoft Learn page to read.
//
// It knows sign-in errors from Microsoft Entra (AADSTS codes), Microsoft Graph
// error codes and HTTP statuses, and Partner Center errors. Every code lives in
// one table (table.go); add a row there to teach the app a new code.
//
// The input is outside data. The functions never panic, stay fast on large
// input, and never copy Microsoft's free-text messages into an Explanation:
// only the error code is kept, so a token or secret in the input can never
// reach the screen, a log line or a report.
package explain

import (
	"strconv"
	"strings"
)

// Explanation is what the app tells a person about one error.
type Explanation struct {
	Code     string // the code as the user might search for it: "AADSTS50076", "Authorization_RequestDenied", "HTTP 429", "Partner Center 900421"; empty only when the input carried no code at all
	What     string // what happened, one plain sentence
	Why      string // why it happens, one plain sentence
	Do       string // what to do next, one or two plain sentences, imperative
	LearnURL string // a Microsoft Learn page (https://learn.microsoft.com/...)
	Known    bool   // false when the code was not in the table and the text is the generic fallback
}

// String returns What, Why and Do as one paragraph (leaving out an empty one).
func (e Explanation) String() string {
	var parts []string
	for _, s := range []string{e.What, e.Why, e.Do} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

// Lookup finds the explanation for one code. It accepts the code the way a
// person or a log writes it, in any letter case: "AADSTS50076" or "50076",
// "Authorization_RequestDenied", "HTTP 429" or "429", "Partner Center 900421"
// or "900421". A bare three-digit number is an HTTP status.
//
// When the code is not in the table, Lookup returns false and a fallback
// explanation that names the code and still says what to do.
func Lookup(code string) (Explanation, bool) {
	c, ok := parseCode(code)
	if !ok {
		return noCode(), false
	}
	if e, ok := find(c); ok {
		return e, true
	}
	return unknown(c), false
}

// code is a parsed, checked code: its family and its id (digits for numeric
// families, a word of letters, digits and underscores otherwise).
type code struct {
	fam family
	id  string
}

// parseCode reads a code written by a person. It only accepts short codes made
// of letters, digits and underscores, so nothing else from the input can end up
// in an Explanation.
func parseCode(s string) (code, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 80 {
		return code{}, false
	}
	low := strings.ToLower(s)
	rest := func(prefix string) string {
		return strings.Trim(s[len(prefix):], " :#-")
	}
	switch {
	case strings.HasPrefix(low, "aadsts"):
		if id := rest("aadsts"); isDigits(id, 9) {
			return code{famAAD, trimZeros(id)}, true
		}
		return code{}, false
	case strings.HasPrefix(low, "partner center"):
		id := rest("partner center")
		if isDigits(id, 12) {
			return code{famPC, trimZeros(id)}, true
		}
		if isWord(id) {
			return code{famPC, id}, true
		}
		return code{}, false
	case strings.HasPrefix(low, "http") && len(rest("http")) == 3 && isDigits(rest("http"), 3):
		return code{famHTTP, rest("http")}, true
	case isDigits(s, 12):
		s = trimZeros(s)
		if len(s) == 3 {
			return code{famHTTP, s}, true
		}
		return code{famNumber, s}, true
	case isWord(s):
		return code{famGraph, s}, true
	}
	return code{}, false
}

// find looks a parsed code up in the table. A bare number is tried as an
// AADSTS code and then as a Partner Center code; a word is tried as a Graph
// code and then as an OAuth error word.
func find(c code) (Explanation, bool) {
	switch c.fam {
	case famNumber:
		if e, ok := findIn(famAAD, c.id); ok {
			return e, true
		}
		return findIn(famPC, c.id)
	case famGraph:
		if e, ok := findIn(famGraph, c.id); ok {
			return e, true
		}
		return findIn(famOAuth, c.id)
	case famPC:
		if e, ok := findIn(famPC, c.id); ok {
			return e, true
		}
		return findIn(famPCStatus, c.id)
	}
	return findIn(c.fam, c.id)
}

// findIn returns the table row of family f with the given id.
func findIn(f family, id string) (Explanation, bool) {
	for i := range table {
		t := &table[i]
		if t.fam != f {
			continue
		}
		for _, k := range t.ids {
			if strings.EqualFold(k, id) {
				return Explanation{
					Code:     display(f, k),
					What:     t.what,
					Why:      t.why,
					Do:       t.do,
					LearnURL: t.learn,
					Known:    true,
				}, true
			}
		}
	}
	return Explanation{}, false
}

// display writes a code the way a person would search for it.
func display(f family, id string) string {
	switch f {
	case famAAD:
		return "AADSTS" + id
	case famHTTP:
		return "HTTP " + id
	case famPC, famPCStatus:
		return "Partner Center " + id
	}
	return id
}

// unknown is the fallback for a code that is not in the table. It names the
// code, says which service it comes from, and links that family's error page.
func unknown(c code) Explanation {
	e := Explanation{Code: display(c.fam, c.id)}
	switch c.fam {
	case famAAD:
		e.What = "Microsoft answered with error " + e.Code + ", which this app does not know yet."
		e.Why = "It is a sign-in error from Microsoft Entra, the service that checks who you are."
		e.Do = "Go to Sign in and sign in again. If it happens again, look up " + e.Code + " on the linked Microsoft Learn page, or give the code and the time it happened to your support contact."
		e.LearnURL = learnEntraErrors
	case famOAuth:
		e.What = "Microsoft answered with sign-in error " + e.Code + ", which this app does not know yet."
		e.Why = "It is a sign-in error from Microsoft Entra, the service that checks who you are."
		e.Do = "Go to Sign in and sign in again. If it happens again, look up " + e.Code + " on the linked Microsoft Learn page."
		e.LearnURL = learnEntraErrors
	case famGraph:
		e.What = "Microsoft Graph answered with error " + e.Code + ", which this app does not know yet."
		e.Why = "Microsoft Graph is the service the app uses to read and change your tenants and your customers' tenants."
		e.Do = "Try again. If it happens again, look up " + e.Code + " on the linked Microsoft Learn page, or give the code and the time it happened to your support contact."
		e.LearnURL = learnGraphErrors
	case famPC, famPCStatus:
		e.What = "Partner Center answered with error " + c.id + ", which this app does not know yet."
		e.Why = "Partner Center is the Microsoft service for CSP partners, their customers and their consents."
		e.Do = "Try again. If it happens again, look up error " + c.id + " on the linked Microsoft Learn page, or give the code and the time it happened to your support contact."
		e.LearnURL = learnPCErrors
	case famHTTP:
		e.What = "Microsoft answered with status " + e.Code + ", which this app does not know yet."
		e.Why = httpClass(c.id)
		e.Do = "Try again in a few minutes. If it happens again, give the status and the time it happened to your support contact."
		e.LearnURL = learnGraphErrors
	default:
		e.What = "Microsoft answered with error " + e.Code + ", which this app does not know yet."
		e.Why = "The answer did not say which Microsoft service the code comes from."
		e.Do = "Try again. If it happens again, look up " + e.Code + " on the linked Microsoft Learn page, or give the code and the time it happened to your support contact."
		e.LearnURL = learnEntraErrors
	}
	return e
}

// httpClass says in one sentence what a class of HTTP status means.
func httpClass(id string) string {
	if strings.HasPrefix(id, "5") {
		return "Statuses that start with 5 mean the problem is on Microsoft's side."
	}
	if strings.HasPrefix(id, "4") {
		return "Statuses that start with 4 mean Microsoft did not accept the request as it was sent."
	}
	return "Microsoft's answer was not the one the app expected."
}

// noCode is the fallback when the input carried no code the app could read.
func noCode() Explanation {
	return Explanation{
		What:     "Something went wrong, and Microsoft's answer had no error code this app could read.",
		Why:      "The answer may have been empty or cut off, or it may not have come from Microsoft.",
		Do:       "Check your internet connection and try again. If it happens again, give the status and the time it happened to your support contact.",
		LearnURL: learnEntraErrors,
	}
}

// withStatus explains a code that is not in the table but came with an HTTP
// status the table knows: it names the code and borrows the status' advice.
func withStatus(c code, status int) Explanation {
	e := unknown(c)
	st, ok := findIn(famHTTP, strconv.Itoa(status))
	if !ok {
		return e
	}
	service, name := "Microsoft", e.Code
	switch c.fam {
	case famGraph:
		service = "Microsoft Graph"
	case famPC, famPCStatus:
		service, name = "Partner Center", c.id
	}
	e.What = service + " answered with error " + name + " (HTTP " + strconv.Itoa(status) + "), which this app does not know yet."
	e.Why = st.Why
	e.Do = st.Do
	if c.fam == famGraph {
		// Keep the family's page for Partner Center codes; for Graph codes the
		// status row's page (errors or throttling) fits better.
		e.LearnURL = st.LearnURL
	}
	return e
}

// isDigits reports whether s is 1 to max ASCII digits.
func isDigits(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isWord reports whether s looks like a code word: 1 to 64 ASCII letters,
// digits and underscores, starting with a letter. Dots are not allowed, so a
// token (which has dots) can never pass as a code.
func isWord(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z':
		case i > 0 && (b >= '0' && b <= '9' || b == '_'):
		default:
			return false
		}
	}
	return true
}

// trimZeros drops leading zeros from a number, keeping at least one digit.
func trimZeros(s string) string {
	t := strings.TrimLeft(s, "0")
	if t == "" {
		return "0"
	}
	return t
}

// SignInErrors lists every Microsoft Entra sign-in error (AADSTS code) the table knows, in table
// order, each under its main spelling; for the user guide's troubleshooting section.
func SignInErrors() []Explanation {
	var out []Explanation
	for _, t := range table {
		if t.fam == famAAD {
			e, _ := findIn(famAAD, t.ids[0])
			out = append(out, e)
		}
	}
	return out
}
