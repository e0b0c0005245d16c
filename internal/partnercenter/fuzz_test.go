package partnercenter

import (
	"encoding/json"
	"github.com/onboard365/onboard365/internal/redact"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func TestRedactAndSafeField(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"MFA is required for this request.", "MFA is required for this request."},
		{"bad token " + testToken, "bad token [removed]"},
		{strings.Repeat("y", 1200), strings.Repeat("y", 1000)},
	} {
		if got := redact.Tokens(tc.in); got != tc.want {
			t.Errorf("redact.Tokens(%.50q) = %.50q, want %.50q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"900421", "900421"},
		{"Forbidden", "Forbidden"},
		{"3705fc6d-4127-4a87-bdba-9658f73fe019", "3705fc6d-4127-4a87-bdba-9658f73fe019"},
		{testToken, ""},
		{"a b", "a b"}, // spaces are harmless: a token is longer than 64 characters
		{"a\x00b", ""},
	} {
		if got := redact.Field(tc.in); got != tc.want {
			t.Errorf("redact.Field(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzDecodeError(f *testing.F) {
	for _, s := range []string{
		`{"code":900421,"description":"MFA is required for this request.","data":[],"source":"PartnerCenter"}`,
		`{"code":"900421","description":"Multi-factor authentication is required."}`,
		`{"code":"600061","description":"Permission entry already exists.","data":[],"source":"PartnerCenter"}`,
		`{"code":"Forbidden","description":"The user does not have the required role.","source":"PartnerCenter"}`,
		`{"code":null,"description":7}`,
		`{"code":1.5e3}`,
		`{"code":-4}`,
		`{}`,
		`[]`,
		`null`,
		``,
		`<html>401</html>`,
	} {
		f.Add([]byte(s), 401)
	}
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		d, ok := decodeError(body)
		if !ok && d != (errorBody{}) {
			t.Fatalf("failed decode returned %+v", d)
		}
		if ok && !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		if redact.Field(d.code) != d.code {
			t.Fatalf("unsafe code %q kept", d.code)
		}
		e := newError("GET", "/v1/customers", status, http.Header{}, body, "sent-id")
		if e.Code != d.code || e.Description != d.description || e.RequestID != "sent-id" {
			t.Fatalf("newError %+v disagrees with decodeError %+v", e, d)
		}
		if e.MFARequired() != (d.code == "900421") {
			t.Fatalf("MFARequired = %v for code %q", e.MFARequired(), d.code)
		}
		if s := e.Error(); !strings.Contains(s, "GET /v1/customers") || !strings.Contains(s, strconv.Itoa(status)) {
			t.Fatalf("Error() = %q", s)
		}
		_ = e.Explanation()
	})
}

func FuzzDecodeCustomers(f *testing.F) {
	for _, s := range []string{
		`{"totalCount":2,"items":[{"id":"b44bb1fb-c595-45b0-9e09-d657365580bf","companyProfile":{"tenantId":"<guid>","domain":"domain","companyName":"companyName","attributes":{"objectType":"CustomerCompanyProfile"}},"relationshipToPartner":"reseller","attributes":{"objectType":"Customer"}}],"links":{"self":{"uri":"/v1/customers?size=40","method":"GET","headers":[]}},"attributes":{"objectType":"Collection"}}`,
		`{"totalCount":1,"items":[{"id":"c1"}],"links":{"next":{"uri":"customers?size=40&seekOperation=Next","method":"GET","headers":[{"key":"MS-ContinuationToken","value":"AQAAAA=="}]}}}`,
		`{"items":[],"links":{"next":{"uri":"https://evil.example/v1/customers","method":"GET"}}}`,
		`{"items":[],"links":{"next":{"uri":"//evil.example","method":"GET"}}}`,
		`{"items":[],"links":{"next":{"uri":"customers","method":"GET","headers":[{"key":"Bad Key","value":"x"}]}}}`,
		`{"items":null}`,
		`{"items":{}}`,
		`{"totalCount":0}`,
		`{"items":[{"id":1}]}`,
		`[]`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		items, next, err := decodeCustomers(body)
		if err != nil {
			if items != nil || next != nil {
				t.Fatalf("failed decode returned data")
			}
			return
		}
		if !json.Valid(body) || items == nil {
			t.Fatalf("accepted %q with items %v", body, items)
		}
		if next == nil {
			return
		}
		r, err := nextRequest(*next)
		if err != nil {
			return
		}
		if r.method != http.MethodGet || !strings.HasPrefix(r.path, "/v1/") {
			t.Fatalf("next request %s %q", r.method, r.path)
		}
		u, err := url.Parse("https://api.partnercenter.microsoft.com" + r.path)
		if err != nil || u.Host != "api.partnercenter.microsoft.com" || u.User != nil {
			t.Fatalf("next request %q leaves the base URL: %v", r.path, err)
		}
		for k, vs := range r.header {
			if !validHeaderName(k) {
				t.Fatalf("invalid header name %q", k)
			}
			for _, v := range vs {
				if strings.ContainsAny(v, "\r\n\x00") {
					t.Fatalf("invalid header value %q", v)
				}
			}
		}
	})
}

// FuzzRelationshipRequest: whatever Partner Center answers for the reseller invitation, the
// client never panics and gives only an https link with a host.
func FuzzRelationshipRequest(f *testing.F) {
	f.Add([]byte(`{"url": "https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship&partnerId=3b33e682-00c3-41ee-9dd2-a548adf56438&msppId=0&DAP=false#/BillingAccounts/partner-invitation", "attributes": {"objectType": "RelationshipRequest"}}`))
	f.Add([]byte(`{"url": "javascript:alert(1)"}`))
	f.Add([]byte(`{"url": "https://\n"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := request{method: "GET", path: "/v1/customers/relationshiprequests"}
		var rr RelationshipRequest
		if err := decodeInto(r, answer{body: body}, &rr); err != nil || !httpsLink(rr.URL) {
			return
		}
		u, err := url.Parse(strings.TrimSpace(rr.URL))
		if err != nil || u.Scheme != "https" || u.Host == "" || strings.ContainsAny(rr.URL, "\r\n") {
			t.Fatalf("accepted %q", rr.URL)
		}
	})
}
