package onboard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/atomicfile"
	"github.com/onboard365/onboard365/internal/filelock"
)

// The invitation ledger: every invitation the app sent (a GDAP relationship request locked for a
// customer's approval, and the reseller invitation link with it), so that waiting survives closing
// the app and the window and the command line can list, resume, renew and withdraw them.
//
// It is a JSON file in the user's configuration folder, written in one step (internal/atomicfile)
// under a lock that holds across processes (internal/filelock: the window and a command may both
// write it). It holds nothing secret: names, ids, links and dates.
//
//	{"version": 1, "invitations": [{"relationshipId": "…", "customer": {…}, "sent": "…", …}]}

// Invitation is one request the app sent to a customer.
type Invitation struct {
	// RelationshipID is the GDAP relationship sent for approval: the invitation's key.
	RelationshipID   string   `json:"relationshipId"`
	RelationshipName string   `json:"relationshipName,omitempty"`
	Customer         Customer `json:"customer"`
	Templates        []string `json:"templates,omitempty"` // the templates' names
	Roles            []string `json:"roles,omitempty"`     // role template ids asked for
	Duration         string   `json:"duration,omitempty"`  // P730D
	ApprovalLink     string   `json:"approvalLink"`
	ResellerLink     string   `json:"resellerLink,omitempty"` // Partner Center's reseller invitation, for a new customer
	// ResellerAccepted: the customer accepted the reseller invitation (it is a reseller customer
	// in Partner Center's list).
	ResellerAccepted bool      `json:"resellerAccepted,omitempty"`
	Sent             time.Time `json:"sent"`
	Technician       string    `json:"technician,omitempty"` // who sent it
	// Phase is the request's state when it was last read (Checked).
	Phase   Phase     `json:"phase"`
	Checked time.Time `json:"checked,omitempty"`
	// Closed says why the app no longer waits for it: "withdrawn", "renewed" (a new request
	// replaced it; RenewedBy names it) or "onboarded" (the customer is connected); "" while open.
	Closed    string    `json:"closed,omitempty"`
	ClosedAt  time.Time `json:"closedAt,omitempty"`
	RenewedBy string    `json:"renewedBy,omitempty"`
}

// Customer is whom an invitation (or an onboarding) is for.
type Customer struct {
	TenantID string `json:"tenantId,omitempty"` // "" for a new customer until it approves
	Name     string `json:"name"`               // the organization's name; its domain until known
	Domain   string `json:"domain,omitempty"`   // its domain, for example fourthcoffee.onmicrosoft.com
	New      bool   `json:"new,omitempty"`      // it was not with the partner when it was invited
}

// Label is the customer as a sentence names it.
func (c Customer) Label() string {
	switch {
	case strings.TrimSpace(c.Name) != "":
		return c.Name
	case c.Domain != "":
		return c.Domain
	}
	return "the customer " + c.TenantID
}

// Is says whether the invitation is for the customer: the same tenant, or the same domain.
func (c Customer) Is(o Customer) bool {
	if c.TenantID != "" && o.TenantID != "" {
		return strings.EqualFold(c.TenantID, o.TenantID)
	}
	return c.Domain != "" && strings.EqualFold(c.Domain, o.Domain)
}

// Open says whether the app still waits for (or follows) the invitation.
func (i Invitation) Open() bool { return i.Closed == "" }

// Expires is when Microsoft lets the request lapse if the customer does nothing.
func (i Invitation) Expires() time.Time { return i.Sent.Add(RequestLifetime) }

// RequestLifetime is how long a GDAP relationship request waits for the customer's approval
// before it expires (Partner Center's GDAP FAQ, learn.microsoft.com/partner-center/dap-faq:
// "GDAP relationship requests expire after 90 days").
const RequestLifetime = 90 * 24 * time.Hour

// Ledger is the invitation ledger in one file.
type Ledger struct {
	Path string
}

// ledgerVersion is the version of the file's shape this code writes and reads.
const ledgerVersion = 1

// maxLedgerSize bounds the file: a ledger of ten thousand invitations is a few megabytes.
const maxLedgerSize = 32 << 20

type ledgerFile struct {
	Version     int          `json:"version"`
	Invitations []Invitation `json:"invitations"`
}

// DefaultLedger is the ledger in the user's configuration folder: onboard365/invitations.json
// under os.UserConfigDir, or invitations-sandbox.json for the sandbox's invitations, so that
// trying the app never mixes with real customers.
func DefaultLedger(sandbox bool) (*Ledger, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return nil, fmt.Errorf("find this computer's folder for app settings: %w", err)
	}
	name := "invitations.json"
	if sandbox {
		name = "invitations-sandbox.json"
	}
	return &Ledger{Path: filepath.Join(dir, "onboard365", name)}, nil
}

