package onboard

import (
	"fmt"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/words"
)

// Phase is where a relationship request stands, as the person reads it.
type Phase string

// Phases of a request, from Microsoft's statuses (delegatedAdminRelationshipStatus).
const (
	NotSent          Phase = "notSent"    // created, never locked for approval
	AwaitingApproval Phase = "waiting"    // approvalPending: the customer's administrator has not answered
	Activating       Phase = "activating" // approved or activating: Microsoft is setting it up
	Active           Phase = "active"     // active: the roles can be used
	Declined         Phase = "declined"   // ended before it was ever active: the customer said no
	Expired          Phase = "expired"    // expired before it was ever active, or waited past 90 days
	Ended            Phase = "ended"      // it was active and has ended since
	Gone             Phase = "gone"       // Microsoft no longer knows the request
)

// PhaseOf reads a relationship's status. Microsoft documents no status for a request the
// customer declines; a request that ends without ever having been active (no activatedDateTime)
// is read as declined when it was terminated and expired when it expired, and one that still
// says approvalPending after 90 days as expired (internal/sandbox follows the same reading).
func PhaseOf(r gdap.Relationship, sent, now time.Time) Phase {
	neverActive := r.ActivatedDateTime == nil
	switch strings.ToLower(r.Status) {
	case "created":
		return NotSent
	case "approvalpending":
		if since := firstTime(sent, r.CreatedDateTime); !since.IsZero() && !now.Before(since.Add(RequestLifetime)) {
			return Expired
		}
		return AwaitingApproval
	case "approved", "activating":
		return Activating
	case "active", "expiring":
		return Active
	case "expired":
		if neverActive {
			return Expired
		}
	case "terminated", "terminating", "terminationrequested":
		if neverActive {
			return Declined
		}
	}
	return Ended
}

func firstTime(t time.Time, alt *time.Time) time.Time {
	if !t.IsZero() {
		return t
	}
	if alt != nil {
		return *alt
	}
	return time.Time{}
}

// Waits says whether the app should keep reading the request: the customer or Microsoft has
// still to act.
func (p Phase) Waits() bool { return p == AwaitingApproval || p == Activating || p == NotSent }

// Renewable says whether the request is over without access, so a new one is needed.
func (p Phase) Renewable() bool { return p == Declined || p == Expired || p == Gone || p == Ended }

// Word is the phase in a few words, for a list.
func (p Phase) Word() string {
	switch p {
	case NotSent:
		return "not sent"
	case AwaitingApproval:
		return "waiting for approval"
	case Activating:
		return "approved, activating"
	case Active:
		return "approved"
	case Declined:
		return "declined"
	case Expired:
		return "expired"
	case Ended:
		return "ended"
	case Gone:
		return "no longer known to Microsoft"
	}
	return string(p)
}

// Sentence says where an invitation stands and what happens next, in plain words: who it waits
// for and why, its age against Microsoft's 90 days, or what to do when it is over.
func Sentence(inv Invitation, now time.Time) string {
	who := words.Name(inv.Customer.Label())
	age := Age(inv, now)
	switch inv.Phase {
	case NotSent:
		return fmt.Sprintf("The request for %s was made but not sent for approval yet; Onboard365 sends it when you apply the plan.", who)
	case AwaitingApproval:
		return fmt.Sprintf("Waiting for the Global Administrator of %s to approve the request with the link. It was sent %s; %s",
			who, age, expiryWords(inv, now))
	case Activating:
		return fmt.Sprintf("%s approved the request. Microsoft is activating it, which usually takes a few minutes; then Onboard365 sets up your groups.", who)
	case Active:
		return fmt.Sprintf("%s approved the request: the relationship is active.", who)
	case Declined:
		return fmt.Sprintf("The administrator of %s declined the request (it ended without ever being active). Talk to them, then send a new request if they agree.", who)
	case Expired:
		return fmt.Sprintf("The request for %s expired: Microsoft keeps a request for 90 days and nobody approved it. Send a new one.", who)
	case Ended:
		return fmt.Sprintf("The relationship with %s has ended. Send a new request to manage the customer again.", who)
	case Gone:
		return fmt.Sprintf("Microsoft no longer knows the request for %s. Send a new one, or remove it from the list.", who)
	}
	return ""
}

// Age is how long ago the invitation was sent, in words: "today", "3 days ago".
func Age(inv Invitation, now time.Time) string {
	days := int(now.Sub(inv.Sent).Hours() / 24)
	switch {
	case days <= 0:
		return "today"
	case days == 1:
		return "yesterday"
	}
	return words.Count(days, "day") + " ago"
}

// DaysLeft is how many days the request has before Microsoft lets it expire (0 when it has).
func DaysLeft(inv Invitation, now time.Time) int {
	left := inv.Expires().Sub(now)
	if left <= 0 {
		return 0
	}
	return int((left + 24*time.Hour - time.Nanosecond) / (24 * time.Hour))
}

func expiryWords(inv Invitation, now time.Time) string {
	left := DaysLeft(inv, now)
	return fmt.Sprintf("Microsoft lets it expire after 90 days, on %s (%s left).", words.Day(inv.Expires()), words.Count(left, "day"))
}
