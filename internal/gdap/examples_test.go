package gdap

import (
	"net/http"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/reference/learn/learntest"
)

// TestMicrosoftsExampleAnswersDecode holds the readers of this package to the example answers
// on Microsoft's pages: each decodes through the type the app reads it with, and keeps every
// field that type declares.
func TestMicrosoftsExampleAnswersDecode(t *testing.T) {
	relationship := func(t *testing.T, a learntest.Answer) {
		for _, item := range learntest.Items(a.Body) {
			r := learntest.Decodes[Relationship](t, a.Where(), item)
			if r.ID == "" || r.Status == "" || r.Customer.TenantID == "" {
				t.Errorf("%s: the relationship reads without id, status or customer: %+v", a.Where(), r)
			}
		}
	}
	assignment := func(t *testing.T, a learntest.Answer) {
		for _, item := range learntest.Items(a.Body) {
			as := learntest.Decodes[AccessAssignment](t, a.Where(), item)
			if as.ID == "" || as.Status == "" || as.AccessContainer.AccessContainerID == "" || len(as.AccessDetails.UnifiedRoles) == 0 {
				t.Errorf("%s: the assignment reads without id, status, group or roles: %+v", a.Where(), as)
			}
		}
	}
	groups := func(t *testing.T, a learntest.Answer) {
		// Microsoft shortens these examples (some items carry no id); Decodes holds the reader
		// to every field an item does carry.
		for _, item := range learntest.Items(a.Body) {
			learntest.Decodes[Group](t, a.Where(), item)
		}
	}
	learntest.Check(t, "gdap", map[string]learntest.Read{
		"graph/api-reference/v1.0/api/tenantrelationship-list-delegatedadminrelationships.md": relationship,
		"graph/api-reference/v1.0/api/tenantrelationship-post-delegatedadminrelationships.md": relationship,
		"graph/api-reference/v1.0/api/delegatedadminrelationship-get.md":                      relationship,
		// Apply sends this PATCH (auto-extend) and does not read the relationship it answers;
		// it must still be a relationship the app can read, as the next check reads it.
		"graph/api-reference/v1.0/api/delegatedadminrelationship-update.md":                 relationship,
		"graph/api-reference/v1.0/api/delegatedadminaccessassignment-get.md":                assignment,
		"graph/api-reference/v1.0/api/delegatedadminrelationship-list-accessassignments.md": assignment,
		"graph/api-reference/v1.0/api/delegatedadminrelationship-post-accessassignments.md": assignment,
		"graph/api-reference/v1.0/api/delegatedadminaccessassignment-update.md": func(t *testing.T, a learntest.Answer) {
			// 202 Accepted: Apply follows the operation the Location names.
			if a.Status != http.StatusAccepted {
				t.Fatalf("%s: status %d, the page's example answers 202", a.Where(), a.Status)
			}
			p, err := operationPath(a.Header("Location"))
			if err != nil || !strings.Contains(p, "/operations/") {
				t.Errorf("%s: the app cannot follow the Location %q: %q, %v", a.Where(), a.Header("Location"), p, err)
			}
			if d := pauseFrom(a.Header("Retry-After")); d <= 0 || d > followMaxPause {
				t.Errorf("%s: Retry-After %q reads as a pause of %v", a.Where(), a.Header("Retry-After"), d)
			}
		},
		"lookup/delegatedadminrelationshipoperation-get.md": func(t *testing.T, a learntest.Answer) {
			op := learntest.Decodes[relationshipOperation](t, a.Where(), a.Body)
			switch op.Status {
			case "notStarted", "running", "succeeded", "failed":
			default:
				t.Errorf("%s: operation status %q is not one follow knows", a.Where(), op.Status)
			}
			if op.ID == "" || op.OperationType == "" {
				t.Errorf("%s: the operation reads without id or type: %+v", a.Where(), op)
			}
		},
		// Apply locks a relationship for approval and reads nothing of the request it answers:
		// a 2xx is all it needs.
		"graph/api-reference/v1.0/api/delegatedadminrelationship-post-requests.md": func(t *testing.T, a learntest.Answer) {
			if a.Status != http.StatusCreated {
				t.Errorf("%s: status %d; Apply takes any 2xx, the page documents 201", a.Where(), a.Status)
			}
		},
		"graph/api-reference/v1.0/api/group-list.md":                   groups,
		"graph/api-reference/v1.0/api/group-post-groups.md":            groups,
		"graph/api-reference/v1.0/api/user-list-transitivememberof.md": groups,
		// Adding a member answers 204 No Content; Apply reads no body.
		"graph/api-reference/v1.0/api/group-post-members.md": func(t *testing.T, a learntest.Answer) {
			if a.Status != http.StatusNoContent || len(a.Body) != 0 {
				t.Errorf("%s: status %d with a body of %d bytes; Apply expects 204", a.Where(), a.Status, len(a.Body))
			}
		},
		"graph/api-reference/v1.0/api/user-get.md": func(t *testing.T, a learntest.Answer) {
			if u := learntest.Decodes[Technician](t, a.Where(), a.Body); u.ID == "" && a.Selects("id") {
				t.Errorf("%s: the technician reads without id", a.Where())
			}
		},
	})
}
