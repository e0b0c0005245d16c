package health

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/onboard365/onboard365/internal/atomicfile"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/watch"
	"github.com/onboard365/onboard365/internal/words"
)

// DefaultPath is where the last health check is kept, so that Home shows it at once:
// onboard365/health.json in the user's configuration folder (health-sandbox.json for the
// sandbox). The window's checks and the scheduled watch's both write it. It holds the report as
// `check all --format json` prints it: nothing secret.
func DefaultPath(sandbox bool) (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the folder for the last health check: %w", err)
	}
	name := "health.json"
	if sandbox {
		name = "health-sandbox.json"
	}
	return filepath.Join(dir, "onboard365", name), nil
}

// maxSaved is the largest last-result file Load reads (a report of 5,000 customers is a few MB).
const maxSaved = 64 << 20

// Save keeps r at path, written whole in one step (a new file renamed over the old one).
func Save(path string, r Report) error {
	b, err := json.Marshal(words.Cleaned(r))
	if err != nil {
		return fmt.Errorf("keeping the health check: %w", err)
	}
	if err := atomicfile.Write(path, append(b, '\n')); err != nil {
		return fmt.Errorf("keeping the health check: %w", err)
	}
	return nil
}

// Load reads the report kept at path: ok false when there is none yet. A file that is not a
// report (damaged, or too large) is an error; the next check replaces it.
func Load(path string) (r Report, ok bool, err error) {
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return Report{}, false, nil
	}
	if err != nil {
		return Report{}, false, fmt.Errorf("reading the last health check: %w", err)
	}
	if !st.Mode().IsRegular() || st.Size() > maxSaved {
		return Report{}, false, fmt.Errorf("the last health check in %s is not one Onboard365 wrote; the next check replaces it", filepath.Base(path))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return Report{}, false, fmt.Errorf("reading the last health check: %w", err)
	}
	r, err = Decode(b)
	if err != nil {
		return Report{}, false, fmt.Errorf("the last health check in %s is damaged; the next check replaces it", filepath.Base(path))
	}
	return r, true, nil
}

// Decode reads a report as WriteJSON and Save write it (outside input: the file may have been
// changed). Every string comes back cleaned, every status is one of plan's, and a report without
// its time is refused.
func Decode(b []byte) (Report, error) {
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return Report{}, errors.New("not a health check")
	}
	if r.CheckedAt.IsZero() {
		return Report{}, errors.New("a health check without its time")
	}
	fix := func(parts []Part) {
		for i := range parts {
			parts[i] = tidy(parts[i])
		}
	}
	fix(r.Partner.Checks)
	r.Partner.Status = known(r.Partner.Status)
	for i := range r.Customers {
		fix(r.Customers[i].Checks)
		r.Customers[i].Status = known(r.Customers[i].Status)
	}
	r.Count()
	return words.Cleaned(r), nil
}

func known(s plan.Status) plan.Status {
	switch s {
	case plan.Pass, plan.Warning, plan.Fail, plan.CouldNotCheck:
		return s
	}
	return plan.CouldNotCheck
}

// Findings are the report's parts as the scheduled watch remembers and compares them
// (internal/watch): one per part, keyed "partner:<check>" or "customer:<tenant id>:<check>".
func (r Report) Findings() watch.Result {
	out := watch.Result{CheckedAt: r.CheckedAt}
	add := func(key, subject string, p Part) {
		out.Findings = append(out.Findings, watch.Finding{Key: key, Subject: subject, Check: p.Title,
			Status: watch.Status(p.Status), Stage: p.Stage, Sentence: p.Sentence, Fix: string(p.Fix)})
	}
	for _, p := range r.Partner.Checks {
		add("partner:"+string(p.Check), PartnerName, p)
	}
	for _, c := range r.Customers {
		for _, p := range c.Checks {
			add("customer:"+key(c.TenantID)+":"+string(p.Check), label(c.Name, c.TenantID), p)
		}
	}
	return out
}
