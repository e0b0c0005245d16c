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
	// End ends the sign-in that waits for this page, at once, with err: context.Canceled when
	// the person gave up in the page (a Cancel beside the sandbox's form, or beside a sign-in
	// that runs outside a wizard step). The sign-in then returns err. InApp calls it itself when
	// the sandbox's pages refuse the sign-in (a wrong password, an app the tenant does not
	// know): like Microsoft's error page, that is the end of this sign-in, and the page says why
	// rather than waiting on.
	End func(err error)
}

// ending is one sign-in's context, which its page may end (Launch.End).
type ending struct {
	ctx context.Context
	end context.CancelCauseFunc
}

func newEnding(ctx context.Context) ending {
	ctx, end := context.WithCancelCause(ctx)
	return ending{ctx: ctx, end: end}
}

// End ends the sign-in with err (context.Canceled for nil).
func (e ending) End(err error) {
	if err == nil {
		err = context.Canceled
	}
	e.end(err)
}

// result is what the sign-in returns, given what it returned itself: the reason it was ended
// with, when the page ended it for a reason of its own (the sandbox's answer), rather than the
// sign-in's own "stopped". It releases the context.
func (e ending) result(err error) error {
	cause := context.Cause(e.ctx)
	e.end(nil)
	if err != nil && cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return err
}

// launcher is the one way every sign-in of the app opens its page (the technician's, the App
// registration wizard's administrator, a customer's own administrator): on Microsoft's cloud in
// a private browser window, and launched is told which; on the sandbox in the app itself,
// offering users, and launched gets the function that answers the sandbox's pages.
//
// end ends the sign-in the page belongs to (Launch.End); the sign-in's ending gives it.
func (a *Account) launcher(users []string, launched func(Launch), end func(error)) func(url string) error {
	return func(url string) error {
		if a.inApp {
			launched(Launch{URL: url, InAppUsers: users, End: end, InApp: func(ctx context.Context, user, password string, approve bool) error {
				err := sandbox.SignInThroughPages(ctx, a.hc, url, user, password, approve)
				if err != nil {
					end(err)
				}
				return err
			}})
			return nil
		}
		l := auth.OpenPrivateWindow(url)
		var failed error
		if !l.Opened {
			failed = errors.New("no browser could be opened") // the page offers the address to copy
		}
		launched(Launch{URL: l.URL, Browser: l.Browser, Private: l.Private, Failed: failed, End: end})
		return nil
	}
}
