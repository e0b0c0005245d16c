package sandbox

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// The customer's side of onboarding: the sandbox plays the customers' administrators (and the
// administrators of prospects, organizations that are not the partner's customers yet), who
// answer a GDAP relationship request and Partner Center's reseller invitation.
//
// What Microsoft documents, and the sandbox follows:
//   - A relationship locked for approval is approvalPending until the customer's Global
//     Administrator approves it with the approval link; Microsoft then provisions it (activating)
//     and it becomes active (delegatedadminrelationship, delegatedAdminRelationshipStatus). A
//     relationship created without a customer gets the customer who approves it ("configured
//     either by the partner at the time the relationship is created or by the system after the
//     customer approves the relationship").
//   - A request the customer does nothing with expires after 90 days (Partner Center's GDAP FAQ,
//     learn.microsoft.com/partner-center/dap-faq): the sandbox shows it expired, with no
//     activation date.
//   - A customer who accepts the reseller invitation appears in the partner's customer list
//     (Partner Center, "Request a reseller relationship"), as a reseller customer.
//
// What the sandbox assumes where no stored page says: an organization that approves a GDAP
// request without being a customer appears in the customer list too, with relationshipToPartner
// "none" (a value the customer resource names), so that Partner Center can consent an app there.
//
// What no stored page says: the status of a request the customer declines. The sandbox shows it
// terminated without ever having been active (terminated: "the system has completed
// deprovisioning the relationship"), which is how the app tells a decline from an expiry.
//
// Who answers: a request that names a customer reaches that customer's administrator when it is
// locked for approval (the technician sends them the link), and they answer after
// Options.ApprovalDelay; with no delay they answer only when the link is opened
// (OpenAsCustomer). A request that names nobody, and a reseller invitation, are answered by
// whoever opens the link. Each administrator answers as the scenario says (Answer): the
// customers and Fourth Coffee approve, Margie's Travel declines, Coho Winery never answers.

// Answers a customer's administrator gives (Options.Answer).
const (
	AnswerApprove = "approve" // approve the request, accept the invitation
	AnswerDecline = "decline" // decline the request
	AnswerNever   = "never"   // never answer: the request expires after 90 days
)

// Prospects of the default scenario: organizations that are not the partner's customers yet.
const (
	ProspectDomain         = "fourthcoffee.onmicrosoft.com"  // Fourth Coffee approves
	ProspectDeclinesDomain = "margiestravel.onmicrosoft.com" // Margie's Travel declines
	ProspectSilentDomain   = "cohowinery.onmicrosoft.com"    // Coho Winery never answers
)

// requestLifetime is how long a GDAP request waits for the customer before it expires.
const requestLifetime = 90 * 24 * time.Hour

// activationReads is how many reads of an approved relationship show it activating before it
// is active.
const activationReads = 1

// customerSide is the world's part that plays the customers' administrators.
type customerSide struct {
	prospects []*tenant         // not the partner's customers yet
	answers   map[string]string // by tenant id: how the tenant's administrator answers
	answer    string            // Options.Answer: every administrator answers so; "" for each tenant's own
	delay     time.Duration     // Options.ApprovalDelay
	wall      func() time.Time  // this computer's clock: delays run on it, not the simulated one
	reseller  []resellerAnswer  // reseller invitations opened and not yet accepted
	adminOnly map[string]bool   // by tenant id: in the customer list through a GDAP approval only
}

// resellerAnswer is a reseller invitation a tenant's administrator will accept at a time.
type resellerAnswer struct {
	t  *tenant
	at time.Time
}

// answerState is what a relationship waits for on the customer's side.
type answerState struct {
	by   *tenant   // the administrator who will answer
	at   time.Time // when they answer, on this computer's clock
	what string    // AnswerApprove or AnswerDecline
}

// addProspects puts the default scenario's prospects in the world: tenants Entra knows, with an
// administrator and a licence, that are not the partner's customers.
func addProspects(w *world) {
	for i, p := range []struct{ name, short, answer string }{
		{"Fourth Coffee", "fourthcoffee", AnswerApprove},
		{"Margie's Travel", "margiestravel", AnswerDecline},
		{"Coho Winery", "cohowinery", AnswerNever},
	} {
		t := customerTenant(p.name, p.short, 20+i)
		w.addTenant(t)
		w.side.prospects = append(w.side.prospects, t)
		w.side.answers[t.id] = p.answer
	}
}

