package retry

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestRetryable(t *testing.T) {
	for _, tc := range []struct {
		status int
		want   bool
	}{
		{200, false}, {400, false}, {401, false}, {403, false}, {404, false}, {409, false},
		{429, true}, {500, false}, {502, false}, {503, true}, {504, true},
	} {
		if got := Retryable(tc.status); got != tc.want {
			t.Errorf("Retryable(%d) = %v, want %v", tc.status, got, tc.want)
		}
	}
}

func TestAfter(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"  ", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 120 ", 120 * time.Second, true},
		{"99999999999999999999", 24 * time.Hour, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"Fri, 01 May 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Fri, 01 May 2026 11:00:00 GMT", 0, true},
		{"Fri, 31 Dec 9999 23:59:59 GMT", 24 * time.Hour, true},
	} {
		got, ok := After(tc.in, now)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("After(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		attempt int
		limit   time.Duration
		step    time.Duration
	}{
		{0, 30 * time.Second, time.Second},
		{1, 30 * time.Second, 2 * time.Second},
		{4, 30 * time.Second, 16 * time.Second},
		{5, 30 * time.Second, 30 * time.Second},
		{62, 30 * time.Second, 30 * time.Second},
		{-1, 10 * time.Second, 10 * time.Second},
		{0, 0, 0},
	} {
		for range 50 {
			got := Backoff(tc.attempt, tc.limit)
			if got < tc.step/2 || got > tc.step {
				t.Fatalf("Backoff(%d, %v) = %v, want within [%v, %v]", tc.attempt, tc.limit, got, tc.step/2, tc.step)
			}
		}
	}
}

func TestDelay(t *testing.T) {
	now := time.Now()
	if got := Delay(0, "7", 30*time.Second, now); got != 7*time.Second {
		t.Errorf("Delay with Retry-After 7 = %v, want 7s", got)
	}
	if got := Delay(0, "90", 30*time.Second, now); got != 30*time.Second {
		t.Errorf("Delay with Retry-After 90 and limit 30s = %v, want 30s", got)
	}
	if got := Delay(2, "", 30*time.Second, now); got < 2*time.Second || got > 4*time.Second {
		t.Errorf("Delay without Retry-After = %v, want backoff within [2s, 4s]", got)
	}
}

func TestSleep(t *testing.T) {
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatalf("Sleep: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	start := time.Now()
	err := Sleep(ctx, time.Hour)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep after cancel = %v, want context.Canceled", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("Sleep did not stop promptly")
	}
	if err := Sleep(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep(0) on a cancelled context = %v, want context.Canceled", err)
	}
}

func FuzzAfter(f *testing.F) {
	for _, s := range []string{"", "0", "7", "120", "Fri, 01 May 2026 12:00:30 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "99999999999", "-5", "1e3"} {
		f.Add(s)
	}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := After(s, now)
		if !ok && d != 0 {
			t.Fatalf("After(%q) = %v with ok false", s, d)
		}
		if d < 0 || d > 24*time.Hour {
			t.Fatalf("After(%q) = %v, outside [0, 24h]", s, d)
		}
	})
}
