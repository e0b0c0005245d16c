package watch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	fabrikam  = "a1c2e3f4-5b6d-4e8f-9a0b-1c2d3e4f5a6b"
	relecloud = "4d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a"
	litware   = "0b0c6e6f-6f1a-4d8e-9a43-7b1f0c3e2a11"
)

// day is one morning's health check on a fixed clock: day n is n days after 3 May 2026, 07:00.
func day(n int) time.Time {
	return time.Date(2026, 5, 3, 7, 0, 0, 0, time.UTC).AddDate(0, 0, n)
}

func expiry(status Status, stage string, daysLeft int) Finding {
	return Finding{Key: "customer:" + fabrikam + ":relationshipEnds", Subject: "Fabrikam", Check: "Relationship end",
		Status: status, Stage: stage, Sentence: fmt.Sprintf("The GDAP relationship ends in %d days and does not extend itself.", daysLeft), Fix: "gdap"}
}

func consent(status Status) Finding {
	s := "The Onboard365 app is consented and a token redeems."
	if status == Fail {
		s = "The app's consent is gone: tokens for Relecloud no longer redeem."
	}
	return Finding{Key: "customer:" + relecloud + ":consent", Subject: "Relecloud", Check: "Consent", Status: status, Sentence: s, Fix: "appreg"}
}

func secret(status Status, stage string, daysLeft int) Finding {
	return Finding{Key: "partner:secret", Subject: "Your partner tenant", Check: "App secret", Status: status, Stage: stage,
		Sentence: fmt.Sprintf("The app's secret expires in %d days.", daysLeft), Fix: "appreg"}
}

func gdap(status Status) Finding {
	return Finding{Key: "customer:" + litware + ":gdap", Subject: "Litware", Check: "GDAP roles", Status: status,
		Sentence: "GDAP roles: " + string(status) + ".", Fix: "gdap"}
}

// TestTheWatchTellsEachChangeOnce runs the watch every morning for two weeks on a fixed clock,
// through the memory on disk, and checks what it tells each day.
func TestTheWatchTellsEachChangeOnce(t *testing.T) {
	store := OpenStore(filepath.Join(t.TempDir(), "onboard365", "watch-state.json"))
	for _, tc := range []struct {
		day      int
		findings []Finding
		want     []string // kind and key of each change told, in order
	}{
		{0, []Finding{expiry(Pass, "", 90), consent(Pass), secret(Pass, "", 200), gdap(Pass)}, nil},
		// A relationship starts to expire, a consent is lost, the secret nears its end: each is told.
		{1, []Finding{expiry(Warning, "30d", 30), consent(Fail), secret(Warning, "30d", 28), gdap(Pass)},
			[]string{"appeared Fabrikam", "appeared Relecloud", "appeared Your partner tenant"}},
		// The next mornings the sentences count down, the statuses stay: nothing is told.
		{2, []Finding{expiry(Warning, "30d", 29), consent(Fail), secret(Warning, "30d", 27), gdap(Pass)}, nil},
		{3, []Finding{expiry(Warning, "30d", 28), consent(Fail), secret(Warning, "30d", 26), gdap(Pass)}, nil},
		// A week left on the relationship: its next stage is told; the secret is now urgent: worse.
		{4, []Finding{expiry(Warning, "7d", 7), consent(Fail), secret(Fail, "7d", 6), gdap(Pass)},
			[]string{"worse Your partner tenant", "changed Fabrikam"}},
		{5, []Finding{expiry(Warning, "7d", 6), consent(Fail), secret(Fail, "7d", 5), gdap(Pass)}, nil},
		// Consent given again: fixed, told once. A new secret beside the old one: better.
		{6, []Finding{expiry(Warning, "7d", 5), consent(Pass), secret(Warning, "30d", 25), gdap(Pass)},
			[]string{"better Your partner tenant", "fixed Relecloud"}},
		{7, []Finding{expiry(Warning, "7d", 4), consent(Pass), secret(Warning, "30d", 24), gdap(Pass)}, nil},
		// Litware cannot be checked (Microsoft did not answer): told once, then not again; when
		// the check works again and finds what it found before, nothing is told.
		{8, []Finding{expiry(Warning, "7d", 3), consent(Pass), secret(Warning, "30d", 23), gdap(CouldNotCheck)},
			[]string{"unchecked Litware"}},
		{9, []Finding{expiry(Warning, "7d", 2), consent(Pass), secret(Warning, "30d", 22), gdap(CouldNotCheck)}, nil},
		{10, []Finding{expiry(Warning, "7d", 1), consent(Pass), secret(Warning, "30d", 21), gdap(Pass)}, nil},
		// The relationship is extended: fixed. The secret is replaced: fixed.
		{11, []Finding{expiry(Pass, "", 730), consent(Pass), secret(Pass, "", 730), gdap(Pass)},
			[]string{"fixed Fabrikam", "fixed Your partner tenant"}},
		{12, []Finding{expiry(Pass, "", 729), consent(Pass), secret(Pass, "", 729), gdap(Pass)}, nil},
		// Litware's roles break, then Litware leaves with the problem unsolved: told once each.
		{13, []Finding{expiry(Pass, "", 728), consent(Pass), secret(Pass, "", 728), gdap(Fail)}, []string{"appeared Litware"}},
		{14, []Finding{expiry(Pass, "", 727), consent(Pass), secret(Pass, "", 727)}, []string{"gone Litware"}},
		{15, []Finding{expiry(Pass, "", 726), consent(Pass), secret(Pass, "", 726)}, nil},
	} {
		var told []Change
		changes, err := store.Update(context.Background(), Result{CheckedAt: day(tc.day), Findings: tc.findings},
			func(_ context.Context, c []Change) error {
				told = append(told, c...)
				return nil
			})
		if err != nil {
			t.Fatalf("day %d: %v", tc.day, err)
		}
		var got []string
		for _, c := range told {
			got = append(got, string(c.Kind)+" "+c.Finding.Subject)
		}
		if strings.Join(got, ", ") != strings.Join(tc.want, ", ") || len(changes) != len(told) {
			t.Errorf("day %d told [%s]; want [%s]", tc.day, strings.Join(got, ", "), strings.Join(tc.want, ", "))
		}
		for _, c := range told {
			switch {
			case tc.day == 6 && c.Kind == Fixed && (!c.Since.Equal(day(1)) || c.Before != Fail):
				t.Errorf("the fixed consent says it was lost since %v (before %s); want since day 1, fail", c.Since, c.Before)
			case tc.day == 4 && c.Kind == Worse && (!c.Since.Equal(day(1)) || c.Before != Warning || c.Finding.Sentence != "The app's secret expires in 6 days."):
				t.Errorf("the worse secret = %+v", c)
			case tc.day == 8 && c.Kind == Unchecked && c.Before != Pass:
				t.Errorf("the unchecked roles say they were %q before", c.Before)
			}
		}
	}
	st, err := store.Load()
	if err != nil || len(st.Findings) != 3 || !st.CheckedAt.Equal(day(15)) {
		t.Fatalf("the memory after two weeks = %+v, %v", st, err)
	}
}

