package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/notify"
	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/internal/vault"
	"github.com/onboard365/onboard365/internal/watch"
)

const watchUsage = `Usage: onboard365 watch install|uninstall|status|run [options]

The watch checks everything on a schedule (as onboard365 check all does), compares with what it
found the last time, and tells you what changed, once: a desktop notification, a Teams or Slack
channel, mail. Each run also renews the sign-in you kept, so that it never goes 90 days unused.

  install    schedules the watch as your own scheduled task (Windows Task Scheduler, a macOS
             LaunchAgent, a systemd user timer on Linux); --dry-run prints what it would install
  uninstall  removes it
  status     says whether it is installed and when it last ran
  run        one run, as the schedule runs it

Run onboard365 watch install --help (or uninstall, status, run --help) for the options.
`

// watchChoice is what install writes into the schedule and run reads: which notices, whether to
// rotate the secret, which template.
type watchChoice struct {
	notify   string
	kinds    []string
	rotate   bool
	template string
}

func (w *watchChoice) register(fs *flag.FlagSet) {
	fs.StringVar(&w.notify, "notify", "", "how to tell what changed: `kinds` separated by commas, from "+strings.Join(app.NoticeKinds(), ", ")+
		" (webhook addresses and the mail password are kept in the keychain by watch install, never on the command line)")
	fs.BoolVar(&w.rotate, "rotate-secret", false, "rotate the app's client secret when under 30 days are left (an administrator signs in, in a private browser window)")
	fs.StringVar(&w.template, "template", roles.ProfileLiongard, "the role `template` the GDAP roles are judged against")
}

func (w *watchChoice) check() error {
	w.kinds = nil
	for _, k := range strings.Split(w.notify, ",") {
		k = strings.ToLower(strings.TrimSpace(k))
		if k == "" {
			continue
		}
		if !slices.Contains(app.NoticeKinds(), k) {
			return fmt.Errorf("--notify takes %s, not %q", strings.Join(app.NoticeKinds(), ", "), k)
		}
		if !slices.Contains(w.kinds, k) {
			w.kinds = append(w.kinds, k)
		}
	}
	_, err := app.FindProfile(w.template)
	return err
}

// scheduleArgs are the flags the schedule runs `watch run` with: nothing secret (watch.Build
// refuses an address or a secret-shaped value).
func scheduleArgs(f *factory, w watchChoice) ([]string, error) {
	var args []string
	if len(w.kinds) > 0 {
		args = append(args, "--notify", strings.Join(w.kinds, ","))
	}
	if w.rotate {
		args = append(args, "--rotate-secret")
	}
	if w.template != roles.ProfileLiongard {
		args = append(args, "--template", w.template)
	}
	if f.useSandbox {
		args = append(args, "--sandbox")
	}
	if f.cloudFile != "" {
		abs, err := filepath.Abs(f.cloudFile)
		if err != nil {
			return nil, err
		}
		args = append(args, "--cloud", abs)
	}
	if f.allowHosts {
		args = append(args, "--allow-non-microsoft-hosts")
	}
	if f.clientID != "" {
		args = append(args, "--client-id", f.clientID)
	}
	if f.tenant != "" {
		args = append(args, "--tenant", f.tenant)
	}
	return args, nil
}

