package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/onboard365/onboard365/internal/atomicfile"
	"github.com/onboard365/onboard365/internal/filelock"
	"github.com/onboard365/onboard365/internal/redact"
	"github.com/onboard365/onboard365/internal/words"
)

// Status is how one check came out.
type Status string

// The statuses a finding may have (the health check's: pass, warning, fail, could not check).
const (
	Pass          Status = "pass"
	Warning       Status = "warning"
	Fail          Status = "fail"
	CouldNotCheck Status = "couldNotCheck"
)

// rank orders the statuses that say something about the tenant: a higher rank is worse.
func (s Status) rank() int {
	switch s {
	case Warning:
		return 1
	case Fail:
		return 2
	}
	return 0
}

// Finding is one check's outcome for one customer or for the partner: what the health check
// gives the watch (it maps its own result onto these).
type Finding struct {
	// Key names the check and whom it is about, the same from one run to the next:
	// "customer:<tenantId>:gdap", "customer:<tenantId>:consent", "partner:secret".
	Key string `json:"key"`
	// Subject and Check say the same for a person: "Litware", "Consent".
	Subject string `json:"subject"`
	Check   string `json:"check"`
	Status  Status `json:"status"`
	// Stage is a step within a status that should be told again when it changes: "30d", "7d" and
	// "1d" before a relationship ends. Never put what changes on every run (days left) here.
	Stage string `json:"stage,omitempty"`
	// Sentence says what was found; Fix names the wizard that fixes it.
	Sentence string `json:"sentence"`
	Fix      string `json:"fix,omitempty"`
}

// Result is one run of the health check.
type Result struct {
	CheckedAt time.Time
	Findings  []Finding
}

// Kind is what changed about a finding.
type Kind string

// What a change may be, from the worst news to the best.
const (
	Worse     Kind = "worse"     // a problem got worse (a warning is now a failure)
	Appeared  Kind = "appeared"  // a problem is new
	Changed   Kind = "changed"   // a problem moved on to another stage (7 days left, then 1)
	Unchecked Kind = "unchecked" // the check could not run (the result before it still stands)
	Better    Kind = "better"    // a problem is less bad (a failure is now a warning)
	Fixed     Kind = "fixed"     // a problem is gone
	Gone      Kind = "gone"      // something with a problem is no longer checked (a customer left)
)

var kindOrder = map[Kind]int{Worse: 0, Appeared: 1, Changed: 2, Unchecked: 3, Better: 4, Fixed: 5, Gone: 6}

// Change is one thing to tell.
type Change struct {
	Kind Kind
	// Finding is what is true now (for Gone: what was last known).
	Finding Finding
	// Before is the status last known before this run ("" when the check is new).
	Before Status
	// Since is when the problem was first seen: for Fixed, how long it lasted.
	Since time.Time
}

// State is what the watch remembers between runs: the last result, and for each problem since
// when it is there. It holds nothing secret: keys, names, statuses and sentences.
type State struct {
	Version   int          `json:"version"`
	CheckedAt time.Time    `json:"checkedAt"`
	Findings  []Remembered `json:"findings"`
}

// Remembered is one finding as the watch keeps it.
type Remembered struct {
	// Finding is the last finding that said something (pass, warning or fail).
	Finding
	// Unchecked is true while the latest runs could not check it.
	Unchecked bool `json:"unchecked,omitempty"`
	// Since is when the problem in Finding was first seen (zero when it passes).
	Since time.Time `json:"since,omitzero"`
}

const stateVersion = 1

