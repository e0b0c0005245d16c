package explain

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// maxBody is the largest response body that is decoded as JSON. Microsoft's
// error bodies are a few hundred bytes; a larger body is only scanned as text
// up to this size.
const maxBody = 1 << 20

// FromText explains any raw error text: an error message, a response body or
// a log line. It takes the first AADSTS code it finds; otherwise a code from a
// JSON error body in the text; otherwise a Graph, OAuth or Partner Center code
// the table knows; otherwise an HTTP error status. With none of these it
// returns a fallback with Known false.
func FromText(raw string) Explanation {
	low := lowerASCII(raw)
	if c, ok := aadInLower(low); ok {
		return resolve(c, true, 0)
	}
	status := statusInLower(low)
	if i := strings.IndexByte(raw, '{'); i >= 0 {
		if j := strings.LastIndexByte(raw, '}'); j > i && j-i < maxBody {
			if c, ok := codeFromJSON([]byte(raw[i : j+1])); ok {
				return resolve(c, true, status)
			}
		}
	}
	if c, ok := knownInLower(low); ok {
		return resolve(c, true, status)
	}
	return resolve(code{}, false, status)
}

// FromResponse explains an HTTP answer from the Microsoft Entra token
// endpoint, Microsoft Graph or Partner Center, from its status and body. A
// code in the body wins over the status; a body with no code the app can read
// is explained by the status alone.
func FromResponse(status int, body []byte) Explanation {
	if status < 100 || status > 599 {
		status = 0
	}
	if len(body) > maxBody {
		body = body[:maxBody]
	}
	c, ok := codeFromJSON(body)
	if !ok {
		low := lowerASCII(string(body))
		if c, ok = aadInLower(low); !ok {
			c, ok = knownInLower(low)
		}
	}
	return resolve(c, ok, status)
}

// resolve turns a code (when there is one) and an HTTP status (0 when unknown)
// into an Explanation.
func resolve(c code, haveCode bool, status int) Explanation {
	st := strconv.Itoa(status)
	if !haveCode {
		if status == 0 {
			return noCode()
		}
		if e, ok := findIn(famHTTP, st); ok {
			return e
		}
		if status >= 400 {
			return unknown(code{famHTTP, st})
		}
		return noCode()
	}
	if e, ok := find(c); ok {
		return e
	}
	// The code is not in the table. Sign-in codes keep their own fallback,
	// which sends the person to sign in again.
	if c.fam == famAAD || c.fam == famOAuth || status == 0 {
		return unknown(c)
	}
	switch status {
	case 429, 503, 504:
		// Throttling and outages mean the same whatever the code says.
		if e, ok := findIn(famHTTP, st); ok {
			return e
		}
	case 401, 403:
		if c.fam == famPC {
			if e, ok := findIn(famPCStatus, st); ok {
				return e
			}
		}
	}
	return withStatus(c, status)
}

// Free text is scanned by hand rather than with regexp: Go's regexp is linear
// in time but slow on many megabytes, and these few patterns are simple. The
// text is first lower-cased byte by byte (ASCII only), so offsets stay the same
// and matching is case-insensitive.

