package graph

import (
	"encoding/json"
	"github.com/onboard365/onboard365/internal/redact"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Insufficient privileges to complete the operation.", "Insufficient privileges to complete the operation."},
		{"Resource '11111111-2222-3333-4444-555555555555' does not exist", "Resource '11111111-2222-3333-4444-555555555555' does not exist"},
		{"bad token " + testToken + " here", "bad token [removed] here"},
		{testToken, "[removed]"},
		{"see https://graph.microsoft.com/v1.0/users", "see https://graph.microsoft.com/v1.0/users"},
		{strings.Repeat("x", 2000), strings.Repeat("x", 1000)},
	} {
		if got := redact.Tokens(tc.in); got != tc.want {
			t.Errorf("redact.Tokens(%.60q) = %.60q, want %.60q", tc.in, got, tc.want)
		}
	}
}

func TestSafeField(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Authorization_RequestDenied", "Authorization_RequestDenied"},
		{" 2026-05-01T12:00:00 ", "2026-05-01T12:00:00"},
		{"Fri, 01 May 2026 12:00:00 GMT", "Fri, 01 May 2026 12:00:00 GMT"},
		{testToken, ""},
		{"a\nb", ""},
		{`a"b`, ""},
		{strings.Repeat("a", 65), ""},
	} {
		if got := redact.Field(tc.in); got != tc.want {
			t.Errorf("redact.Field(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzDecodeError(f *testing.F) {
	for _, s := range []string{
		`{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"date":"2026-05-01T12:00:00","request-id":"11111111-2222-3333-4444-555555555555","client-request-id":"66666666-7777-8888-9999-000000000000"}}}`,
		`{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist or one of its queried reference-property objects are not present.","innerError":{"date":"2026-05-01T12:00:00","request-id":"a","client-request-id":"b"}}}`,
		`{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid.","innererror":{"date":"2026-05-01T12:00:00","request-id":"c"}}}`,
		`{"error":{"code":"TooManyRequests","message":"Too many requests"}}`,
		`{"error":"invalid_grant","error_description":"AADSTS700082"}`,
		`{"error":{"code":7,"message":null,"innerError":"x"}}`,
		`{"error":{}}`,
		`{"error":null}`,
		`<html>502 Bad Gateway</html>`,
		``,
		`{"error":{"code":"` + testToken + `"}}`,
	} {
		f.Add([]byte(s), 403)
	}
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		d, ok := decodeError(body)
		if !ok {
			if d != (errorBody{}) {
				t.Fatalf("decodeError reported failure but returned %+v", d)
			}
		} else if !json.Valid(body) {
			t.Fatalf("decodeError accepted invalid JSON %q", body)
		}
		for _, f := range []string{d.code, d.requestID, d.date} {
			if redact.Field(f) != f {
				t.Fatalf("unsafe field %q kept", f)
			}
		}
		e := newError("GET", "/v1.0/x", status, http.Header{}, body)
		if e.Code != d.code || e.Message != d.message {
			t.Fatalf("newError %+v disagrees with decodeError %+v", e, d)
		}
		s := e.Error()
		if !strings.Contains(s, "GET /v1.0/x") || !strings.Contains(s, strconv.Itoa(status)) {
			t.Fatalf("Error() = %q does not name the request and status", s)
		}
		_ = e.Explanation()
	})
}

func FuzzDecodePage(f *testing.F) {
	for _, s := range []string{
		`{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#tenantRelationships/delegatedAdminRelationships","value":[{"id":"r1","displayName":"Contoso GDAP","status":"active","customer":{"tenantId":"t1","displayName":"Contoso"}}],"@odata.nextLink":"https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships?$skiptoken=abc"}`,
		`{"value":[]}`,
		`{"value":[{"id":"u1","userPreferredMethodForSecondaryAuthentication":"push","methodsRegistered":["microsoftAuthenticatorPush"]}]}`,
		`{"value":null}`,
		`{"value":{}}`,
		`{"@odata.nextLink":"x"}`,
		`{"value":[1,2,3],"@odata.nextLink":7}`,
		`{"value":[{"id":"u1"}`,
		`[]`,
		`null`,
		``,
	} {
		f.Add([]byte(s))
	}
	type item struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		raw, rawNext, rawErr := decodePage[json.RawMessage](body)
		typed, next, err := decodePage[item](body)
		if rawErr == nil && !json.Valid(body) {
			t.Fatalf("decodePage accepted invalid JSON %q", body)
		}
		if rawErr == nil && raw == nil {
			t.Fatalf("decodePage succeeded with a nil slice on %q", body)
		}
		if err == nil {
			if rawErr != nil {
				t.Fatalf("typed decode succeeded where the raw one failed (%v) on %q", rawErr, body)
			}
			if len(typed) != len(raw) || next != rawNext {
				t.Fatalf("typed decode got %d items and %q, raw got %d and %q", len(typed), next, len(raw), rawNext)
			}
		}
		if rawErr != nil && (raw != nil || rawNext != "") {
			t.Fatalf("failed decode returned data")
		}
	})
}

func FuzzDecodeBatch(f *testing.F) {
	for _, s := range []string{
		`{"responses":[{"id":"1","status":200,"headers":{"Content-Type":"application/json"},"body":{"id":"x"}},{"id":"0","status":404,"body":{"error":{"code":"Request_ResourceNotFound","message":"m"}}}]}`,
		`{"responses":[{"id":"0","status":429,"headers":{"Retry-After":"10"},"body":{"error":{"code":"TooManyRequests"}}},{"id":"1","status":204}]}`,
		`{"responses":[{"id":"0","status":200},{"id":"0","status":200}]}`,
		`{"responses":[{"id":"0","status":200}]}`,
		`{"responses":[{"id":"9","status":200},{"id":"1","status":200}]}`,
		`{"responses":[{"status":200},{"id":"1","status":200}]}`,
		`{"responses":[{"id":"0","status":0},{"id":"1","status":200}]}`,
		`{"responses":[{"id":"0","status":200,"body":null},{"id":"1","status":200,"body":"aGVsbG8="}]}`,
		`{"responses":null}`,
		`{}`,
		``,
	} {
		f.Add([]byte(s), uint8(2))
	}
	f.Fuzz(func(t *testing.T, body []byte, n uint8) {
		ids := make([]string, int(n)%25)
		for i := range ids {
			ids[i] = strconv.Itoa(i)
		}
		got, err := decodeBatch(body, ids)
		if err != nil {
			if got != nil {
				t.Fatalf("decodeBatch returned answers with error %v", err)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("decodeBatch accepted invalid JSON %q", body)
		}
		if len(got) != len(ids) {
			t.Fatalf("%d answers for %d ids", len(got), len(ids))
		}
		for j, a := range got {
			if a.ID != ids[j] {
				t.Fatalf("answer %d has id %q, want %q", j, a.ID, ids[j])
			}
			if a.Status < 100 || a.Status > 599 {
				t.Fatalf("answer %d has status %d", j, a.Status)
			}
			if a.Body != nil && !json.Valid(a.Body) {
				t.Fatalf("answer %d has invalid body %q", j, a.Body)
			}
		}
	})
}