func watchInstallTool() tool {
	var (
		choice  watchChoice
		every   time.Duration
		dryRun  bool
		osName  string
		target  watch.OS
		mail    app.WatchMail
		mailTo  string
		hasMail bool
	)
	return tool{usage: `Usage: onboard365 watch install [--every DURATION] [--notify desktop,teams,slack,mail] [--rotate-secret] [--dry-run [--os windows|macos|linux]]

Schedules the watch as your own scheduled task, so that it runs as you and reaches your keychain:
on Windows a Task Scheduler task (it runs while you are logged on), on macOS a LaunchAgent, on
Linux a systemd user service and timer. Installing again replaces it.

The Teams and Slack webhook addresses and the mail password are asked for here and kept in this
computer's keychain: they never go into the schedule's files or its command line. Microsoft 365
mailboxes no longer take a password for sending mail; use a mail relay there.

--dry-run prints exactly what it would write and run, and changes nothing; with --os it prints
what it would install on that system, from any system.

Options:
`,
		flags: flags{clientID: true},
		own: func(fs *flag.FlagSet) func() error {
			choice.register(fs)
			fs.DurationVar(&every, "every", watch.DefaultEvery, "how often the watch runs: a `duration` in whole minutes, from 15m to 744h, such as 30m, 6h or 24h")
			fs.BoolVar(&dryRun, "dry-run", false, "print what would be installed, and change nothing")
			fs.StringVar(&osName, "os", "", "with --dry-run, the `system` to print it for: windows, macos or linux (default: this one)")
			fs.StringVar(&mail.Host, "smtp-host", "", "with --notify mail, the mail server's `name`")
			fs.IntVar(&mail.Port, "smtp-port", 0, "the mail server's `port` (default 587 with STARTTLS, 465 with --smtp-tls)")
			fs.BoolVar(&mail.TLS, "smtp-tls", false, "speak TLS from the start (port 465) rather than STARTTLS")
			fs.StringVar(&mail.Username, "smtp-user", "", "the `user` to sign in to the mail server as (its password is asked for); none: no sign-in")
			fs.StringVar(&mail.From, "mail-from", "", "the sender's mail `address`")
			fs.StringVar(&mailTo, "mail-to", "", "where to send the notices: mail `addresses` separated by commas")
			return func() error {
				if err := choice.check(); err != nil {
					return err
				}
				var err error
				if target, err = watch.ThisOS(); osName != "" {
					target, err = watch.ParseOS(osName)
				}
				switch {
				case err != nil:
					return err
				case osName != "" && !dryRun:
					return errors.New("--os is for --dry-run: the watch installs on this computer's own system")
				}
				for _, a := range strings.Split(mailTo, ",") {
					if a = strings.TrimSpace(a); a != "" {
						mail.To = append(mail.To, a)
					}
				}
				hasMail = slices.Contains(choice.kinds, app.NoticeMail)
				if hasMail && (mail.Host == "" || mail.From == "" || len(mail.To) == 0) {
					return errors.New("--notify mail needs --smtp-host, --mail-from and --mail-to")
				}
				return nil
			}
		},
		run: func(ctx context.Context, f *factory, env toolEnv) int {
			args, err := scheduleArgs(f, choice)
			if err != nil {
				return failed(env, "watch install", err)
			}
			exe, err := env.executable()
			if err != nil {
				return failed(env, "watch install", err)
			}
			spec, err := watch.DefaultSpec(target, exe, args, every, time.Now())
			if err != nil {
				return failed(env, "watch install", err)
			}
			p, err := watch.Build(spec)
			if err != nil {
				fmt.Fprintln(env.stderr, "onboard365 watch install:", err)
				return exitUsage
			}
			if dryRun {
				if err := p.DryRun(env.stdout); err != nil {
					return failed(env, "watch install", err)
				}
				for _, k := range choice.kinds {
					switch k {
					case app.NoticeTeams, app.NoticeSlack:
						fmt.Fprintf(env.stdout, "\nIt would ask for the %s webhook address and keep it in this computer's keychain, not in these files.\n", strings.ToUpper(k[:1])+k[1:])
					case app.NoticeMail:
						if mail.Username != "" {
							fmt.Fprintf(env.stdout, "\nIt would ask for the mail password of %s and keep it in this computer's keychain, with the mail server's settings.\n", mail.Username)
						} else {
							fmt.Fprintln(env.stdout, "\nIt would keep the mail server's settings in this computer's keychain.")
						}
					}
				}
				return exitAllPass
			}
			if f.useSandbox {
				fmt.Fprintln(env.stderr, "onboard365 watch install: the sandbox lives only while a command runs, so a scheduled watch would check a new sandbox each time. Try one run with onboard365 watch run --sandbox, or print the schedule with --dry-run.")
				return exitUsage
			}
			c, err := f.cloud(ctx)
			if err != nil {
				return failed(env, "watch install", err)
			}
			a, err := f.account(c)
			if err != nil {
				return failed(env, "watch install", err)
			}
			notices, err := askNotices(env, choice.kinds, mail, hasMail)
			if err != nil {
				return failed(env, "watch install", err)
			}
			if notices != (app.WatchNotices{}) {
				if err := a.SaveNotices(ctx, notices); err != nil {
					return failed(env, "watch install", fmt.Errorf("keeping the notices' addresses in the keychain: %w", err))
				}
			}
			if err := a.Restore(ctx); err != nil {
				fmt.Fprintln(env.stderr, "onboard365 watch install: the watch is installed, but it cannot check anything yet:", err)
			}
			if err := watch.Install(ctx, p, env.runner); err != nil {
				return failed(env, "watch install", err)
			}
			inst := watch.Query(ctx, p, env.runner)
			fmt.Fprintln(env.stdout, inst.Sentence)
			if !inst.Installed {
				return exitProblem
			}
			return exitAllPass
		}}
}

