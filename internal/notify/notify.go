// Package notify delivers the watch's notices: a desktop notification, a Microsoft Teams or a
// Slack incoming webhook, and mail over SMTP. Each is a Notifier; Send hands one Message to all of
// them at once, each with its own time limit, so that one that fails or hangs never holds up the
// others, and says in a sentence what happened to each that failed.
//
// Wiring (`watch run`):
//
//	msg := watch.Message(changes, now) // the changes told as a Message
//	rep := notify.Send(ctx, msg, 0, notify.Desktop{}, notify.Teams{URL: teamsURL},
//		&notify.Mail{Host: "smtp.contoso.com", Port: 587, Username: u, Password: pw, From: f, To: to})
//	for _, f := range rep.Failed { show f.Sentence }
//
// Webhook addresses are secrets (whoever has one can post to the channel) and the mail password
// is one: the caller reads them from the keychain (Mail takes its password through the Secret
// interface, when it sends), and no error here ever holds them.
package notify

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/onboard365/onboard365/internal/words"
)

// Message is one notice: a short title and summary that fit a desktop notification, and the
// detail for mail and webhooks. Text may come from outside (customers' names): every Notifier
// cleans it (words.Text) before it goes out.
type Message struct {
	// Title is a few words: "Onboard365: 2 new problems".
	Title string
	// Summary is a sentence or two, under about 200 characters.
	Summary string
	// Items are the detail, one a change.
	Items []Item
}

// Item is one thing the message tells.
type Item struct {
	// Heading names what it is about: "Relecloud: consent".
	Heading string
	// Text says what happened, and Fix what to do ("Open Onboard365 and run App registration.").
	Text, Fix string
	// Good is true for news that a problem is gone.
	Good bool
}

// Notifier delivers a Message one way.
type Notifier interface {
	// Name says the way in words, for sentences: "the desktop notification", "Teams".
	Name() string
	// Notify delivers m, or says in a sentence why it could not (the error's text is for a person;
	// it never holds a webhook address or a password).
	Notify(ctx context.Context, m Message) error
}

// DefaultTimeout is how long Send gives each Notifier.
const DefaultTimeout = 30 * time.Second

// Report is what Send did.
type Report struct {
	Delivered []string  // the Names of those that delivered
	Failed    []Failure // and those that did not, in the order given
}

// Failure is one Notifier that did not deliver.
type Failure struct {
	Name     string
	Sentence string
	Err      error
}

func (f Failure) Error() string { return f.Sentence }
func (f Failure) Unwrap() error { return f.Err }

// Send hands m to every notifier at once, each with at most timeout (0: DefaultTimeout), and
// waits for all of them.
func Send(ctx context.Context, m Message, timeout time.Duration, to ...Notifier) Report {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	errs := make([]error, len(to))
	var wg sync.WaitGroup
	for i, n := range to {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					errs[i] = fmt.Errorf("%s stopped with an internal error", n.Name())
				}
			}()
			c, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			errs[i] = n.Notify(c, m)
			// Out of time: the notifier's own deadline (its connection's) may end its wait a moment
			// before c says so, hence the clock.
			deadline, _ := c.Deadline()
			if errs[i] != nil && !time.Now().Before(deadline.Add(-10*time.Millisecond)) && ctx.Err() == nil {
				errs[i] = sentence(fmt.Sprintf("%s did not answer within %s, so the notice may not have arrived.", capital(n.Name()), seconds(timeout)), errs[i])
			}
		}()
	}
	wg.Wait()
	var r Report
	for i, n := range to {
		if errs[i] == nil {
			r.Delivered = append(r.Delivered, n.Name())
			continue
		}
		r.Failed = append(r.Failed, Failure{Name: n.Name(), Sentence: words.Line(errs[i].Error(), 500), Err: errs[i]})
	}
	return r
}

// sentenceError is an error whose text is a sentence for a person, with the technical cause kept
// for errors.Is and As (and for a developer's log, after it is cleaned of addresses).
type sentenceError struct {
	text  string
	cause error
}

func (e *sentenceError) Error() string { return e.text }
func (e *sentenceError) Unwrap() error { return e.cause }

func sentence(text string, cause error) error { return &sentenceError{text: text, cause: cause} }

func capital(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

func seconds(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%d seconds", int(d/time.Second))
	}
	return d.String()
}

// limits for what goes out.
const (
	maxTitle   = 80
	maxSummary = 240
	maxItems   = 20
)

// clean is m with its text made safe and short.
func clean(m Message) Message {
	out := Message{Title: words.Line(m.Title, maxTitle), Summary: words.Line(m.Summary, maxSummary)}
	if out.Title == "" {
		out.Title = "Onboard365"
	}
	for _, it := range m.Items {
		out.Items = append(out.Items, Item{
			Heading: words.Line(it.Heading, 150), Text: words.Line(it.Text, 1000),
			Fix: words.Line(it.Fix, 300), Good: it.Good,
		})
	}
	return out
}

// shown is the items a webhook shows, and how many more there are.
func shown(items []Item) ([]Item, int) {
	if len(items) > maxItems {
		return items[:maxItems], len(items) - maxItems
	}
	return items, 0
}
