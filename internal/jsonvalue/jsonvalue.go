// Package jsonvalue reads the values of JSON decoded into any (map[string]any, []any, string):
// a value of another type reads as absent, so a reader never panics on an answer or a policy
// shaped otherwise than expected. The troubleshooter reads Conditional Access policies with it,
// and the sandbox the policies it holds; neither owns the other's code.
package jsonvalue

// String is v when it is a string, or "".
func String(v any) string {
	s, _ := v.(string)
	return s
}

// Object is v when it is a JSON object, or nil.
func Object(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// Strings is the strings of a JSON array, as decoded ([]any, whose other items are skipped) or
// as built in Go ([]string); nil for anything else.
func Strings(v any) []string {
	switch a := v.(type) {
	case []string:
		return a
	case []any:
		out := make([]string, 0, len(a))
		for _, x := range a {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