// askNotices asks for the secrets of the notices chosen, to keep in the keychain.
func askNotices(env toolEnv, kinds []string, mail app.WatchMail, hasMail bool) (app.WatchNotices, error) {
	var n app.WatchNotices
	for _, k := range kinds {
		switch k {
		case app.NoticeTeams, app.NoticeSlack:
			name := strings.ToUpper(k[:1]) + k[1:]
			where := "Teams: the channel's Workflows webhook (\"Post to a channel when a webhook request is received\")"
			if k == app.NoticeSlack {
				where = "Slack: the app's incoming webhook"
			}
			addr, err := env.ask(fmt.Sprintf("Paste the %s webhook address (%s); it is kept in this computer's keychain and not shown: ", name, where))
			if err != nil {
				return n, fmt.Errorf("the %s webhook address: %w", name, err)
			}
			if u, err := url.Parse(addr); err != nil || u.Scheme != "https" || u.Host == "" {
				return n, fmt.Errorf("the %s webhook address must be a web address that starts with https://: copy it again from %s", name, name)
			}
			if k == app.NoticeTeams {
				n.Teams = addr
			} else {
				n.Slack = addr
			}
		}
	}
	if hasMail {
		m := mail
		if m.Username != "" {
			pw, err := env.ask("The mail password of " + m.Username + " (kept in this computer's keychain, not shown): ")
			if err != nil {
				return n, fmt.Errorf("the mail password: %w", err)
			}
			m.Password = pw
		}
		n.Mail = &m
	}
	return n, nil
}

// thisPlan is the watch as it would be installed on this computer: for uninstall and status.
func thisPlan(env toolEnv) (watch.Plan, error) {
	target, err := watch.ThisOS()
	if err != nil {
		return watch.Plan{}, err
	}
	exe, err := env.executable()
	if err != nil {
		return watch.Plan{}, err
	}
	spec, err := watch.DefaultSpec(target, exe, nil, watch.DefaultEvery, time.Now())
	if err != nil {
		return watch.Plan{}, err
	}
	return watch.Build(spec)
}

func watchUninstallTool() tool {
	return tool{usage: `Usage: onboard365 watch uninstall

Removes the scheduled watch from this computer. What it kept in the keychain (the notices'
addresses) stays for the next install; Settings' "Sign out and forget" removes it.

Options:
`,
		run: func(ctx context.Context, f *factory, env toolEnv) int {
			p, err := thisPlan(env)
			if err != nil {
				return failed(env, "watch uninstall", err)
			}
			if err := watch.Uninstall(ctx, p, env.runner); err != nil {
				return failed(env, "watch uninstall", err)
			}
			fmt.Fprintf(env.stdout, "The watch is uninstalled: %s is gone from this computer.\n", p.OS.Name())
			return exitAllPass
		}}
}

func watchStatusTool() tool {
	return tool{usage: `Usage: onboard365 watch status [--sandbox]

Says whether the watch is installed on this computer, and when it last ran.

Exit code: 0 when it is installed, 1 when it is not.

Options:
`,
		flags: flags{},
		run: func(ctx context.Context, f *factory, env toolEnv) int {
			p, err := thisPlan(env)
			if err != nil {
				return failed(env, "watch status", err)
			}
			inst := watch.Query(ctx, p, env.runner)
			fmt.Fprintln(env.stdout, inst.Sentence)
			if path, err := watch.DefaultStatePath(f.useSandbox); err == nil {
				if st, err := watch.OpenStore(path).Load(); err == nil && !st.CheckedAt.IsZero() {
					problems := 0
					for _, r := range st.Findings {
						if r.Status == watch.Warning || r.Status == watch.Fail {
							problems++
						}
					}
					fmt.Fprintf(env.stdout, "It last ran on %s and found %d %s.\n", st.CheckedAt.Local().Format("2 January 2006 15:04"), problems,
						map[bool]string{true: "problem", false: "problems"}[problems == 1])
				} else {
					fmt.Fprintln(env.stdout, "It has not run yet on this computer.")
				}
			}
			if !inst.Installed {
				return exitProblem
			}
			return exitAllPass
		}}
}

