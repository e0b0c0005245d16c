package troubleshoot

import kit "github.com/onboard365/onboard365/internal/words"

// The app's one sentence kit (internal/words), under the names this package's sentences use:
// every name from outside goes into a sentence through clean or quote.
var (
	quote      = kit.Quote      // a name from outside, in quotation marks
	clean      = kit.Name       // a name from outside, fit for a sentence
	lowerFirst = kit.LowerFirst // a sentence that goes on after a comma
	joinWords  = kit.JoinAnd    // "a, b and c"
)