// Diff compares a new result with what the watch remembers, and gives what to remember now and
// what to tell: each change once, and nothing when nothing changed. Statuses are compared, and
// stages; sentences are not (a sentence that counts days changes every day).
//   - a problem that appears, worsens, moves to another stage, gets better or is fixed is told;
//   - a check that could not run is told once, and the result before it stands: when the check
//     runs again and finds what it found before, nothing is told;
//   - a subject that is no longer checked is told only if it had a problem.
//
// The first run (an empty State) tells every problem it finds. Findings with the same key
// after the first are ignored.
func Diff(prev State, now Result) (State, []Change) {
	old := map[string]Remembered{}
	for _, r := range prev.Findings {
		old[r.Key] = r
	}
	next := State{Version: stateVersion, CheckedAt: now.CheckedAt.UTC()}
	var tell []Change
	seen := map[string]bool{}
	for _, f := range now.Findings {
		f = cleanFinding(f)
		if f.Status != Pass && f.Status != Warning && f.Status != Fail {
			f.Status = CouldNotCheck // a status the watch does not know says nothing about the tenant
		}
		if f.Key == "" || seen[f.Key] {
			continue
		}
		seen[f.Key] = true
		p, had := old[f.Key]
		if f.Status == CouldNotCheck {
			r := Remembered{Finding: p.Finding, Unchecked: true, Since: p.Since}
			if !had {
				r.Finding = Finding{Key: f.Key, Subject: f.Subject, Check: f.Check}
			}
			if !had || !p.Unchecked {
				tell = append(tell, Change{Kind: Unchecked, Finding: f, Before: p.Status, Since: p.Since})
			}
			next.Findings = append(next.Findings, r)
			continue
		}
		r := Remembered{Finding: f}
		before := p.Status // "" when never known
		switch {
		case f.Status == Pass && before.rank() > 0:
			tell = append(tell, Change{Kind: Fixed, Finding: f, Before: before, Since: p.Since})
		case f.Status.rank() > 0 && before.rank() == 0:
			r.Since = now.CheckedAt.UTC()
			tell = append(tell, Change{Kind: Appeared, Finding: f, Before: before, Since: r.Since})
		case f.Status.rank() > before.rank():
			r.Since = p.Since
			tell = append(tell, Change{Kind: Worse, Finding: f, Before: before, Since: p.Since})
		case f.Status.rank() > 0 && f.Status.rank() < before.rank():
			r.Since = p.Since
			tell = append(tell, Change{Kind: Better, Finding: f, Before: before, Since: p.Since})
		case f.Status.rank() > 0 && f.Stage != p.Stage:
			r.Since = p.Since
			tell = append(tell, Change{Kind: Changed, Finding: f, Before: before, Since: p.Since})
		case f.Status.rank() > 0:
			r.Since = p.Since
		}
		next.Findings = append(next.Findings, r)
	}
	for _, p := range prev.Findings {
		if !seen[p.Key] && p.Status.rank() > 0 {
			tell = append(tell, Change{Kind: Gone, Finding: p.Finding, Before: p.Status, Since: p.Since})
		}
	}
	sort.SliceStable(tell, func(i, j int) bool {
		a, b := tell[i], tell[j]
		if kindOrder[a.Kind] != kindOrder[b.Kind] {
			return kindOrder[a.Kind] < kindOrder[b.Kind]
		}
		if a.Finding.Subject != b.Finding.Subject {
			return a.Finding.Subject < b.Finding.Subject
		}
		return a.Finding.Key < b.Finding.Key
	})
	return next, tell
}

// cleanFinding keeps a finding's text on one line, short, and free of anything secret-shaped.
func cleanFinding(f Finding) Finding {
	line := func(s string, max int) string {
		s, _ = redact.Scrub(words.Line(s, max))
		return s
	}
	f.Key = line(f.Key, 200)
	f.Subject = line(f.Subject, 100)
	f.Check = line(f.Check, 100)
	f.Stage = line(f.Stage, 40)
	f.Sentence = line(f.Sentence, 500)
	f.Fix = line(f.Fix, 60)
	return f
}

// Store is the watch's memory in one file: JSON, written whole to a new file renamed over the
// old one, under a lock that the window's "check now" and a scheduled run share.
type Store struct {
	path string
}

// OpenStore is the memory at path (made, with its folder, on the first Update).
func OpenStore(path string) *Store { return &Store{path: path} }

// Path is the memory's file.
func (s *Store) Path() string { return s.path }

// DefaultStatePath is where the watch keeps its memory: onboard365/watch-state.json in the
// user's configuration folder (watch-state-sandbox.json for the sandbox).
func DefaultStatePath(sandbox bool) (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the folder for the watch's memory: %w", err)
	}
	name := "watch-state.json"
	if sandbox {
		name = "watch-state-sandbox.json"
	}
	return filepath.Join(dir, "onboard365", name), nil
}

// Load reads the memory. None yet is an empty State; a file that cannot be read as the watch's
// memory is an error (Update then starts again from nothing, which tells every problem anew).
func (s *Store) Load() (State, error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return State{Version: stateVersion}, nil
	}
	if err != nil {
		return State{}, fmt.Errorf("reading the watch's memory: %w", err)
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil || st.Version != stateVersion {
		return State{}, fmt.Errorf("the watch's memory in %s is damaged or from another version; it starts again", filepath.Base(s.path))
	}
	for i := range st.Findings {
		f := cleanFinding(st.Findings[i].Finding)
		if f.Status != Pass && f.Status != Warning && f.Status != Fail {
			f.Status = "" // remembered: the last status that said something, or none yet
		}
		st.Findings[i].Finding = f
	}
	return st, nil
}

// Update compares now with the memory (Diff), hands what changed to tell (when anything did),
// and remembers now. When tell fails, nothing is remembered, so that the next run tells the
// same again: return nil from tell when at least one notice went out. A damaged memory is
// started again from nothing.
func (s *Store) Update(ctx context.Context, now Result, tell func(context.Context, []Change) error) ([]Change, error) {
	lk, err := filelock.Acquire(ctx, s.path+".lock")
	if err != nil {
		return nil, fmt.Errorf("waiting for the watch's memory: %w", err)
	}
	defer lk.Release()
	prev, err := s.Load()
	if err != nil {
		prev = State{Version: stateVersion}
	}
	next, changes := Diff(prev, now)
	if len(changes) > 0 && tell != nil {
		if err := tell(ctx, changes); err != nil {
			return changes, err
		}
	}
	b, err := json.MarshalIndent(next, "", "  ")
	if err != nil {
		return changes, fmt.Errorf("writing the watch's memory: %w", err)
	}
	if err := atomicfile.Write(s.path, append(b, '\n')); err != nil {
		return changes, fmt.Errorf("writing the watch's memory: %w", err)
	}
	return changes, nil
}