func watchRunTool() tool {
	var choice watchChoice
	return tool{usage: `Usage: onboard365 watch run [--notify desktop,teams,slack,mail] [--rotate-secret] [--template NAME] [--sandbox]

One run of the watch, as the schedule runs it: it renews the kept sign-in and writes it back to
the keychain (so that 90 days without use never end it), rotates the app's secret when asked and
under 30 days are left, checks everything as onboard365 check all does, compares with the last
run, and tells what changed: each change once. With no --notify it only prints it.

Exit code: 0 when the run did its work, 1 when it could not (nothing could be read, or no notice
went out: the next run tells the same again), 2 when the command line is wrong.

Options:
`,
		flags: flags{clientID: true},
		own: func(fs *flag.FlagSet) func() error {
			choice.register(fs)
			return choice.check
		},
		run: func(ctx context.Context, f *factory, env toolEnv) int {
			a, err := f.signedIn(ctx)
			if err != nil {
				return failed(env, "watch run", err)
			}
			var notifiers []notify.Notifier
			if len(choice.kinds) > 0 {
				n, err := a.Notices(ctx)
				if err != nil && !errors.Is(err, vault.ErrNotFound) {
					return failed(env, "watch run", err)
				}
				if notifiers, err = n.Notifiers(choice.kinds); err != nil {
					return failed(env, "watch run", err)
				}
			}
			w := app.NewWatch(a, healthOf(a))
			var res app.WatchRun
			err = signIn(ctx, app.SandboxTechnician, f.stderr, func(ctx context.Context, launched func(app.Launch)) (err error) {
				res, err = w.Run(ctx, app.WatchOptions{Template: choice.template, Notify: notifiers, RotateSecret: choice.rotate, Launched: launched})
				return err
			})
			writeRun(env, res, len(notifiers) > 0)
			if err != nil {
				return failed(env, "watch run", err)
			}
			if res.CheckProblem != "" || res.RenewProblem != "" {
				return exitProblem
			}
			return exitAllPass
		}}
}

// writeRun says what one run did.
func writeRun(env toolEnv, res app.WatchRun, notifying bool) {
	out := env.stdout
	switch {
	case res.RenewProblem != "":
		fmt.Fprintln(out, "The kept sign-in could not be renewed:", res.RenewProblem)
	case res.Renewed.IsZero():
		fmt.Fprintln(out, "The sign-in of this run was renewed in memory only: it is not kept on this computer.")
	default:
		fmt.Fprintf(out, "The kept sign-in was renewed and written back to the keychain (%s).\n", res.Renewed.Local().Format("2 January 2006 15:04"))
	}
	if res.Rotated != nil {
		fmt.Fprintln(out, "The app's client secret was rotated; the new one is in the keychain.")
		for _, l := range res.Rotated.Now {
			fmt.Fprintln(out, "  "+l)
		}
	}
	if res.RotateNote != "" {
		fmt.Fprintln(out, res.RotateNote)
	}
	if res.CheckProblem != "" {
		fmt.Fprintln(out, "The check could not read everything:", res.CheckProblem)
	}
	if r := res.Report; !r.CheckedAt.IsZero() {
		fmt.Fprintf(out, "Checked on %s: %d customers, %s.\n", r.CheckedAt.Local().Format("2 January 2006 15:04"), r.Summary.Total(), counts(r.Summary.Pass, r.Summary.Fail, r.Summary.Warning, r.Summary.CouldNotCheck))
	}
	if len(res.Changes) == 0 {
		fmt.Fprintln(out, "Nothing changed since the last run, so nothing was told.")
		return
	}
	fmt.Fprintln(out, res.Message.Title)
	for _, it := range res.Message.Items {
		fmt.Fprintf(out, "- %s: %s\n", it.Heading, it.Text)
	}
	switch {
	case len(res.Delivered) > 0:
		fmt.Fprintln(out, "Told by "+strings.Join(res.Delivered, ", ")+".")
	case !notifying:
		fmt.Fprintln(out, "(No --notify: the changes are only listed here.)")
	}
	for _, fl := range res.Failed {
		fmt.Fprintln(env.stderr, "onboard365 watch run:", fl.Sentence)
	}
}

func counts(pass, fail, warning, couldNot int) string {
	return fmt.Sprintf("%d pass, %d fail, %d with a warning, %d could not be checked", pass, fail, warning, couldNot)
}
