package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/auth"
	"github.com/onboard365/onboard365/internal/health"
	"github.com/onboard365/onboard365/internal/notify"
	"github.com/onboard365/onboard365/internal/vault"
	"github.com/onboard365/onboard365/internal/watch"
	"github.com/onboard365/onboard365/internal/words"
)

// Renew redeems the kept sign-in's refresh token once, which makes Microsoft hand back a new
// one, and writes that back to the keychain: a sign-in renewed so is never unused for 90 days
// (AADSTS700082). It returns when the keychain's copy was written; zero when this run's sign-in
// is not kept (the command line on the sandbox), which is renewed in memory only.
func (a *Account) Renew(ctx context.Context) (time.Time, error) {
	if _, err := a.Graph(ctx, ""); err != nil { // a sign-in of this run, or the kept one
		return time.Time{}, err
	}
	if _, err := a.authn().FreshToken(ctx, "", auth.PartnerCenterScope); err != nil {
		return time.Time{}, err
	}
	a.mu.Lock()
	kept := a.kept
	a.mu.Unlock()
	if sum, err := a.cache.Summary(ctx); err != nil || (!sum.Stored && !kept) {
		return time.Time{}, err
	}
	if err := a.cache.Flush(ctx); err != nil {
		return time.Time{}, err
	}
	st, err := a.Stored(ctx)
	return st.Renewed, err
}

// Notice kinds, as --notify names them.
const (
	NoticeDesktop = "desktop"
	NoticeTeams   = "teams"
	NoticeSlack   = "slack"
	NoticeMail    = "mail"
)

// NoticeKinds are the kinds of notice the watch can send.
func NoticeKinds() []string { return []string{NoticeDesktop, NoticeTeams, NoticeSlack, NoticeMail} }

// WatchNotices is where the watch's notices go. Webhook addresses are secrets (whoever has one
// can post to the channel) and so is the mail password: all of it is kept in the keychain
// (SaveNotices), never in the schedule's files or its command line.
type WatchNotices struct {
	Teams string     `json:"teams,omitempty"` // a Teams channel's webhook address
	Slack string     `json:"slack,omitempty"` // a Slack incoming webhook's address
	Mail  *WatchMail `json:"mail,omitempty"`
}

// WatchMail is how the watch sends mail.
type WatchMail struct {
	Host     string   `json:"host"`
	Port     int      `json:"port,omitempty"`
	TLS      bool     `json:"tls,omitempty"` // TLS from the start (port 465); otherwise STARTTLS
	Username string   `json:"username,omitempty"`
	Password string   `json:"password,omitempty"`
	From     string   `json:"from"`
	To       []string `json:"to"`
}

// String never shows the addresses or the password.
func (n WatchNotices) String() string {
	var kinds []string
	if n.Teams != "" {
		kinds = append(kinds, "Teams")
	}
	if n.Slack != "" {
		kinds = append(kinds, "Slack")
	}
	if n.Mail != nil {
		kinds = append(kinds, "mail to "+strings.Join(n.Mail.To, ", "))
	}
	if len(kinds) == 0 {
		return "no notices kept"
	}
	return "notices by " + strings.Join(kinds, ", ")
}

// SaveNotices keeps n in the keychain, over what was kept (a field left empty keeps what was
// there).
func (a *Account) SaveNotices(ctx context.Context, n WatchNotices) error {
	old, err := a.Notices(ctx)
	if err != nil && !errors.Is(err, vault.ErrNotFound) {
		return err
	}
	if n.Teams == "" {
		n.Teams = old.Teams
	}
	if n.Slack == "" {
		n.Slack = old.Slack
	}
	if n.Mail == nil {
		n.Mail = old.Mail
	}
	b, err := json.Marshal(n)
	if err != nil {
		return errors.New("the watch's notices could not be written")
	}
	return a.vault.Put(ctx, vault.WatchNoticesName, b)
}

// Notices is what the keychain keeps of the watch's notices: vault.ErrNotFound when nothing.
func (a *Account) Notices(ctx context.Context) (WatchNotices, error) {
	b, err := a.vault.Get(ctx, vault.WatchNoticesName)
	if err != nil {
		return WatchNotices{}, err
	}
	var n WatchNotices
	// Never wrap json's error: its message may quote part of the value, which holds secrets.
	if json.Unmarshal(b, &n) != nil {
		return WatchNotices{}, &vault.DamagedError{Name: vault.WatchNoticesName, Detail: "the watch's notices are not in the expected form"}
	}
	return n, nil
}

// Notifiers are the ways to send the kinds named, from what n keeps; the error says, in a
// sentence, which kind has nothing kept and how to add it.
func (n WatchNotices) Notifiers(kinds []string) ([]notify.Notifier, error) {
	var out []notify.Notifier
	for _, k := range kinds {
		switch k {
		case NoticeDesktop:
			out = append(out, notify.Desktop{})
		case NoticeTeams, NoticeSlack:
			url := n.Teams
			if k == NoticeSlack {
				url = n.Slack
			}
			if url == "" {
				return nil, fmt.Errorf("no %s webhook address is kept in this computer's keychain: run onboard365 watch install --notify %s again, which asks for it", words.UpperFirst(k), k)
			}
			if k == NoticeTeams {
				out = append(out, notify.Teams{URL: url})
			} else {
				out = append(out, notify.Slack{URL: url})
			}
		case NoticeMail:
			m := n.Mail
			if m == nil || m.Host == "" {
				return nil, errors.New("no mail server is kept in this computer's keychain: run onboard365 watch install --notify mail with --smtp-host, --mail-from and --mail-to again")
			}
			ml := &notify.Mail{Host: m.Host, Port: m.Port, Username: m.Username, From: m.From, To: m.To}
			if m.TLS {
				ml.Security = notify.ImplicitTLS
			}
			if m.Password != "" {
				password := m.Password
				ml.Password = notify.SecretFunc(func(context.Context) (string, error) { return password, nil })
			}
			out = append(out, ml)
		default:
			return nil, fmt.Errorf("--notify takes %s, not %s", strings.Join(NoticeKinds(), ", "), words.Quote(k))
		}
	}
	return out, nil
}

