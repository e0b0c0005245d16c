package ui

import (
	"context"
	"fmt"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/explain"
)

// Keychain is what Settings shows of the app's entries in the OS keychain, and how it forgets them.
type Keychain interface {
	Stored(ctx context.Context) (Stored, error)
	ForgetAll(ctx context.Context) error
}

// Stored describes what is kept, without any secret.
type Stored = app.Stored

// refreshTokenLife is how long a refresh token lasts without use (Microsoft's 90 days).
const refreshTokenLife = 90 * 24 * time.Hour

// keychainSection lists what is stored and offers "Sign out and forget".
func (s *Shell) keychainSection() fyne.CanvasObject {
	body := container.NewVBox(paragraph("Reading this computer's keychain…"))
	section := container.NewVBox(subheading("Stored on this computer"), body)
	var load func()
	load = func() {
		kc := s.opts.Keychain
		s.background(20*time.Second, func(ctx context.Context) func() {
			st, err := kc.Stored(ctx)
			return func() {
				body.RemoveAll()
				if err != nil {
					body.Add(withIcon(theme.ErrorIcon(), explain.Sentence(err)))
					return
				}
				if st.Problem != "" {
					body.Add(withIcon(theme.WarningIcon(), st.Problem))
				}
				for _, line := range describeStored(st, time.Now()) {
					body.Add(paragraph(line))
				}
				if st.SignedIn || st.ClientID != "" || st.Problem != "" {
					forget := widget.NewButtonWithIcon("Sign out and forget", theme.DeleteIcon(), func() { s.confirmForget(load) })
					forget.Importance = widget.DangerImportance
					body.Add(container.NewHBox(forget))
				}
			}
		})
	}
	load()
	return section
}

// describeStored writes what is kept in plain sentences.
func describeStored(st Stored, now time.Time) []string {
	var lines []string
	if st.SignedIn {
		expires := st.Renewed.Add(refreshTokenLife)
		days := wholeDays(expires.Sub(now))
		lines = append(lines, fmt.Sprintf("Sign-in: %s, in tenant %s.", st.Account, st.Tenant),
			fmt.Sprintf("Last renewed %s. Unless it is used, it stops working on %s (%s).",
				st.Renewed.Local().Format("2 January 2006 15:04"), expires.Local().Format("2 January 2006"), daysLeft(days)))
	} else if st.Problem == "" { // with a problem, its sentence says what is kept
		lines = append(lines, "No sign-in is stored. Use Sign in to add one.")
	}
	if st.ClientID != "" {
		days := wholeDays(st.SecretExpires.Sub(now))
		lines = append(lines, fmt.Sprintf("App secret for app %s: expires on %s (%s).", st.ClientID, st.SecretExpires.Local().Format("2 January 2006"), daysLeft(days)))
	} else if st.Problem == "" {
		lines = append(lines, "No app secret is stored.")
	}
	return lines
}

// wholeDays counts a started day as a day left, so "renewed just now" reads 90 days, not 89.
func wholeDays(d time.Duration) int {
	return int(math.Ceil(d.Hours() / 24))
}

func daysLeft(days int) string {
	switch {
	case days < 0:
		return "expired: sign in again"
	case days == 0:
		return "today"
	case days == 1:
		return "1 day left"
	}
	return fmt.Sprintf("%d days left", days)
}

func (s *Shell) confirmForget(reload func()) {
	forget := func() {
		kc := s.opts.Keychain
		s.background(20*time.Second, func(ctx context.Context) func() {
			err := kc.ForgetAll(ctx)
			return func() {
				if err != nil {
					if win := s.window(); win != nil {
						dialog.ShowInformation("Could not forget everything", explain.Sentence(err), win)
					}
				}
				// Every page that showed the old sign-in or secret (Sign in's YES, App
				// registration's secret, Settings' rotation, Home's "Signed in as") starts
				// afresh: none may show what is no longer kept. Home reads the keychain again.
				s.rebuild()
				s.home = homeState{started: s.home.started}
				if s.pages[s.current].id == PageSettings {
					s.showIndex(s.current)
					return
				}
				reload()
			}
		})
	}
	win := s.window()
	if win == nil {
		forget()
		return
	}
	dialog.ShowConfirm("Sign out and forget?",
		"This removes the stored sign-in and the app secret from this computer's keychain. Your tenants are not changed. You will need to sign in again.",
		func(ok bool) {
			if ok {
				forget()
			}
		}, win)
}