func TestTheFirstRunTellsEveryProblem(t *testing.T) {
	next, tell := Diff(State{}, Result{CheckedAt: day(0), Findings: []Finding{consent(Fail), gdap(Pass), secret(Warning, "30d", 20), gdap(Fail)}})
	if len(tell) != 2 || tell[0].Finding.Subject != "Relecloud" || tell[1].Finding.Subject != "Your partner tenant" {
		t.Errorf("the first run told %+v", tell)
	}
	if len(next.Findings) != 3 {
		t.Errorf("the first run remembers %d findings; want 3 (the second Litware finding with the same key is ignored)", len(next.Findings))
	}
}

func TestAnUncheckedNewCheckThenAProblem(t *testing.T) {
	store := OpenStore(filepath.Join(t.TempDir(), "watch-state.json"))
	tell, err := store.Update(context.Background(), Result{CheckedAt: day(0), Findings: []Finding{gdap(CouldNotCheck)}}, nil)
	if err != nil || len(tell) != 1 || tell[0].Kind != Unchecked || tell[0].Before != "" {
		t.Fatalf("a check that never ran = %+v, %v", tell, err)
	}
	tell, _ = store.Update(context.Background(), Result{CheckedAt: day(1), Findings: []Finding{gdap(CouldNotCheck)}}, nil)
	if len(tell) != 0 {
		t.Fatalf("it still could not run, and told %+v", tell)
	}
	tell, _ = store.Update(context.Background(), Result{CheckedAt: day(2), Findings: []Finding{gdap(Fail)}}, nil)
	if len(tell) != 1 || tell[0].Kind != Appeared || tell[0].Before != "" {
		t.Fatalf("its first real result, a failure = %+v", tell)
	}
	f := gdap(Pass)
	f.Status = "sideways"
	tell, _ = store.Update(context.Background(), Result{CheckedAt: day(3), Findings: []Finding{f}}, nil)
	if len(tell) != 1 || tell[0].Kind != Unchecked || tell[0].Finding.Status != CouldNotCheck || tell[0].Before != Fail {
		t.Fatalf("a status the watch does not know = %+v", tell)
	}
}