// Load reads every invitation, newest first. A ledger that does not exist yet holds none.
func (l *Ledger) Load() ([]Invitation, error) {
	if l == nil || l.Path == "" {
		return nil, errors.New("the invitation ledger has no file name")
	}
	b, err := readBounded(l.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the invitations Onboard365 sent from %s: %w", l.Path, err)
	}
	invs, err := ParseLedger(b)
	if err != nil {
		return nil, fmt.Errorf("the file of invitations Onboard365 sent, %s, cannot be used: %w. Move it away to start a new one (the requests themselves stay with Microsoft)", l.Path, err)
	}
	return invs, nil
}

func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("it is not an ordinary file")
	}
	if fi.Size() > maxLedgerSize {
		return nil, fmt.Errorf("it is larger than %d MB", maxLedgerSize>>20)
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ParseLedger reads a ledger file's content: its version, and every invitation whole (an id, a
// sent date, an approval link that is Microsoft's https address). Fields a later version adds
// are kept out of the way, not refused: the file only ever gains fields.
func ParseLedger(b []byte) ([]Invitation, error) {
	var f ledgerFile
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("it is not the JSON this app writes (%v)", err)
	}
	if dec.More() {
		return nil, errors.New("it has more after the invitations")
	}
	if f.Version != ledgerVersion {
		return nil, fmt.Errorf("it is version %d, and this app reads version %d", f.Version, ledgerVersion)
	}
	seen := map[string]bool{}
	for i, inv := range f.Invitations {
		if err := inv.valid(); err != nil {
			return nil, fmt.Errorf("invitation %d %s", i+1, err)
		}
		if seen[strings.ToLower(inv.RelationshipID)] {
			return nil, fmt.Errorf("invitation %d is there twice", i+1)
		}
		seen[strings.ToLower(inv.RelationshipID)] = true
	}
	sortNewestFirst(f.Invitations)
	return f.Invitations, nil
}

// valid says what is wrong with an invitation, as the rest of a sentence.
func (i Invitation) valid() error {
	switch {
	case strings.TrimSpace(i.RelationshipID) == "":
		return errors.New("has no relationship id")
	case i.Sent.IsZero():
		return errors.New("has no date it was sent")
	case strings.TrimSpace(i.Customer.Name) == "" && i.Customer.Domain == "" && i.Customer.TenantID == "":
		return errors.New("names no customer")
	}
	for _, l := range []string{i.ApprovalLink, i.ResellerLink} {
		if l == "" {
			continue
		}
		u, err := url.Parse(l)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return errors.New("has a link that is not an https address")
		}
	}
	if i.ApprovalLink == "" {
		return errors.New("has no approval link")
	}
	return nil
}

func sortNewestFirst(invs []Invitation) {
	sort.SliceStable(invs, func(a, b int) bool { return invs[a].Sent.After(invs[b].Sent) })
}

// Update changes the ledger under its lock: change gets the invitations (newest first) and
// changes them in place; what it leaves is written in one step. It waits for another process
// holding the lock until ctx ends.
func (l *Ledger) Update(ctx context.Context, change func(invs []Invitation) ([]Invitation, error)) error {
	if l == nil || l.Path == "" {
		return errors.New("the invitation ledger has no file name")
	}
	lock, err := filelock.Acquire(ctx, l.Path+".lock")
	if err != nil {
		return fmt.Errorf("waiting for the file of invitations: %w", err)
	}
	defer lock.Release()
	invs, err := l.Load()
	if err != nil {
		return err
	}
	invs, err = change(invs)
	if err != nil {
		return err
	}
	for i, inv := range invs {
		if err := inv.valid(); err != nil {
			return fmt.Errorf("keep invitation %d: it %s", i+1, err)
		}
	}
	sortNewestFirst(invs)
	if invs == nil {
		invs = []Invitation{}
	}
	b, err := json.MarshalIndent(ledgerFile{Version: ledgerVersion, Invitations: invs}, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(l.Path, append(b, '\n')); err != nil {
		return fmt.Errorf("write the file of invitations %s: %w", l.Path, err)
	}
	return nil
}

// Record keeps an invitation: a new one is added, one with the same relationship id replaced.
func (l *Ledger) Record(ctx context.Context, inv Invitation) error {
	return l.Update(ctx, func(invs []Invitation) ([]Invitation, error) {
		for i := range invs {
			if strings.EqualFold(invs[i].RelationshipID, inv.RelationshipID) {
				invs[i] = inv
				return invs, nil
			}
		}
		return append(invs, inv), nil
	})
}

// Latest is the newest open invitation for the customer, if any.
func Latest(invs []Invitation, c Customer) (Invitation, bool) {
	for _, inv := range invs { // newest first
		if inv.Open() && inv.Customer.Is(c) {
			return inv, true
		}
	}
	return Invitation{}, false
}