// lowerASCII returns a copy of s with the ASCII letters A-Z lower-cased.
func lowerASCII(s string) []byte {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return b
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isWordByte reports whether c is part of a word: a letter, a digit or an
// underscore (as in Microsoft's code names).
func isWordByte(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// aadInText finds the first AADSTS code in s: "AADSTS" followed by one to nine
// digits and then no further digit.
func aadInText(s string) (code, bool) {
	if len(s) < 7 {
		return code{}, false
	}
	return aadInLower(lowerASCII(s))
}

// aadInLower is aadInText on text already lower-cased by lowerASCII.
func aadInLower(low []byte) (code, bool) {
	for off := 0; off < len(low); {
		i := bytes.Index(low[off:], []byte("aadsts"))
		if i < 0 {
			break
		}
		start := off + i + len("aadsts")
		end := start
		for end < len(low) && end-start < 10 && isDigit(low[end]) {
			end++
		}
		if n := end - start; n >= 1 && n <= 9 && (end == len(low) || !isDigit(low[end])) {
			return code{famAAD, trimZeros(string(low[start:end]))}, true
		}
		off = start
	}
	return code{}, false
}

// knownIDs lists, lower-cased, the Graph, OAuth and Partner Center codes of
// the table that free text is searched for.
func knownIDs() []string {
	var ids []string
	for _, t := range table {
		switch t.fam {
		case famGraph, famOAuth, famPC:
			for _, id := range t.ids {
				ids = append(ids, strings.ToLower(id))
			}
		}
	}
	return ids
}

// knownInLower finds the earliest Graph, OAuth or Partner Center code of the
// table that stands as a whole word in the lower-cased text.
func knownInLower(low []byte) (code, bool) {
	best, bestAt := "", len(low)
	for _, id := range knownIDs() {
		if at := wordIndex(low[:min(len(low), bestAt+len(id))], id); at >= 0 && at < bestAt {
			best, bestAt = id, at
		}
	}
	if best == "" {
		return code{}, false
	}
	return parseCode(best)
}

// wordIndex returns the offset of the first whole-word w in low, or -1.
func wordIndex(low []byte, w string) int {
	for off := 0; off < len(low); {
		i := bytes.Index(low[off:], []byte(w))
		if i < 0 {
			return -1
		}
		at, end := off+i, off+i+len(w)
		if (at == 0 || !isWordByte(low[at-1])) && (end == len(low) || !isWordByte(low[end])) {
			return at
		}
		off = at + 1
	}
	return -1
}

// statusInLower finds the first HTTP error status (4xx or 5xx) in the
// lower-cased text that is marked as one: "HTTP 429", "HTTP/1.1 403",
// "status 404", "StatusCode: 500", "status_code=502", or a status followed by
// its reason, "403 Forbidden". It returns 0 when there is none.
func statusInLower(low []byte) int {
	for i := 0; i+3 <= len(low); i++ {
		c := low[i]
		if c != '4' && c != '5' || !isDigit(low[i+1]) || !isDigit(low[i+2]) {
			continue
		}
		if i+3 < len(low) && isWordByte(low[i+3]) {
			continue
		}
		wordBefore := i > 0 && isWordByte(low[i-1])
		if statusMarkBefore(low, i) || !wordBefore && reasonAfter(low, i+3) {
			return int(c-'0')*100 + int(low[i+1]-'0')*10 + int(low[i+2]-'0')
		}
	}
	return 0
}

// statusMarkBefore reports whether low[:i] ends with "http", "http/1.1",
// "status", "status code", "status_code", "status-code" or "statuscode",
// standing as a word, maybe followed by spaces and one ':' or '='.
func statusMarkBefore(low []byte, i int) bool {
	j := i
	for j > 0 && isSpace(low[j-1]) {
		j--
	}
	if j > 0 && (low[j-1] == ':' || low[j-1] == '=') {
		j--
		for j > 0 && isSpace(low[j-1]) {
			j--
		}
	}
	head := low[:j]
	// "http/1.1": skip the version back to the slash.
	k := j
	for k > 0 && (isDigit(low[k-1]) || low[k-1] == '.') {
		k--
	}
	if k < j && k > 0 && low[k-1] == '/' && endsWithWord(low[:k-1], "http") {
		return true
	}
	for _, w := range []string{"http", "status", "status code", "status_code", "status-code", "statuscode"} {
		if endsWithWord(head, w) {
			return true
		}
	}
	return false
}

// endsWithWord reports whether b ends with w and the byte before w, if any, is
// not part of a word.
func endsWithWord(b []byte, w string) bool {
	if !bytes.HasSuffix(b, []byte(w)) {
		return false
	}
	at := len(b) - len(w)
	return at == 0 || !isWordByte(b[at-1])
}

// httpReasons are the lower-cased reason phrases of the statuses the app meets.
var httpReasons = []string{
	"bad request", "unauthorized", "forbidden", "not found", "conflict",
	"precondition failed", "too many requests", "internal server error",
	"bad gateway", "service unavailable", "gateway timeout",
}

// reasonAfter reports whether low[k:] starts with spaces and then a reason phrase.
func reasonAfter(low []byte, k int) bool {
	j := k
	for j < len(low) && isSpace(low[j]) {
		j++
	}
	if j == k {
		return false
	}
	for _, r := range httpReasons {
		if bytes.HasPrefix(low[j:], []byte(r)) {
			end := j + len(r)
			if end == len(low) || !isWordByte(low[end]) {
				return true
			}
		}
	}
	return false
}

// errorBody holds the fields of the error bodies the app meets. Every field is
// kept raw because Microsoft's services disagree on types (a code can be a
// string or a number, "error" a string or an object).
//
//   - Entra token endpoint: {"error":"invalid_grant","error_description":"AADSTS50076: ...","error_codes":[50076],...}
//   - Microsoft Graph: {"error":{"code":"Authorization_RequestDenied","message":"...","innerError":{...}}}
//   - Partner Center: {"code":"900421","description":"...","data":[],"source":"..."}, sometimes with
//     "errorName" and "isRetryable"; the code may be a number.
type errorBody struct {
	Error            json.RawMessage `json:"error"`
	ErrorDescription json.RawMessage `json:"error_description"`
	ErrorCodes       json.RawMessage `json:"error_codes"`
	Code             json.RawMessage `json:"code"`
	ErrorName        json.RawMessage `json:"errorName"`
	Description      json.RawMessage `json:"description"`
	Message          json.RawMessage `json:"message"`
}

// codeFromJSON reads the error code from a JSON error body. It returns false
// when the body is not a JSON object or carries no code it can use.
func codeFromJSON(b []byte) (code, bool) {
	var body errorBody
	if len(b) == 0 || json.Unmarshal(b, &body) != nil {
		return code{}, false
	}
	// Entra: error_codes[0], then the AADSTS code in error_description.
	var codes []json.RawMessage
	if json.Unmarshal(body.ErrorCodes, &codes) == nil && len(codes) > 0 {
		if id := strings.Trim(string(codes[0]), `"`); isDigits(id, 9) {
			return code{famAAD, trimZeros(id)}, true
		}
	}
	if c, ok := aadInText(jsonString(body.ErrorDescription)); ok {
		return c, true
	}
	// Graph: {"error":{"code":"..."}}.
	var graph struct {
		Code json.RawMessage `json:"code"`
	}
	if len(body.Error) > 0 && body.Error[0] == '{' && json.Unmarshal(body.Error, &graph) == nil {
		if id := jsonString(graph.Code); isWord(id) {
			return code{famGraph, id}, true
		}
	}
	// Partner Center: a top-level "code", a string or a number.
	if c, ok := topLevelCode(body.Code); ok {
		return c, true
	}
	if id := jsonString(body.ErrorName); isWord(id) {
		return code{famPC, id}, true
	}
	for _, m := range []json.RawMessage{body.Description, body.Message} {
		if c, ok := aadInText(jsonString(m)); ok {
			return c, true
		}
	}
	// Entra without an AADSTS code: the OAuth error word.
	if id := jsonString(body.Error); isWord(id) {
		return code{famOAuth, id}, true
	}
	return code{}, false
}

// topLevelCode reads a top-level "code": digits are a Partner Center code; a
// word is a Graph code when the table knows it as one, else a Partner Center code.
func topLevelCode(raw json.RawMessage) (code, bool) {
	id := jsonString(raw)
	if id == "" {
		id = string(raw) // a JSON number
	}
	switch {
	case isDigits(id, 12):
		return code{famPC, trimZeros(id)}, true
	case isWord(id):
		if _, ok := findIn(famGraph, id); ok {
			return code{famGraph, id}, true
		}
		return code{famPC, id}, true
	}
	return code{}, false
}

// jsonString returns raw as a Go string when it is a JSON string, else "".
func jsonString(raw json.RawMessage) string {
	if len(raw) == 0 || raw[0] != '"' {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}
