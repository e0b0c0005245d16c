// Package watch is the scheduled watch's own part: what `onboard365 watch install` puts into
// the computer's scheduler, and the watch's memory of the last result, so that each change is
// told once.
//
// The schedule (this file, and windows.go, macos.go, linux.go) is the user's own scheduled task,
// so that `watch run` runs as the user and reaches the user's keychain:
//   - Windows: a Task Scheduler task from a task XML (schtasks /Create /XML), run only while the
//     user is logged on (an interactive token: the user's credential vault is open then);
//   - macOS: a LaunchAgent in ~/Library/LaunchAgents, loaded into the user's GUI session;
//   - Linux: a systemd user service and timer in ~/.config/systemd/user.
//
// Wiring (`watch install [--every D] [--dry-run --os NAME]`):
//
//	spec, err := watch.DefaultSpec(target, exe, args, every, time.Now())
//	plan, err := watch.Build(spec)
//	if dryRun { return plan.DryRun(os.Stdout) }
//	return watch.Install(ctx, plan, watch.ExecRunner{})
//
// Uninstall and Query (`watch status`) take the same plan. Nothing secret may go into the schedule (its files are
// plain files): Build refuses an argument that holds a web address or has the shape of a secret;
// webhook addresses and the mail password belong in the keychain.
package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/atomicfile"
	"github.com/onboard365/onboard365/internal/redact"
	"github.com/onboard365/onboard365/internal/words"
)

// OS is a system the watch installs on.
type OS string

// The systems the watch installs on.
const (
	Windows OS = "windows"
	MacOS   OS = "macos"
	Linux   OS = "linux"
)

// ParseOS reads --os: windows, macos (or darwin) or linux.
func ParseOS(s string) (OS, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "windows":
		return Windows, nil
	case "macos", "darwin", "mac":
		return MacOS, nil
	case "linux":
		return Linux, nil
	}
	return "", fmt.Errorf("--os is windows, macos or linux, not %q", words.Line(s, 20))
}

// ThisOS is the system this program runs on.
func ThisOS() (OS, error) {
	switch runtime.GOOS {
	case "windows":
		return Windows, nil
	case "darwin":
		return MacOS, nil
	case "linux":
		return Linux, nil
	}
	return "", fmt.Errorf("the watch cannot be installed on %s: it knows Windows, macOS and Linux", runtime.GOOS)
}

// Name says a system's scheduler in words.
func (o OS) Name() string {
	switch o {
	case Windows:
		return "a Windows Task Scheduler task"
	case MacOS:
		return "a macOS LaunchAgent"
	case Linux:
		return "a systemd user timer"
	}
	return string(o)
}

// Title is the system's name: Windows, macOS, Linux.
func (o OS) Title() string {
	switch o {
	case Windows:
		return "Windows"
	case MacOS:
		return "macOS"
	case Linux:
		return "Linux"
	}
	return string(o)
}

// The names the watch is installed under.
const (
	windowsTask   = "Onboard365 Watch"
	launchLabel   = "io.github.onboard365.watch" // FyneApp.toml's ID, and .watch
	systemdName   = "onboard365-watch"
	windowsXMLDir = "onboard365"
)

// How often the watch may run: not more often than every 15 minutes (each run reads every
// customer from Microsoft), not less often than every 31 days (Task Scheduler's longest
// repetition interval).
const (
	MinEvery     = 15 * time.Minute
	MaxEvery     = 31 * 24 * time.Hour
	DefaultEvery = 6 * time.Hour
)

// Spec is what to schedule, on which system, for which user.
type Spec struct {
	OS OS
	// Executable is the absolute path of onboard365 on that system.
	Executable string
	// Args are the flags that follow "watch run" (for example --notify desktop).
	Args []string
	// Every is how often the watch runs: whole minutes from MinEvery to MaxEvery.
	Every time.Duration
	// Home is the user's home folder (macOS, Linux).
	Home string
	// ConfigDir is the user's configuration folder: %APPDATA% on Windows (the task XML is kept
	// in its onboard365 folder), $XDG_CONFIG_HOME on Linux (empty: Home/.config).
	ConfigDir string
	// User is who the task runs as: DOMAIN\name on Windows, the numeric user id on macOS.
	User string
	// Start is the first run on Windows (the trigger's start, in the computer's local time).
	Start time.Time
	// Example is set by DefaultSpec for another system than this one: the folders, the user and
	// the program's path are that system's usual ones, and DryRun says so.
	Example bool
}

