// Package permissions is Onboard365's permission table: every request the app's wizards make
// (Requests), the delegated permission each one needs, and what the app registration must ask
// for as a result (Derive: Microsoft Graph permissions split into what is consented in the
// partner tenant and in customers, resolved to their GUIDs through Microsoft's reference data;
// Partner Center's user_impersonation; the application permissions and redirect addresses of
// the integrations the person chose).
//
// The table is the one place where the app's requests are listed, and Microsoft's pages decide
// what each needs: Resolve holds every row to its page (internal/reference/learn, generated from
// the Learn pages by go generate) and picks the least-privileged alternative the page names, or
// the row's own choice where Why says why; Derive gathers them. Tests hold the table to the pages
// (TestTableFollowsThePages, TestDerivedPermissionsMeetEveryPage), and internal/conformance maps
// every request the wizards send, as the sandbox logs it, through Match and holds it to its page:
// a wizard that starts sending a request the table does not list, or one without a page, fails
// there.
//
// The sandbox imports none of this: it decides from the same pages, and its scenarios consent
// what Entra would hold after this wizard (internal/sandbox, scenario_consent.go), which a test
// keeps equal to Derive.
package permissions
