package permissions

import (
	"strings"

	"github.com/onboard365/onboard365/internal/reference"
)

// Match finds the row of the permission table for a request as it was sent: path with its
// version ("/v1.0/...", "/beta/...", Partner Center's "/v1/..."), real ids and any query. Ids,
// alternate keys and letter case are matched as Microsoft's reference matches them
// (reference.NormalizePath). It reports false for a request the table does not list: a wizard
// that sends one asks for a permission the app registration does not have.
func Match(service Service, method, path string) (Request, bool) {
	version, norm := versionOf(path), reference.NormalizePath(path)
	for _, r := range Requests() {
		if r.Service != service || !strings.EqualFold(r.Method, method) {
			continue
		}
		if versionOf(r.Path) == version && reference.NormalizePath(r.Path) == norm {
			return r, true
		}
	}
	return Request{}, false
}

// versionOf is the first segment of a path: "v1.0", "beta" or "v1".
func versionOf(path string) string {
	p := strings.TrimLeft(path, "/")
	if i := strings.IndexAny(p, "/?"); i >= 0 {
		p = p[:i]
	}
	return strings.ToLower(p)
}
