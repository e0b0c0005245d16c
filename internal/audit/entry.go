// Package audit keeps the audit trail: one entry for every change the app applies to a tenant,
// from any wizard or command, in a local log whose entries are chained by SHA-256 so that an
// edit, a removal or a reordering shows.
//
// Wiring: a wizard's Apply takes a Recorder and calls Record once for each change it made or
// tried, after the call to Microsoft answered:
//
//	err := rec.Record(ctx, audit.Entry{
//		Technician: upn, TenantID: customer.TenantID, TenantName: customer.Name,
//		Source: "gdap", Change: "Created the GDAP relationship Onboard365-Litware",
//		Target: relationship.ID, Before: "", After: "8 roles, 730 days, auto-extend off",
//		Result: audit.Succeeded,
//	})
//
// The window and the commands open the Log at DefaultPath(sandbox); tests use a Memory.
// Nothing secret may go into an entry: Record takes out what has the shape of a token or a
// secret (redact.Scrub), marks the entry Redacted, and records the rest.
package audit

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/onboard365/onboard365/internal/redact"
	"github.com/onboard365/onboard365/internal/words"
)

// Result is how a change ended.
type Result string

// The results an entry may have.
const (
	Succeeded Result = "succeeded"
	Failed    Result = "failed"
)

// Entry is one change the app applied, or tried to apply, to one tenant.
type Entry struct {
	// Seq numbers the entries from 1, in the order they were written (Record sets it).
	Seq int64 `json:"seq"`
	// Time is when the change was made (Record sets it when zero; stored in UTC).
	Time time.Time `json:"time"`
	// Technician is the UPN of the partner user who was signed in.
	Technician string `json:"technician"`
	// TenantID and TenantName name the tenant changed: a customer, or the partner's own.
	TenantID   string `json:"tenantId"`
	TenantName string `json:"tenantName"`
	// Source is the wizard or command the change came from ("gdap", "onboard", "token", ...).
	Source string `json:"source"`
	// Change says what was changed, in a plain sentence.
	Change string `json:"change"`
	// Target is the id of what was changed (a relationship, a group, a policy), if any.
	Target string `json:"target,omitempty"`
	// Before and After describe the thing before and after the change; never a secret.
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
	// Result is how it ended, and Detail why, when it failed.
	Result Result `json:"result"`
	Detail string `json:"detail,omitempty"`
	// Redacted is true when Record took something out that looked like a token or secret.
	Redacted bool `json:"redacted,omitempty"`
	// Prev is the Hash of the entry before (empty for the first).
	Prev string `json:"prev"`
	// Hash is the SHA-256 of this entry as written (Record and Read set it; it is written at the
	// start of the entry's line, not in this field's place).
	Hash string `json:"-"`
}

// Recorder is what every wizard's Apply and every command that changes something calls, once for
// each change. Log, Memory and Discard are Recorders.
type Recorder interface {
	Record(ctx context.Context, e Entry) error
}

// Discard is a Recorder that keeps nothing (for code paths with nothing to record to).
type Discard struct{}

// Record checks e as a Log would, and keeps nothing.
func (Discard) Record(_ context.Context, e Entry) error {
	_, err := prepare(e, time.Now)
	return err
}

// Memory is a Recorder that keeps entries in memory, as a Log would write them (cleaned, with
// secrets taken out, numbered and chained), for tests. It is safe for concurrent use.
type Memory struct {
	// Now gives the time for entries without one; nil: time.Now.
	Now func() time.Time

	mu      sync.Mutex
	entries []Entry
}

// Record keeps e.
func (m *Memory) Record(_ context.Context, e Entry) error {
	now := m.Now
	if now == nil {
		now = time.Now
	}
	p, err := prepare(e, now)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var last *Entry
	if n := len(m.entries); n > 0 {
		last = &m.entries[n-1]
	}
	_, p, err = encode(p, last)
	if err != nil {
		return err
	}
	m.entries = append(m.entries, p)
	return nil
}

// Entries is a copy of what was recorded, in order.
func (m *Memory) Entries() []Entry {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.entries)
}

// Field lengths an entry keeps (in characters; longer is cut with "…").
const (
	maxName   = 200
	maxChange = 300
	maxState  = 2000
)

// prepare checks an entry and makes it safe to keep: every field on one line without escapes or
// invisible characters, cut to length, with token- and secret-shaped runs taken out.
func prepare(e Entry, now func() time.Time) (Entry, error) {
	redacted := false
	field := func(s string, max int) string {
		s = words.Line(s, max)
		s, found := redact.Scrub(s)
		redacted = redacted || found
		return s
	}
	e.Technician = field(e.Technician, maxName)
	e.TenantID = field(e.TenantID, maxName)
	e.TenantName = field(e.TenantName, maxName)
	e.Source = field(e.Source, maxName)
	e.Change = field(e.Change, maxChange)
	e.Target = field(e.Target, maxName)
	e.Before = field(e.Before, maxState)
	e.After = field(e.After, maxState)
	e.Detail = field(e.Detail, maxChange)
	e.Redacted = e.Redacted || redacted
	var missing []string
	if e.Technician == "" {
		missing = append(missing, "the technician")
	}
	if e.TenantID == "" {
		missing = append(missing, "the tenant")
	}
	if e.Change == "" {
		missing = append(missing, "what was changed")
	}
	if len(missing) > 0 {
		return Entry{}, fmt.Errorf("an audit entry must say %s", strings.Join(missing, " and "))
	}
	if e.Result != Succeeded && e.Result != Failed {
		return Entry{}, fmt.Errorf("an audit entry's result is %q or %q, not %q", Succeeded, Failed, e.Result)
	}
	if e.Time.IsZero() {
		e.Time = now()
	}
	e.Time = e.Time.UTC()
	e.Seq, e.Prev, e.Hash = 0, "", ""
	return e, nil
}

// DefaultPath is where the window and the commands keep the audit log: onboard365/audit.log in
// the user's configuration folder, or audit-sandbox.log for the changes made in the sandbox, so
// that trying the app never mixes with real work.
func DefaultPath(sandbox bool) (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the folder for the audit log: %w", err)
	}
	name := "audit.log"
	if sandbox {
		name = "audit-sandbox.log"
	}
	return filepath.Join(dir, "onboard365", name), nil
}
