package wizard

import (
	"context"
	"errors"
	"strings"
	"unicode"

	"github.com/onboard365/onboard365/internal/explain"
)

// Sentence turns an error into what a person reads: what happened, why, and what to do. Errors
// that carry a Microsoft code get the explanation from internal/explain; the app's own errors are
// written as sentences already and are shown as they are.
func Sentence(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.Canceled):
		return "Stopped before it finished. Nothing more was changed. Press Try again to run this step again."
	case errors.Is(err, context.DeadlineExceeded):
		return "This took too long and was stopped. Check your internet connection, then press Try again."
	}
	if e := explain.FromText(err.Error()); e.Known {
		return e.String()
	}
	return asSentence(err.Error())
}

// asSentence capitalises the first letter and ends the text with a full stop.
func asSentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "Something went wrong and no reason was given. Wait a moment, then press Try again."
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	s = string(r)
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "!") && !strings.HasSuffix(s, "?") {
		s += "."
	}
	return s
}
