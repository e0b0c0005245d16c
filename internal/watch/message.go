package watch

import (
	"fmt"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/notify"
)

// Message tells changes as one notice: a title and a summary short enough for a desktop
// notification, and an item for each change, for mail and webhooks. now is the run's time (for
// "fixed after 5 days"). A Finding's Fix is the visible name of the wizard that fixes it
// ("GDAP relationships").
func Message(changes []Change, now time.Time) notify.Message {
	var problems, fixed, unchecked int
	var items []notify.Item
	var short []string // each change in a few words, for the summary
	for _, c := range changes {
		f := c.Finding
		heading := f.Subject
		if f.Check != "" {
			heading += ": " + f.Check
		}
		it := notify.Item{Heading: heading}
		check := f.Check
		if check == "" {
			check = "the check"
		}
		say := f.Subject + ": " + lowerFirst(f.Sentence)
		switch c.Kind {
		case Appeared, Changed:
			problems++
			it.Text = f.Sentence
		case Worse:
			problems++
			it.Text = "Worse than before: " + f.Sentence
		case Unchecked:
			unchecked++
			it.Text = "Could not be checked: " + f.Sentence
			say = f.Subject + ": " + lowerFirst(check) + " could not be checked."
		case Better:
			fixed++
			it.Text, it.Good = "Better, not yet fixed: "+f.Sentence, true
			say = f.Subject + ": " + lowerFirst(check) + " is better."
		case Fixed:
			fixed++
			it.Text, it.Good = "Fixed"+lasted(c.Since, now)+": "+f.Sentence, true
			say = f.Subject + ": " + lowerFirst(check) + " is fixed."
		case Gone:
			fixed++
			it.Text, it.Good = "No longer checked (it had a problem: "+strings.TrimSuffix(f.Sentence, ".")+").", true
			say = f.Subject + " is no longer checked."
		}
		short = append(short, say)
		if !it.Good && c.Kind != Unchecked && f.Fix != "" {
			it.Fix = "Open Onboard365 and run " + f.Fix + " to fix it."
		}
		items = append(items, it)
	}
	var parts []string
	if problems > 0 {
		parts = append(parts, count(problems, "problem", "problems")+" to look at")
	}
	if fixed > 0 {
		parts = append(parts, count(fixed, "problem", "problems")+" solved")
	}
	if unchecked > 0 {
		parts = append(parts, count(unchecked, "check", "checks")+" could not run")
	}
	title := "Onboard365"
	if len(parts) > 0 {
		title += ": " + strings.Join(parts, ", ")
	}
	var summary []string
	for i, s := range short {
		if i == 2 {
			summary = append(summary, fmt.Sprintf("And %d more.", len(short)-2))
			break
		}
		summary = append(summary, s)
	}
	return notify.Message{Title: title, Summary: strings.Join(summary, " "), Items: items}
}

// lasted says how long a problem lasted: " after 5 days", " after 3 hours", or nothing.
func lasted(since, now time.Time) string {
	if since.IsZero() || !now.After(since) {
		return ""
	}
	d := now.Sub(since)
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf(" after %d days", int(d/(24*time.Hour)))
	case d >= 2*time.Hour:
		return fmt.Sprintf(" after %d hours", int(d/time.Hour))
	}
	return ""
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' || (len(s) > 1 && s[1] >= 'A' && s[1] <= 'Z') {
		return s
	}
	return string(s[0]-'A'+'a') + s[1:]
}
