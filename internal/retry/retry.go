// Package retry holds the few rules the app's Microsoft clients share for
// trying a request again: which answers mean "try again later", how long to
// wait (the server's Retry-After, or exponential backoff with jitter), and a
// wait that stops as soon as its context is cancelled.
package retry

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// base is the first backoff step; each retry doubles it.
const base = time.Second

// longest is the longest wait After ever returns, whatever the server asks.
const longest = 24 * time.Hour

// Retryable reports whether an HTTP status means the same request may succeed
// later: 429 Too Many Requests, 503 Service Unavailable or 504 Gateway Timeout.
func Retryable(status int) bool {
	return status == http.StatusTooManyRequests ||
		status == http.StatusServiceUnavailable ||
		status == http.StatusGatewayTimeout
}

// After reads a Retry-After value: a whole number of seconds or an HTTP date.
// It returns false when the value is empty or unreadable. A date in the past
// gives 0; no answer is longer than 24 hours.
func After(value string, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(value)
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		if len(v) > 6 { // more than 999999 seconds: longer than a day anyway
			return longest, true
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, false
		}
		return min(time.Duration(n)*time.Second, longest), true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	return max(0, min(d, longest)), true
}

// Backoff is the wait before retry number attempt (0 for the first retry):
// 1s, 2s, 4s... capped at limit, with jitter that picks a point in the upper
// half of that step so that many clients do not retry in step.
func Backoff(attempt int, limit time.Duration) time.Duration {
	if limit <= 0 {
		return 0
	}
	d := limit
	if attempt >= 0 && attempt < 30 && base<<attempt < limit {
		d = base << attempt
	}
	return d/2 + rand.N(d/2+1)
}

// Delay is the wait before retry number attempt: the Retry-After value when
// the server sent a readable one, otherwise Backoff; never more than limit.
func Delay(attempt int, retryAfter string, limit time.Duration, now time.Time) time.Duration {
	if d, ok := After(retryAfter, now); ok {
		return max(0, min(d, limit))
	}
	return Backoff(attempt, limit)
}

// Sleep waits for d, or until ctx is done, whichever comes first. It returns
// ctx's error when the wait was cut short.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
