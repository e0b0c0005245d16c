package onboard

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/retry"
)

// DefaultPauses are the waits between readings of an invitation: short at first (a customer
// who approves at once sees it within seconds), then longer, at most a minute; the last repeats.
var DefaultPauses = []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 15 * time.Second, 30 * time.Second, time.Minute}

// Read reads an invitation again at Microsoft: its request's phase (and the customer Microsoft
// set when it was approved) and, for a new customer who got the reseller invitation, whether
// they accepted it. It keeps the reading in the ledger.
func Read(ctx context.Context, env Env, inv Invitation) (Invitation, error) {
	now := env.now()
	r, err := readRelationship(ctx, env, inv.RelationshipID)
	var ge *graph.Error
	switch {
	case errors.As(err, &ge) && ge.Status == http.StatusNotFound:
		inv.Phase = Gone
	case err != nil:
		return inv, err
	default:
		inv.Phase = PhaseOf(r, inv.Sent, now)
		if r.Customer.TenantID != "" {
			inv.Customer.TenantID = r.Customer.TenantID
			if r.Customer.DisplayName != "" {
				inv.Customer.Name = r.Customer.DisplayName
			}
		}
	}
	if inv.ResellerLink != "" && !inv.ResellerAccepted {
		listed, err := env.PartnerCenter.ListCustomers(ctx)
		if err != nil {
			return inv, err
		}
		inv.ResellerAccepted = resellerOf(listed, inv.Customer.Domain)
	}
	inv.Checked = now
	if err := env.Ledger.Record(ctx, inv); err != nil {
		return inv, err
	}
	return inv, nil
}

// Settled says whether there is nothing more to wait for: the request is over (active,
// declined, expired, ended, gone) and a reseller invitation sent with it was accepted, or the
// request will not become active.
func (i Invitation) Settled() bool {
	if i.Phase.Waits() {
		return false
	}
	return i.ResellerLink == "" || i.ResellerAccepted || i.Phase != Active
}

// Wait reads an invitation again after each pause (the last one repeats; nil means
// DefaultPauses) until it is Settled, or ctx ends (the error is then ctx's); a value on wake reads
// it at once (the window's sandbox approves, and looks). When the request moves on (approved,
// activating) the pauses start again from the first. report, when not nil, gets every
// reading. A reading that fails is retried after the next pause; report gets the invitation as
// it was, and the error is returned only when ctx ends.
func Wait(ctx context.Context, env Env, inv Invitation, pauses []time.Duration, wake <-chan struct{}, report func(Invitation, error)) (Invitation, error) {
	if len(pauses) == 0 {
		pauses = DefaultPauses
	}
	for n := 0; ; n++ {
		got, err := Read(ctx, env, inv)
		if err == nil {
			if got.Phase != inv.Phase || got.ResellerAccepted != inv.ResellerAccepted {
				n = 0 // something moved: the next step often follows soon, so look again soon
			}
			inv = got
		}
		if report != nil {
			report(inv, err)
		}
		if err == nil && inv.Settled() {
			return inv, nil
		}
		pause := pauses[min(n, len(pauses)-1)]
		wctx, cancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-wake:
				cancel()
			case <-wctx.Done():
			}
		}()
		err = retry.Sleep(wctx, pause)
		cancel()
		if ctx.Err() != nil {
			return inv, ctx.Err()
		}
		_ = err // woken early: read now
	}
}