// dropProspect takes a prospect out (a scenario that has it as a customer instead).
func (w *world) dropProspect(domain string) {
	kept := w.side.prospects[:0]
	for _, t := range w.side.prospects {
		if !strings.EqualFold(t.domain, domain) {
			kept = append(kept, t)
		}
	}
	w.side.prospects = kept
}

// answerOf is how a tenant's administrator answers.
func (w *world) answerOf(t *tenant) string {
	if w.side.answer != "" {
		return w.side.answer
	}
	if a, ok := w.side.answers[t.id]; ok {
		return a
	}
	return AnswerApprove
}

// locked is called when a relationship is locked for approval: one that names a customer reaches
// that customer's administrator, who answers after the delay (with none, only when the link is
// opened).
func (w *world) locked(r *relationship) {
	r.locked = w.now()
	if r.customerID == "" || w.side.delay <= 0 {
		return
	}
	if t := w.tenant(r.customerID); t != nil {
		w.schedule(r, t)
	}
}

// schedule makes t's administrator answer r after the delay, as they answer.
func (w *world) schedule(r *relationship, t *tenant) {
	switch a := w.answerOf(t); a {
	case AnswerApprove, AnswerDecline:
		r.answer = &answerState{by: t, at: w.side.wall().Add(w.side.delay), what: a}
	}
}

// settleRelationship moves a relationship on as time passes, when it is read: the customer's
// answer when it is due, the expiry of a request nobody answered, and Microsoft's activation,
// which shows for activationReads reads.
func (w *world) settleRelationship(r *relationship) {
	w.settleAnswer(r)
	if r.status == "activating" {
		if r.activating > 0 {
			r.activating--
			return
		}
		now := w.now()
		r.status, r.activated, r.modified = "active", now, now
		if days, ok := durationDays(r.duration); ok {
			r.ended = now.AddDate(0, 0, days)
		}
		r.etag++
	}
}

// settleAnswer gives the customer's answer when it is due, and expires a request nobody answered.
func (w *world) settleAnswer(r *relationship) {
	if r.status == "approvalPending" && r.answer != nil && !w.side.wall().Before(r.answer.at) {
		a := r.answer
		r.answer = nil
		if a.what == AnswerApprove {
			_ = w.approve(r, a.by)
		} else {
			w.decline(r)
		}
	}
	if r.status == "approvalPending" {
		since := r.locked
		if since.IsZero() {
			since = r.created
		}
		if !w.now().Before(since.Add(requestLifetime)) {
			r.status, r.ended, r.modified, r.answer = "expired", since.Add(requestLifetime), w.now(), nil
			r.etag++
		}
	}
}

// approve is t's administrator approving r: it becomes t's, and Microsoft starts provisioning it.
func (w *world) approve(r *relationship, t *tenant) error {
	if r.status != "approvalPending" {
		return fmt.Errorf("the request %q is %s, not waiting for approval", r.displayName, r.status)
	}
	if r.customerID != "" && !strings.EqualFold(r.customerID, t.id) {
		return fmt.Errorf("the request %q is for another organization, not %s", r.displayName, t.displayName)
	}
	r.customerID, r.customerName = t.id, t.displayName
	r.status, r.activating, r.modified, r.answer = "activating", activationReads, w.now(), nil
	if !w.isCustomer(t) {
		w.customers = append(w.customers, t)
		w.side.adminOnly[t.id] = true
		w.dropProspect(t.domain)
	}
	r.etag++
	return nil
}

// decline is the customer's administrator declining r (see the package comment above).
func (w *world) decline(r *relationship) {
	r.status, r.ended, r.modified, r.answer = "terminated", w.now(), w.now(), nil
	r.etag++
}

// acceptReseller makes t one of the partner's customers in Partner Center.
func (w *world) acceptReseller(t *tenant) {
	if !w.isCustomer(t) {
		w.customers = append(w.customers, t)
	}
	delete(w.side.adminOnly, t.id)
	w.dropProspect(t.domain)
}

// settleCustomers accepts the reseller invitations whose answer is due.
func (w *world) settleCustomers() {
	kept := w.side.reseller[:0]
	for _, a := range w.side.reseller {
		if w.side.wall().Before(a.at) {
			kept = append(kept, a)
			continue
		}
		w.acceptReseller(a.t)
	}
	w.side.reseller = kept
}

