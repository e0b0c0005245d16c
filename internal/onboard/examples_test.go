package onboard

import (
	"testing"

	"github.com/onboard365/onboard365/internal/reference/learn/learntest"
)

// TestMicrosoftsExampleAnswersDecode holds the connection check's reader to the example answers
// of the requests only onboarding makes: a page of a list, with its items.
func TestMicrosoftsExampleAnswersDecode(t *testing.T) {
	learntest.Check(t, "onboard", map[string]learntest.Read{
		"graph/api-reference/v1.0/api/user-list.md": func(t *testing.T, a learntest.Answer) {
			p := learntest.Decodes[listPage](t, a.Where(), a.Body)
			if len(p.Value) == 0 {
				t.Errorf("%s: the page of users reads without its items", a.Where())
			}
		},
	})
}
