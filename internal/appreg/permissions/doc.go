// Package permissions is Onboard365's permission table: every request the app's wizards make
// (Requests), the delegated permission each one needs, and what the app registration must ask
// for as a result (Derive: Microsoft Graph permissions split into what is consented in the
// partner tenant and in customers, resolved to their GUIDs through Microsoft's reference data;
// Partner Center's user_impersonation; the application permissions and redirect addresses of
// the integrations the person chose).
//
// The table is the one place where the app's permissions are decided. Tests hold every row to
// Microsoft's permissions reference (internal/reference), and internal/conformance maps every
// request the wizards send, as the sandbox logs it, through Match: a wizard that starts sending
// a request the table does not list fails there.
//
// It depends on nothing but the reference data, so the sandbox can build "half-made" apps from
// the same table (internal/sandbox, scenario_appreg.go).
package permissions