// link is what an approval link or a reseller invitation names.
type link struct {
	relationshipID string // a GDAP approval link
	reseller       bool   // Partner Center's reseller invitation
}

// readLink tells an approval link (…/granularAdminRelationships/{id}) from Partner Center's
// reseller invitation (…?invType=ResellerRelationship&partnerId=…), for this partner.
func (w *world) readLink(raw string) (link, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return link{}, errors.New("that is not a link")
	}
	const gdapPart = "/partners/invitation/granularAdminRelationships/"
	if i := strings.Index(u.Fragment, gdapPart); i >= 0 {
		return link{relationshipID: strings.Trim(u.Fragment[i+len(gdapPart):], "/")}, nil
	}
	q := u.Query()
	if strings.EqualFold(q.Get("invType"), "ResellerRelationship") {
		if !strings.EqualFold(q.Get("partnerId"), w.partner.id) {
			return link{}, errors.New("the reseller invitation is from another partner")
		}
		return link{reseller: true}, nil
	}
	return link{}, errors.New("the link is neither an approval link for a GDAP relationship nor a reseller invitation")
}

func (w *world) relationshipByID(id string) *relationship {
	for _, r := range w.relationships {
		if r.id == id {
			return r
		}
	}
	return nil
}

// adminOf finds the tenant whose administrator opens a link: a customer or a prospect.
func (w *world) adminOf(domain string) (*tenant, error) {
	t := w.tenant(domain)
	if t == nil || t == w.partner {
		return nil, fmt.Errorf("the sandbox has no organization %q: its customers and its prospects (%s, %s and %s) can answer",
			domain, ProspectDomain, ProspectDeclinesDomain, ProspectSilentDomain)
	}
	return t, nil
}

// opened is what a customer's administrator opens: their tenant, and the reseller invitation
// (r nil) or the request an approval link names (read again first). The caller holds the lock.
func (w *world) opened(domain, rawLink string) (*tenant, *relationship, error) {
	t, err := w.adminOf(domain)
	if err != nil {
		return nil, nil, err
	}
	l, err := w.readLink(rawLink)
	if err != nil || l.reseller {
		return t, nil, err
	}
	r := w.relationshipByID(l.relationshipID)
	if r == nil {
		return nil, nil, fmt.Errorf("the approval link names a request Microsoft does not know")
	}
	w.settleAnswer(r)
	return t, r, nil
}

// OpenAsCustomer is the administrator of the organization named by domain (a customer or a
// prospect of the scenario) opening a link the technician sent them: a GDAP approval link or
// Partner Center's reseller invitation. They answer as the scenario says, after
// Options.ApprovalDelay: approve (or accept), decline, or never answer.
func (s *Server) OpenAsCustomer(domain, rawLink string) error {
	w := s.world
	w.mu.Lock()
	defer w.mu.Unlock()
	t, r, err := w.opened(domain, rawLink)
	if err != nil {
		return err
	}
	answer := w.answerOf(t)
	if r == nil {
		if answer == AnswerApprove {
			w.side.reseller = append(w.side.reseller, resellerAnswer{t: t, at: w.side.wall().Add(w.side.delay)})
			w.settleCustomers()
		}
		return nil
	}
	if r.status != "approvalPending" {
		return fmt.Errorf("the request %q is %s, not waiting for approval", r.displayName, r.status)
	}
	if r.customerID != "" && !strings.EqualFold(r.customerID, t.id) {
		return fmt.Errorf("the request %q is for another organization, not %s", r.displayName, t.displayName)
	}
	switch answer {
	case AnswerApprove, AnswerDecline:
		r.answer = &answerState{by: t, at: w.side.wall().Add(w.side.delay), what: answer}
		w.settleAnswer(r)
	}
	return nil
}

// ApproveAsCustomer is the administrator of the organization named by domain approving, now,
// the request (or accepting the reseller invitation) a link names, whatever the scenario says
// they would do: the window's "Approve as the customer's administrator" on the sandbox.
func (s *Server) ApproveAsCustomer(domain, rawLink string) error {
	w := s.world
	w.mu.Lock()
	defer w.mu.Unlock()
	t, r, err := w.opened(domain, rawLink)
	if err != nil {
		return err
	}
	if r == nil {
		w.acceptReseller(t)
		return nil
	}
	return w.approve(r, t)
}
