package app

import (
	"context"
	"errors"

	"github.com/onboard365/onboard365/internal/auth"
	"github.com/onboard365/onboard365/internal/sandbox"
)

// Launch says where a sign-in page opened, for the page to tell the person.
type Launch struct {
	URL     string // the sign-in address, to copy into a private window by hand
	Browser string // "Google Chrome", "Microsoft Edge", …; empty when unknown
	Private bool   // true when a private (InPrivate, incognito) window was opened
	Failed  error  // no browser could be opened
	// InApp, when set, means the page is the sandbox's: the app asks for the account itself and
	// completes the sign-in with this function (no browser, no certificate warning).
	InApp      func(ctx context.Context, username, password string, approveMFA bool) error
	InAppUsers []string // the sandbox accounts to offer
}

// launcher is the one way every sign-in of the app opens its page (the technician's, the App
// registration wizard's administrator, a customer's own administrator): on Microsoft's cloud in
// a private browser window, and launched is told which; on the sandbox in the app itself,
// offering users, and launched gets the function that answers the sandbox's pages.
func (a *Account) launcher(users []string, launched func(Launch)) func(url string) error {
	return func(url string) error {
		if a.inApp {
			launched(Launch{URL: url, InAppUsers: users, InApp: func(ctx context.Context, user, password string, approve bool) error {
				return sandbox.SignInThroughPages(ctx, a.hc, url, user, password, approve)
			}})
			return nil
		}
		l := auth.OpenPrivateWindow(url)
		var failed error
		if !l.Opened {
			failed = errors.New("no browser could be opened") // the page offers the address to copy
		}
		launched(Launch{URL: l.URL, Browser: l.Browser, Private: l.Private, Failed: failed})
		return nil
	}
}
