package authmethods

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/words"
)

// Change is one user whose default method the wizard will switch to an Authenticator
// notification.
type Change struct {
	UserID, UPN, Name string
	From              string // the default method now (userPreferredMethodForSecondaryAuthentication)
	Admin             bool
	Reason            string // the change and why, in one sentence with the user's name
}

// Plan lists the changes for the chosen users (by id), in the order of findings. Users that
// cannot be changed (CanFix false) are never planned, chosen or not.
func Plan(findings []Finding, chosen map[string]bool) []Change {
	var out []Change
	for _, f := range findings {
		if !f.CanFix || !chosen[f.User.ID] {
			continue
		}
		r := f.User
		reason := words.Person(r.Name(), r.UserPrincipalName) + ": the default changes from " + MethodWords(r.Preferred) +
			" to a Microsoft Authenticator notification, so verification requests reach the app."
		if f.Category == SystemPreferred {
			reason += " System-preferred MFA stays on and keeps deciding until it is turned off."
		}
		if f.Admin {
			reason += " This user is an admin."
		}
		out = append(out, Change{UserID: r.ID, UPN: r.UserPrincipalName, Name: r.Name(), From: r.Preferred, Admin: f.Admin, Reason: reason})
	}
	return out
}

// Result says how one change went and what is true now.
type Result struct {
	Change Change
	// Done is true when Microsoft accepted the change.
	Done bool
	// Now is the default method read again after the changes ("" when it could not be read).
	Now string
	// SystemPreferred is true when system-preferred MFA is on for the user, read again.
	SystemPreferred bool
	Sentence        string // what happened and what is true now, in plain words
	Err             error  // why the change or the second read failed, if one did
}

// Batching: 20 requests to a $batch (Graph's limit), a few $batch calls at once.
const (
	batchChunk   = 20
	batchWorkers = 4
	// rereadTime bounds the second read after the person pressed Stop: what was changed by then
	// is still read, briefly.
	rereadTime = 30 * time.Second
)

// Apply switches each change's user to an Authenticator notification (beta PATCH
// /users/{id}/authentication/signInPreferences), 20 users to a $batch, then reads each changed
// user's preferences again, so every result says what is true now. One user's failure never stops
// the others. When ctx is cancelled, users not reached yet are left unchanged and say so; the
// users changed by then are still read again.
//
// progress, when not nil, is called with the number of users whose change has been answered, one
// call at a time.
func Apply(ctx context.Context, c *graph.Client, changes []Change, progress func(done, total int)) []Result {
	out := make([]Result, len(changes))
	sent := make([]bool, len(changes))
	for i, ch := range changes {
		out[i].Change = ch
	}
	var (
		mu   sync.Mutex
		done int
	)
	forEachChunk(ctx, len(changes), batchChunk, batchWorkers, func(lo, hi int) {
		reqs := make([]graph.BatchRequest, 0, hi-lo)
		for _, ch := range changes[lo:hi] {
			reqs = append(reqs, graph.BatchRequest{ID: ch.UserID, Method: http.MethodPatch, URL: preferencesURL(ch.UserID),
				Body: map[string]string{"userPreferredMethodForSecondaryAuthentication": push}})
		}
		answers, err := c.Batch(ctx, "beta", reqs)
		mu.Lock()
		defer mu.Unlock()
		for j := lo; j < hi; j++ {
			sent[j] = true
			switch {
			case err != nil:
				out[j].Err = err
			case answers[j-lo].Err != nil:
				out[j].Err = answers[j-lo].Err
			default:
				out[j].Done = true
			}
		}
		done += hi - lo
		if progress != nil {
			progress(done, len(changes))
		}
	})

	// Read again every user a change was sent for, even after Stop: the person must see what
	// changed before they stopped.
	var reread []int
	for i := range changes {
		if sent[i] {
			reread = append(reread, i)
		}
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rereadTime)
	defer cancel()
	prefs, errs := readPreferences(rctx, c, changes, reread)
	for k, i := range reread {
		if errs[k] == nil {
			out[i].Now = prefs[k].Preferred
			out[i].SystemPreferred = prefs[k].SystemPreferred != nil && *prefs[k].SystemPreferred
		} else if out[i].Err == nil {
			out[i].Err = errs[k]
		}
	}
	for i := range out {
		out[i].Sentence = outcome(out[i], sent[i])
	}
	return out
}

// preferencesURL is a user's sign-in preferences, relative to the version root.
func preferencesURL(userID string) string {
	return "/users/" + url.PathEscape(userID) + "/authentication/signInPreferences"
}

// readPreferences reads the sign-in preferences of the users changes[idx...], in $batch calls.
func readPreferences(ctx context.Context, c *graph.Client, changes []Change, idx []int) ([]Preferences, []error) {
	prefs := make([]Preferences, len(idx))
	errs := make([]error, len(idx))
	for k := range errs {
		errs[k] = errors.New("it was not read again")
	}
	forEachChunk(ctx, len(idx), batchChunk, batchWorkers, func(lo, hi int) {
		reqs := make([]graph.BatchRequest, 0, hi-lo)
		for _, i := range idx[lo:hi] {
			reqs = append(reqs, graph.BatchRequest{ID: changes[i].UserID, Method: http.MethodGet, URL: preferencesURL(changes[i].UserID)})
		}
		answers, err := c.Batch(ctx, "beta", reqs)
		for k := lo; k < hi; k++ {
			if err != nil {
				errs[k] = err
				continue
			}
			prefs[k], errs[k] = decodePreferences(answers[k-lo])
		}
	})
	return prefs, errs
}

// outcome is the sentence of one result.
func outcome(r Result, sent bool) string {
	now := ""
	if r.Now != "" {
		now = " It now defaults to " + MethodWords(r.Now) + "."
	}
	switch {
	case !sent:
		return "Not changed: Onboard365 was stopped before it reached this user."
	case r.Done && r.Now == push && r.SystemPreferred:
		return "Done: the default is now a Microsoft Authenticator notification. System-preferred MFA is on for this user, so Microsoft still picks the most secure method they have."
	case r.Done && r.Now == push:
		return "Done: this user now defaults to a Microsoft Authenticator notification."
	case r.Done && r.Now != "":
		return "Microsoft accepted the change, but reading it again shows " + MethodWords(r.Now) + ". A change can take a minute to show: run the wizard again to check."
	case r.Done:
		return "Microsoft accepted the change, but it could not be read again: " + Describe(r.Err) + " Run the wizard again to check."
	}
	var ge *graph.Error
	if errors.As(r.Err, &ge) {
		switch ge.Status {
		case http.StatusBadRequest:
			return "Not changed: Microsoft says Microsoft Authenticator is not set up for notifications for this user. Give them the instructions to set it up." + now
		case http.StatusForbidden:
			return "Not changed: your access does not allow changing this user's sign-in methods. " +
				"An admin's need Privileged Authentication Administrator; anyone else's need Authentication Administrator." + now
		case http.StatusNotFound:
			return "Not changed: this user no longer exists in the tenant."
		}
	}
	if r.Now == push {
		return "Onboard365 could not tell whether its change arrived (" + strings.TrimSuffix(Describe(r.Err), ".") + "), but this user now defaults to a Microsoft Authenticator notification."
	}
	return "Not changed: " + Describe(r.Err) + now
}