// Watch is one run of the scheduled watch (`onboard365 watch run`): renew the kept sign-in,
// rotate the app's secret when asked and due, check everything, compare with what the watch
// remembers, and tell what changed, once.
type Watch struct {
	a         *Account
	health    *Health
	statePath string
}

// NewWatch is the watch with an account's sign-in and its health check. It remembers the last
// result in the user's configuration folder (watch.DefaultStatePath).
func NewWatch(a *Account, h *Health) *Watch {
	w := &Watch{a: a, health: h}
	if p, err := watch.DefaultStatePath(a.cloud.Sandbox); err == nil {
		w.statePath = p
	}
	return w
}

// WatchOptions say what one run does.
type WatchOptions struct {
	Template string            // the role template of the GDAP roles; "" for the default
	Notify   []notify.Notifier // where to tell what changed; none: the run only reports it
	// RotateSecret rotates the app's client secret when under 30 days are left. That needs an
	// administrator's fresh sign-in (App registration's rotation): Launched is told where its page
	// opened, and Hint names the account.
	RotateSecret bool
	Launched     func(Launch)
	Hint         string
}

// WatchRun is what one run did.
type WatchRun struct {
	Renewed      time.Time // when the kept sign-in was written back; zero when not
	RenewProblem string    // why it could not be renewed; "" when it was
	Rotated      *AppOutcome
	RotateNote   string // why the secret was not rotated though asked; "" when it was, or was not due
	Report       HealthReport
	CheckProblem string           // why the check could not read everything; "" when it could
	Changes      []watch.Change   // what changed since the last run (told once)
	Message      notify.Message   // how the changes were told
	Delivered    []string         // the notices that went out
	Failed       []notify.Failure // and those that did not
}

// Run runs the watch once. It fails only when what it found cannot be remembered, or no notice
// went out (then the next run tells the same again).
func (w *Watch) Run(ctx context.Context, opts WatchOptions) (WatchRun, error) {
	var run WatchRun
	if t, err := w.a.Renew(ctx); err != nil {
		run.RenewProblem = words.Sentence(err.Error())
	} else {
		run.Renewed = t
	}
	if opts.RotateSecret {
		w.rotate(ctx, opts, &run)
	}
	r, err := w.health.Check(ctx, HealthRequest{Template: opts.Template}, nil)
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return run, err
	}
	if err != nil {
		run.CheckProblem = words.Sentence(err.Error())
	}
	run.Report = r
	result := r.Findings()
	if w.statePath == "" {
		return run, errors.New("the watch has no folder to remember its last result in")
	}
	store := watch.OpenStore(w.statePath)
	if err != nil && len(r.Customers) == 0 {
		result = w.keepUnchecked(store, result) // the customers could not be read: not "gone"
	}
	now := w.a.now()
	changes, err := store.Update(ctx, result, func(ctx context.Context, changes []watch.Change) error {
		run.Message = watch.Message(changes, now)
		if len(opts.Notify) == 0 {
			return nil
		}
		rep := notify.Send(ctx, run.Message, 0, opts.Notify...)
		run.Delivered, run.Failed = rep.Delivered, rep.Failed
		if len(rep.Delivered) == 0 {
			return errors.New("no notice went out: " + rep.Failed[0].Sentence + " The next run tells the same again")
		}
		return nil
	})
	run.Changes = changes
	return run, err
}

// keepUnchecked adds, to a result that could read no customer, every customer finding the
// watch remembers as could not check, so that a run without access is told once as such rather
// than as every customer gone.
func (w *Watch) keepUnchecked(store *watch.Store, r watch.Result) watch.Result {
	prev, err := store.Load()
	if err != nil {
		return r
	}
	have := map[string]bool{}
	for _, f := range r.Findings {
		have[f.Key] = true
	}
	for _, p := range prev.Findings {
		if !have[p.Key] {
			r.Findings = append(r.Findings, watch.Finding{Key: p.Key, Subject: p.Subject, Check: p.Check, Status: watch.CouldNotCheck,
				Sentence: "The watch could not read this customer."})
		}
	}
	return r
}

// rotate rotates the app's secret when under 30 days are left (health.SecretWarning).
func (w *Watch) rotate(ctx context.Context, opts WatchOptions, run *WatchRun) {
	st, err := w.a.Stored(ctx)
	switch {
	case err != nil:
		run.RotateNote = "The app's secret could not be read from the keychain, so it was not rotated: " + words.Sentence(err.Error())
		return
	case st.ClientID == "":
		run.RotateNote = "No client secret of the app is kept on this computer, so there is none to rotate."
		return
	case st.SecretExpires.Sub(w.a.now()) > health.SecretWarning:
		return // not due
	}
	out, err := NewAppRegistration(w.a).RotateSecret(ctx, opts.Hint, opts.Launched)
	if err != nil {
		run.RotateNote = "The app's secret expires on " + words.Day(st.SecretExpires) + " and could not be rotated: " + words.Sentence(err.Error()) +
			" Open Settings and rotate the secret."
		return
	}
	out.Secret = nil // kept in the keychain; never shown by the watch
	run.Rotated = &out
}
