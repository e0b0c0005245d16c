package graph_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/onboard365/onboard365/internal/graph"
)

type tokens struct{}

func (tokens) Token(context.Context) (string, error) { return "access-token", nil }

// A wizard declares the struct it needs, with Graph's property names as JSON
// tags, and lists every page.
func ExampleList() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"value":[
			{"id":"r1","displayName":"Contoso GDAP","status":"active","customer":{"tenantId":"t1","displayName":"Contoso"}},
			{"id":"r2","displayName":"Fabrikam GDAP","status":"approvalPending","customer":{"tenantId":"t2","displayName":"Fabrikam"}}]}`)
	}))
	defer srv.Close()

	type relationship struct {
		ID       string `json:"id"`
		Status   string `json:"status"`
		Customer struct {
			DisplayName string `json:"displayName"`
		} `json:"customer"`
	}
	c := graph.New(srv.URL, srv.Client(), tokens{}, graph.Options{})
	rels, err := graph.List[relationship](context.Background(), c, "/v1.0/tenantRelationships/delegatedAdminRelationships")
	if err != nil {
		fmt.Println("list delegated admin relationships:", err)
		return
	}
	for _, r := range rels {
		fmt.Println(r.Customer.DisplayName, r.Status)
	}
	// Output:
	// Contoso active
	// Fabrikam approvalPending
}
