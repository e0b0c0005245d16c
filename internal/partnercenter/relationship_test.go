package partnercenter

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
)

func TestGetRelationshipRequest(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       string // the link; "" for a *DecodeError
	}{
		{"the page's example", `{"url": "https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship&partnerId=3b33e682-00c3-41ee-9dd2-a548adf56438&msppId=0&DAP=false#/BillingAccounts/partner-invitation", "attributes": {"objectType": "RelationshipRequest"}}`,
			"https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship&partnerId=3b33e682-00c3-41ee-9dd2-a548adf56438&msppId=0&DAP=false#/BillingAccounts/partner-invitation"},
		{"no link", `{"attributes": {"objectType": "RelationshipRequest"}}`, ""},
		{"not https", `{"url": "http://admin.microsoft.com/Adminportal/Home"}`, ""},
		{"not a link", `{"url": "::"}`, ""},
		{"not an object", `["https://admin.microsoft.com"]`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method != "GET" || r.URL.Path != "/v1/customers/relationshiprequests" {
					t.Errorf("got %s %s", r.Method, r.URL.Path)
				}
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				_, _ = io.WriteString(w, tc.body)
			}, Options{})
			rr, err := c.GetRelationshipRequest(context.Background())
			var de *DecodeError
			switch {
			case tc.want == "" && !errors.As(err, &de):
				t.Fatalf("got %+v, %v; want a DecodeError", rr, err)
			case tc.want != "" && (err != nil || rr.URL != tc.want):
				t.Fatalf("got %+v, %v; want %s", rr, err, tc.want)
			}
		})
	}
}