func TestAFailedNoticeIsToldAgain(t *testing.T) {
	store := OpenStore(filepath.Join(t.TempDir(), "watch-state.json"))
	res := Result{CheckedAt: day(1), Findings: []Finding{consent(Fail)}}
	down := errors.New("no notice went out")
	if _, err := store.Update(context.Background(), res, func(context.Context, []Change) error { return down }); !errors.Is(err, down) {
		t.Fatalf("Update = %v; want the notice's error", err)
	}
	calls := 0
	count := func(_ context.Context, c []Change) error { calls += len(c); return nil }
	if _, err := store.Update(context.Background(), res, count); err != nil || calls != 1 {
		t.Fatalf("the next run told %d changes, %v; want the lost consent told again", calls, err)
	}
	if _, err := store.Update(context.Background(), res, count); err != nil || calls != 1 {
		t.Fatalf("a third run told again (%d)", calls)
	}
}

func TestADamagedMemoryStartsAgain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "watch-state.json")
	if err := os.WriteFile(path, []byte(`{"version": 1, "findings": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	store := OpenStore(path)
	if _, err := store.Load(); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("Load of a damaged memory = %v", err)
	}
	changes, err := store.Update(context.Background(), Result{CheckedAt: day(1), Findings: []Finding{consent(Fail)}}, nil)
	if err != nil || len(changes) != 1 || changes[0].Kind != Appeared {
		t.Fatalf("Update over a damaged memory = %+v, %v", changes, err)
	}
	if _, err := store.Load(); err != nil {
		t.Errorf("the memory was not written anew: %v", err)
	}
}

func TestTheMemoryHoldsNothingSecret(t *testing.T) {
	store := OpenStore(filepath.Join(t.TempDir(), "watch-state.json"))
	f := consent(Fail)
	secretValue := "Xy8Q~k3Jd9sLq2Vn7Rt5Wc1Mz8Hb4Pf6Gy0Ae2Ud"
	f.Sentence = "The server said " + secretValue + "\x1b]0;title\x07 and \u202eno more."
	changes, err := store.Update(context.Background(), Result{CheckedAt: day(1), Findings: []Finding{f}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(store.Path())
	if strings.Contains(string(b), secretValue) || strings.Contains(changes[0].Finding.Sentence, secretValue) {
		t.Fatal("a secret reached the watch's memory")
	}
	if changes[0].Finding.Sentence != "The server said [removed] and no more." {
		t.Errorf("the sentence kept = %q", changes[0].Finding.Sentence)
	}
}

func TestTwoRunsAtOnceTellOnce(t *testing.T) {
	store := OpenStore(filepath.Join(t.TempDir(), "watch-state.json"))
	var mu sync.Mutex
	told := 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := store.Update(context.Background(), Result{CheckedAt: day(1), Findings: []Finding{consent(Fail)}},
				func(_ context.Context, c []Change) error {
					mu.Lock()
					told += len(c)
					mu.Unlock()
					return nil
				})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if told != 1 {
		t.Errorf("eight runs at once told the lost consent %d times; want once", told)
	}
}

func TestDefaultStatePath(t *testing.T) {
	dir, err := os.UserConfigDir()
	if err != nil {
		t.Skip(err)
	}
	for sandbox, name := range map[bool]string{false: "watch-state.json", true: "watch-state-sandbox.json"} {
		if got, err := DefaultStatePath(sandbox); err != nil || got != filepath.Join(dir, "onboard365", name) {
			t.Errorf("DefaultStatePath(%v) = %q, %v", sandbox, got, err)
		}
	}
}

func FuzzLoad(f *testing.F) {
	f.Add([]byte(`{"version":1,"checkedAt":"2026-05-03T07:00:00Z","findings":[{"key":"partner:secret","status":"fail","since":"2026-05-01T07:00:00Z"}]}`))
	f.Add([]byte(`{"version":1,"findings":[{"key":"k","status":"bogus","sentence":"\u001b[31m"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "s.json")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := OpenStore(path).Load()
		if err != nil {
			return
		}
		// Whatever loads can be compared with a new result.
		next, _ := Diff(st, Result{CheckedAt: day(0), Findings: []Finding{consent(Fail)}})
		for _, r := range next.Findings {
			if r.Status != Pass && r.Status != Warning && r.Status != Fail && r.Status != CouldNotCheck && r.Status != "" {
				t.Fatalf("a remembered status %q", r.Status)
			}
		}
	})
}
