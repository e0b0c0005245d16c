package notify

import (
	"context"
	"sync"

	"github.com/gen2brain/beeep"
)

// Desktop shows the notice as the system's own notification, through github.com/gen2brain/beeep:
// on Windows 10 and 11 a toast (through the Windows Runtime, with PowerShell as a fallback), on
// macOS the notification centre (with osascript as a fallback), on Linux the freedesktop
// notification service on the session bus (with notify-send as a fallback). None of these needs
// cgo. A notification shows only the title and the summary; the detail is for mail and webhooks.
type Desktop struct {
	// Show is for tests (nil: beeep).
	Show func(title, text string) error
}

// Name is "the desktop notification".
func (Desktop) Name() string { return "the desktop notification" }

// beeepName guards beeep's one setting, the name notifications are shown under (beeep keeps it
// in a package variable).
var beeepName sync.Once

// Notify shows m's title and summary. It returns when the system took the notification, or when
// ctx ends (the system's call then finishes on its own).
func (d Desktop) Notify(ctx context.Context, m Message) error {
	m = clean(m)
	text := m.Summary
	if text == "" && len(m.Items) > 0 {
		text = m.Items[0].Heading
	}
	show := d.Show
	if show == nil {
		beeepName.Do(func() { beeep.AppName = "Onboard365" })
		show = func(title, text string) error { return beeep.Notify(title, text, "") }
	}
	done := make(chan error, 1)
	go func() { done <- show(m.Title, text) }()
	select {
	case err := <-done:
		if err != nil {
			return sentence("The desktop notification could not be shown: this computer's notification service did not take it (is notifications turned off for Onboard365?).", err)
		}
		return nil
	case <-ctx.Done():
		return sentence("The desktop notification could not be shown: the computer's notification service did not answer.", ctx.Err())
	}
}