// DefaultSpec fills a Spec for target from this computer: its home and configuration folders and
// user. For another system than this one (watch install --dry-run --os), it uses that system's
// usual places for the same user name, and exe is taken as given when it is already a path of
// that system, else the usual install location there.
func DefaultSpec(target OS, exe string, args []string, every time.Duration, now time.Time) (Spec, error) {
	s := Spec{OS: target, Executable: exe, Args: args, Every: every, Start: now.Add(5 * time.Minute).Truncate(time.Minute)}
	here, _ := ThisOS()
	u, err := user.Current()
	if err != nil {
		return Spec{}, fmt.Errorf("finding who you are on this computer: %w", err)
	}
	if target == here {
		if s.Home, err = os.UserHomeDir(); err != nil {
			return Spec{}, fmt.Errorf("finding your home folder: %w", err)
		}
		switch target {
		case Windows:
			s.ConfigDir, err = os.UserConfigDir()
			s.User = u.Username // DOMAIN\name on Windows
		case MacOS:
			s.User = u.Uid
		case Linux:
			s.ConfigDir = os.Getenv("XDG_CONFIG_HOME")
		}
		if err != nil {
			return Spec{}, fmt.Errorf("finding your configuration folder: %w", err)
		}
		return s, nil
	}
	s.Example = true
	name := u.Username
	if i := strings.LastIndexAny(name, `\/`); i >= 0 {
		name = name[i+1:]
	}
	switch target {
	case Windows:
		s.Home = `C:\Users\` + name
		s.ConfigDir = s.Home + `\AppData\Roaming`
		host, _ := os.Hostname()
		if host == "" {
			host = "COMPUTER"
		}
		s.User = strings.ToUpper(host) + `\` + name
		if !isAbs(Windows, exe) {
			s.Executable = `C:\Program Files\Onboard365\onboard365.exe`
		}
	case MacOS:
		s.Home = "/Users/" + name
		s.User = u.Uid
		if _, err := strconv.Atoi(u.Uid); err != nil {
			s.User = "501" // the first user's id on a Mac
		}
		if !isAbs(MacOS, exe) || runtime.GOOS != "darwin" {
			s.Executable = "/Applications/Onboard365.app/Contents/MacOS/onboard365"
		}
	case Linux:
		s.Home = "/home/" + name
		if !isAbs(Linux, exe) || runtime.GOOS == "windows" {
			s.Executable = "/usr/local/bin/onboard365"
		}
	default:
		return Spec{}, fmt.Errorf("the watch installs on windows, macos or linux, not %q", target)
	}
	return s, nil
}

// Plan is what Install writes and runs, in order, and what Uninstall and Status run.
type Plan struct {
	OS      OS
	Every   time.Duration
	Example bool // from Spec.Example
	Files   []File
	// Install writes the files and runs its commands; Uninstall runs its commands and removes
	// the files where its Remove step stands; Query asks the scheduler.
	Install, Uninstall []Step
	Query              Command
}

// File is one file the watch installs.
type File struct {
	Path    string
	Content []byte
	// Shown is the content as DryRun prints it (the Windows task is saved as UTF-16, shown as
	// text), and Note says how it is saved, when that differs.
	Shown string
	Note  string
}

// Step is one step of installing or uninstalling: write the files, remove them, or run a command.
type Step struct {
	Write, Remove bool
	Run           *Command
}

// Command is a command of the system's own, run without a shell.
type Command struct {
	Name string
	Args []string
	// MayFail is set on a command that fails when there is nothing to undo (unloading a watch
	// that was never loaded): its failure does not stop the steps after it.
	MayFail bool
}

// Build makes the plan for spec, after checking it.
func Build(spec Spec) (Plan, error) {
	if err := check(spec); err != nil {
		return Plan{}, err
	}
	var p Plan
	var err error
	switch spec.OS {
	case Windows:
		p, err = buildWindows(spec)
	case MacOS:
		p = buildMacOS(spec)
	case Linux:
		p = buildLinux(spec)
	default:
		return Plan{}, fmt.Errorf("the watch installs on windows, macos or linux, not %q", spec.OS)
	}
	p.Example = spec.Example
	return p, err
}

func check(s Spec) error {
	switch {
	case s.Every < MinEvery:
		return fmt.Errorf("--every is at least %s: each run reads every customer from Microsoft", interval(MinEvery))
	case s.Every > MaxEvery:
		return fmt.Errorf("--every is at most %s (the longest interval Windows Task Scheduler repeats a task at)", interval(MaxEvery))
	case s.Every%time.Minute != 0:
		return errors.New("--every is a whole number of minutes, such as 30m, 6h or 24h")
	case !isAbs(s.OS, s.Executable):
		return fmt.Errorf("the watch needs the full path of onboard365, not %q", words.Line(s.Executable, 80))
	case s.OS != Windows && s.Home == "":
		return errors.New("the watch needs your home folder")
	case s.OS == Windows && (s.ConfigDir == "" || s.User == ""):
		return errors.New("the watch needs your configuration folder and your Windows user name")
	case s.OS == MacOS && !isNumber(s.User):
		return errors.New("the watch needs your numeric user id on the Mac")
	}
	for _, v := range append([]string{s.Executable, s.Home, s.ConfigDir, s.User}, s.Args...) {
		if words.Line(v, 0) != strings.TrimSpace(v) || strings.ContainsAny(v, "\x00\r\n\t") {
			return fmt.Errorf("%q holds characters a schedule cannot hold", words.Line(v, 80))
		}
	}
	for _, a := range s.Args {
		if strings.Contains(a, "://") || redact.LooksSecret(a) {
			return errors.New("a web address or a secret would be written into the schedule, where anyone who can read your files sees it: keep webhook addresses and passwords in the keychain, and name here only the kind of notice (such as --notify teams)")
		}
	}
	return nil
}

func isAbs(o OS, p string) bool {
	if o == Windows {
		return len(p) > 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') || strings.HasPrefix(p, `\\`)
	}
	return strings.HasPrefix(p, "/")
}

func isNumber(s string) bool {
	_, err := strconv.ParseUint(s, 10, 32)
	return err == nil
}

// interval says a duration as a person would: "6 hours", "1 day and 12 hours", "30 minutes".
func interval(d time.Duration) string {
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var parts []string
	add := func(n int, one string) {
		if n == 1 {
			parts = append(parts, "1 "+one)
		} else if n > 1 {
			parts = append(parts, strconv.Itoa(n)+" "+one+"s")
		}
	}
	add(days, "day")
	add(hours, "hour")
	add(mins, "minute")
	switch len(parts) {
	case 0:
		return "0 minutes"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// join puts path parts together with the target system's separator.
func join(o OS, parts ...string) string {
	sep := "/"
	if o == Windows {
		sep = `\`
	}
	out := strings.TrimRight(parts[0], `\/`)
	for _, p := range parts[1:] {
		out += sep + strings.Trim(p, `\/`)
	}
	return out
}

// DryRun prints what Install would write and run, for `watch install --dry-run`: each file's
// path and content, then the commands in the order they would run, and how uninstall undoes it.
func (p Plan) DryRun(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("Onboard365 would install the watch as %s that runs it every %s.\n", p.OS.Name(), interval(p.Every))
	if p.Example {
		ew.printf("This computer does not run %s, so the folders, the user and the program's path below are the usual ones there; on that computer, install uses its own.\n", p.OS.Title())
	}
	var cmds []string
	for _, st := range p.Install {
		switch {
		case st.Write:
			for _, f := range p.Files {
				ew.printf("\nIt would write %s", f.Path)
				if f.Note != "" {
					ew.printf(" (%s)", f.Note)
				}
				ew.printf(":\n\n%s", f.Shown)
				if !strings.HasSuffix(f.Shown, "\n") {
					ew.printf("\n")
				}
			}
		case st.Run != nil:
			cmds = append(cmds, st.Run.Shown(p.OS))
		}
	}
	ew.printf("\nThen it would run:\n")
	for _, c := range cmds {
		ew.printf("    %s\n", c)
	}
	ew.printf("\n`onboard365 watch uninstall` would undo it:\n")
	for _, st := range p.Uninstall {
		switch {
		case st.Remove:
			for _, f := range p.Files {
				ew.printf("    remove %s\n", f.Path)
			}
		case st.Run != nil:
			ew.printf("    %s\n", st.Run.Shown(p.OS))
		}
	}
	return ew.err
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// Shown is the command as one would type it on that system (for DryRun; Runner runs it without
// a shell).
func (c Command) Shown(o OS) string {
	parts := []string{c.Name}
	for _, a := range c.Args {
		if o == Windows {
			parts = append(parts, windowsArg(a))
		} else {
			parts = append(parts, shellArg(a))
		}
	}
	return strings.Join(parts, " ")
}

// shellArg quotes an argument for a POSIX shell when it needs it.
func shellArg(a string) string {
	if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@%+,") == "" {
		return a
	}
	return "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
}

// windowsArg quotes an argument so that a Windows program's command-line parser (the rules of
// CommandLineToArgvW, which Go's os.Args on Windows follows) reads it back whole: in double
// quotes when it holds a space, a tab or a quotation mark (or is empty), with a backslash before
// each quotation mark and the backslashes before a quotation mark, or before the closing one,
// doubled.
func windowsArg(a string) string {
	if a != "" && !strings.ContainsAny(a, " \t\"") {
		return a
	}
	var b strings.Builder
	b.WriteByte('"')
	slashes := 0
	for i := 0; i < len(a); i++ {
		switch c := a[i]; c {
		case '\\':
			slashes++
			continue
		case '"':
			b.WriteString(strings.Repeat(`\`, 2*slashes+1))
		default:
			b.WriteString(strings.Repeat(`\`, slashes))
		}
		slashes = 0
		b.WriteByte(a[i])
	}
	b.WriteString(strings.Repeat(`\`, 2*slashes))
	b.WriteByte('"')
	return b.String()
}

// Runner runs a system command and gives its output (standard output and error together). Tests
// give one that records what would run.
type Runner interface {
	Run(ctx context.Context, name string, args ...string) ([]byte, error)
}

// ExecRunner runs commands on this computer.
type ExecRunner struct{}

// Run runs name with args, without a shell.
func (ExecRunner) Run(ctx context.Context, name string, args ...string) ([]byte, error) {
	return exec.CommandContext(ctx, name, args...).CombinedOutput()
}

// Install writes the plan's files (making their folders) and runs its commands, stopping at the
// first that fails (unless it may fail). Installing again replaces what is there.
func Install(ctx context.Context, p Plan, r Runner) error {
	for _, st := range p.Install {
		switch {
		case st.Write:
			for _, f := range p.Files {
				if err := atomicfile.Write(f.Path, f.Content); err != nil {
					return fmt.Errorf("writing %s for the watch: %w", f.Path, err)
				}
			}
		case st.Run != nil:
			if err := run(ctx, r, *st.Run, p.OS); err != nil {
				return err
			}
		}
	}
	return nil
}

// Uninstall runs the plan's undoing commands and removes its files. A watch that is not there is
// not an error.
func Uninstall(ctx context.Context, p Plan, r Runner) error {
	for _, st := range p.Uninstall {
		switch {
		case st.Remove:
			for _, f := range p.Files {
				if err := os.Remove(f.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
					return fmt.Errorf("removing %s: %w", f.Path, err)
				}
			}
		case st.Run != nil:
			if err := run(ctx, r, *st.Run, p.OS); err != nil {
				return err
			}
		}
	}
	return nil
}

// Installation is what Query found.
type Installation struct {
	// Installed is true when the files are there and the scheduler knows the watch.
	Installed bool
	// Sentence says so in words; Detail is what the scheduler said (cleaned), for a closer look.
	Sentence string
	Detail   string
}

// Query asks the scheduler about the watch (`watch status`).
func Query(ctx context.Context, p Plan, r Runner) Installation {
	missing := 0
	for _, f := range p.Files {
		if _, err := os.Stat(f.Path); err != nil {
			missing++
		}
	}
	out, err := r.Run(ctx, p.Query.Name, p.Query.Args...)
	detail := words.Text(string(out), 4000)
	switch {
	case missing == len(p.Files) && err != nil:
		return Installation{Sentence: "The watch is not installed: `onboard365 watch install` installs it.", Detail: detail}
	case missing > 0:
		return Installation{Sentence: "The watch is only partly installed: run `onboard365 watch install` again to repair it.", Detail: detail}
	case err != nil:
		return Installation{Sentence: fmt.Sprintf("The watch's files are there, but %s does not know it: run `onboard365 watch install` again.", schedulerName(p.OS)), Detail: detail}
	}
	return Installation{Installed: true, Sentence: fmt.Sprintf("The watch is installed as %s and runs every %s.", p.OS.Name(), interval(p.Every)), Detail: detail}
}

func schedulerName(o OS) string {
	switch o {
	case Windows:
		return "Task Scheduler"
	case MacOS:
		return "launchd"
	}
	return "systemd"
}

func run(ctx context.Context, r Runner, c Command, o OS) error {
	out, err := r.Run(ctx, c.Name, c.Args...)
	if err != nil && !c.MayFail {
		msg := words.Line(string(out), 300)
		if msg == "" {
			msg = words.Line(err.Error(), 300)
		}
		return fmt.Errorf("%s answered `%s` with an error: %s", schedulerName(o), c.Shown(o), msg)
	}
	return nil
}
