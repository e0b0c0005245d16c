package permissions

import (
	"strings"

	"github.com/onboard365/onboard365/internal/reference/learn"
)

// Match finds the row of the permission table for a request as it was sent: path with its
// version ("/v1.0/...", "/beta/...", Partner Center's "/v1/..."), real ids and any query. Ids,
// alternate keys and letter case are matched as the pages' requests are (learn.SamePath). It
// reports false for a request the table does not list: a wizard that sends one asks for a
// permission the app registration does not have.
func Match(service Service, method, path string) (Request, bool) {
	for _, r := range Requests() {
		if r.Service == service && strings.EqualFold(r.Method, method) && learn.SamePath(r.Path, path) {
			return r, true
		}
	}
	return Request{}, false
}
