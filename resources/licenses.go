package resources

import _ "embed"

//go:generate go run ../.ci/licenses -o licenses.json

//go:embed licenses.json
var licensesJSON []byte

// Licenses is the licence list (internal/licenses.Parse reads it): every module go.mod requires,
// with its version and licence, made by `go generate ./resources` from the module cache.
func Licenses() []byte { return licensesJSON }
