package watch

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"howett.net/plist"
)

var start = time.Date(2026, 5, 3, 9, 5, 0, 0, time.Local)

// tricky are arguments that need quoting on every system.
var tricky = []string{"--customer", `Litware "EU" & <Co>`, `C:\dir with space\`, "100% $HOME", `back\slash`, "it's"}

func windowsSpec(dir string) Spec {
	return Spec{OS: Windows, Executable: `C:\Program Files\Onboard365\onboard365.exe`, Args: tricky,
		Every: 90 * time.Minute, Home: `C:\Users\adele`, ConfigDir: dir, User: `CONTOSO\adele`, Start: start}
}

// argv splits a Windows command line as CommandLineToArgvW does (the rules Go's os.Args follows on
// Windows), to read back what windowsArg wrote.
func argv(cmdline string) []string {
	var args []string
	i := 0
	for {
		for i < len(cmdline) && (cmdline[i] == ' ' || cmdline[i] == '\t') {
			i++
		}
		if i >= len(cmdline) {
			return args
		}
		var b strings.Builder
		inQuote := false
		for i < len(cmdline) {
			c := cmdline[i]
			if (c == ' ' || c == '\t') && !inQuote {
				break
			}
			if c == '\\' {
				n := 0
				for i < len(cmdline) && cmdline[i] == '\\' {
					n++
					i++
				}
				if i < len(cmdline) && cmdline[i] == '"' {
					b.WriteString(strings.Repeat(`\`, n/2))
					if n%2 == 1 {
						b.WriteByte('"')
						i++
					}
				} else {
					b.WriteString(strings.Repeat(`\`, n))
				}
				continue
			}
			if c == '"' {
				if inQuote && i+1 < len(cmdline) && cmdline[i+1] == '"' {
					b.WriteByte('"')
					i += 2
					continue
				}
				inQuote = !inQuote
				i++
				continue
			}
			b.WriteByte(c)
			i++
		}
		args = append(args, b.String())
	}
}

// readTaskXML reads a task file the way Task Scheduler would: UTF-16 with its byte-order mark.
func readTaskXML(t *testing.T, b []byte) (taskXML, string) {
	t.Helper()
	if len(b) < 2 || b[0] != 0xff || b[1] != 0xfe || len(b)%2 != 0 {
		t.Fatalf("the task file is not UTF-16LE with a byte-order mark: % x", b[:min(4, len(b))])
	}
	units := make([]uint16, 0, len(b)/2-1)
	for i := 2; i < len(b); i += 2 {
		units = append(units, uint16(b[i])|uint16(b[i+1])<<8)
	}
	text := string(utf16.Decode(units))
	dec := xml.NewDecoder(strings.NewReader(text))
	dec.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		if !strings.EqualFold(label, "UTF-16") {
			return nil, fmt.Errorf("the task says it is %s", label)
		}
		return r, nil // already decoded above
	}
	var task taskXML
	if err := dec.Decode(&task); err != nil {
		t.Fatalf("the task XML does not parse: %v\n%s", err, text)
	}
	return task, text
}

func TestWindowsTask(t *testing.T) {
	p, err := Build(windowsSpec(`C:\Users\adele\AppData\Roaming`))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 1 || p.Files[0].Path != `C:\Users\adele\AppData\Roaming\onboard365\watch-task.xml` {
		t.Fatalf("files = %+v", p.Files)
	}
	task, text := readTaskXML(t, p.Files[0].Content)
	if !strings.Contains(text, "\r\n") || strings.Contains(strings.ReplaceAll(text, "\r\n", ""), "\n") {
		t.Error("the task file's lines do not end in CRLF")
	}
	if task.XMLName.Space != "http://schemas.microsoft.com/windows/2004/02/mit/task" || task.Version != "1.2" {
		t.Errorf("task element = %v, version %q", task.XMLName, task.Version)
	}
	tr := task.Triggers.Time
	if !tr.Enabled || tr.StartBoundary != "2026-05-03T09:05:00" || tr.Repetition.Interval != "PT1H30M" || tr.Repetition.StopAtDurationEnd {
		t.Errorf("trigger = %+v", tr)
	}
	pr := task.Principals.Principal
	if pr.UserID != `CONTOSO\adele` || pr.LogonType != "InteractiveToken" || pr.RunLevel != "LeastPrivilege" || pr.ID != task.Actions.Context {
		t.Errorf("principal = %+v, actions' context %q", pr, task.Actions.Context)
	}
	st := task.Settings
	if st.DisallowStartIfOnBatteries || st.StopIfGoingOnBatteries || !st.StartWhenAvailable || st.MultipleInstancesPolicy != "IgnoreNew" || !st.Enabled {
		t.Errorf("settings = %+v", st)
	}
	if task.Actions.Exec.Command != `"C:\Program Files\Onboard365\onboard365.exe"` {
		t.Errorf("command = %q", task.Actions.Exec.Command)
	}
	if got, want := argv(task.Actions.Exec.Arguments), append([]string{"watch", "run"}, tricky...); !reflect.DeepEqual(got, want) {
		t.Errorf("the arguments read back as %q; want %q", got, want)
	}
	if p.Files[0].Shown != strings.ReplaceAll(text, "\r\n", "\n") {
		t.Error("what the dry run shows is not what is saved")
	}
	wantSteps(t, p.Install, "write", `schtasks /Create /TN "Onboard365 Watch" /XML C:\Users\adele\AppData\Roaming\onboard365\watch-task.xml /F`)
	wantSteps(t, p.Uninstall, `schtasks /Delete /TN "Onboard365 Watch" /F (may fail)`, "remove")
	if got := p.Query.Shown(Windows); got != `schtasks /Query /TN "Onboard365 Watch" /V /FO LIST` {
		t.Errorf("status = %s", got)
	}
}

func wantSteps(t *testing.T, steps []Step, want ...string) {
	t.Helper()
	var got []string
	for _, st := range steps {
		switch {
		case st.Write:
			got = append(got, "write")
		case st.Remove:
			got = append(got, "remove")
		case st.Run != nil:
			s := st.Run.Shown(Windows)
			if st.Run.Name != "schtasks" {
				s = st.Run.Shown(Linux)
			}
			if st.Run.MayFail {
				s += " (may fail)"
			}
			got = append(got, s)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("steps =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestWindowsTaskWithoutSpaces(t *testing.T) {
	s := windowsSpec(`C:\Users\adele\AppData\Roaming`)
	s.Executable, s.Args, s.Every = `C:\Tools\onboard365.exe`, nil, 24*time.Hour
	p, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	task, _ := readTaskXML(t, p.Files[0].Content)
	if task.Actions.Exec.Command != `C:\Tools\onboard365.exe` || task.Actions.Exec.Arguments != "watch run" || task.Triggers.Time.Repetition.Interval != "P1D" {
		t.Errorf("exec = %+v, interval %s", task.Actions.Exec, task.Triggers.Time.Repetition.Interval)
	}
}

func macSpec(home string) Spec {
	return Spec{OS: MacOS, Executable: "/Applications/Onboard 365.app/Contents/MacOS/onboard365", Args: tricky,
		Every: 6 * time.Hour, Home: home, User: "501", Start: start}
}

func TestMacOSAgent(t *testing.T) {
	p, err := Build(macSpec("/Users/adele"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 1 || p.Files[0].Path != "/Users/adele/Library/LaunchAgents/io.github.onboard365.watch.plist" {
		t.Fatalf("files = %+v", p.Files)
	}
	var agent map[string]any
	if _, err := plist.Unmarshal(p.Files[0].Content, &agent); err != nil {
		t.Fatalf("the LaunchAgent is not a plist: %v\n%s", err, p.Files[0].Content)
	}
	if err := xml.Unmarshal(p.Files[0].Content, new(struct{})); err != nil {
		t.Errorf("the LaunchAgent is not XML: %v", err)
	}
	wantArgs := []any{"/Applications/Onboard 365.app/Contents/MacOS/onboard365", "watch", "run"}
	for _, a := range tricky {
		wantArgs = append(wantArgs, a)
	}
	want := map[string]any{
		"Label":             "io.github.onboard365.watch",
		"ProgramArguments":  wantArgs,
		"StartInterval":     uint64(21600),
		"RunAtLoad":         false,
		"ProcessType":       "Background",
		"StandardOutPath":   "/Users/adele/Library/Logs/onboard365-watch.log",
		"StandardErrorPath": "/Users/adele/Library/Logs/onboard365-watch-error.log",
	}
	if !reflect.DeepEqual(agent, want) {
		t.Errorf("the LaunchAgent reads as\n%#v\nwant\n%#v", agent, want)
	}
	wantSteps(t, p.Install, "write", "launchctl bootout gui/501/io.github.onboard365.watch (may fail)",
		"launchctl bootstrap gui/501 /Users/adele/Library/LaunchAgents/io.github.onboard365.watch.plist")
	wantSteps(t, p.Uninstall, "launchctl bootout gui/501/io.github.onboard365.watch (may fail)", "remove")
	if got := p.Query.Shown(MacOS); got != "launchctl print gui/501/io.github.onboard365.watch" {
		t.Errorf("status = %s", got)
	}
}

func linuxSpec(home, exe string) Spec {
	return Spec{OS: Linux, Executable: exe, Args: tricky, Every: 36*time.Hour + 30*time.Minute, Home: home, Start: start}
}

func TestLinuxUnits(t *testing.T) {
	p, err := Build(linuxSpec("/home/adele", "/opt/Onboard 365/onboard365"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 2 || p.Files[0].Path != "/home/adele/.config/systemd/user/onboard365-watch.service" ||
		p.Files[1].Path != "/home/adele/.config/systemd/user/onboard365-watch.timer" {
		t.Fatalf("files = %+v", p.Files)
	}
	service, timer := string(p.Files[0].Content), string(p.Files[1].Content)
	wantExec := `ExecStart="/opt/Onboard 365/onboard365" watch run --customer "Litware \"EU\" & <Co>" "C:\\dir with space\\" "100%% $$HOME" "back\\slash" "it's"` + "\n"
	if !strings.Contains(service, wantExec) || !strings.Contains(service, "Type=oneshot\n") {
		t.Errorf("the service:\n%s\nwant the line\n%s", service, wantExec)
	}
	for _, line := range []string{"OnActiveSec=5min\n", "OnUnitActiveSec=1d 12h 30min\n", "WantedBy=timers.target\n"} {
		if !strings.Contains(timer, line) {
			t.Errorf("the timer lacks %q:\n%s", line, timer)
		}
	}
	wantSteps(t, p.Install, "write", "systemctl --user daemon-reload", "systemctl --user enable --now onboard365-watch.timer")
	wantSteps(t, p.Uninstall, "systemctl --user disable --now onboard365-watch.timer (may fail)", "remove", "systemctl --user daemon-reload (may fail)")

	s := linuxSpec("/home/adele", "/usr/bin/onboard365")
	s.ConfigDir = "/home/adele/.local/config"
	if p, _ := Build(s); p.Files[0].Path != "/home/adele/.local/config/systemd/user/onboard365-watch.service" {
		t.Errorf("with XDG_CONFIG_HOME the service goes to %s", p.Files[0].Path)
	}
}

// TestLinuxUnitsVerify has systemd read the units it would install, with the executable in a
// folder whose name has a space (systemd-analyze checks that ExecStart's program exists).
func TestLinuxUnitsVerify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("systemd-analyze is missing: CI installs Debian's systemd package for it")
		}
		t.Skip("systemd-analyze is not on this computer (Debian's systemd package has it)")
	}
	dir := t.TempDir()
	exe := filepath.Join(dir, "Onboard 365", "onboard365")
	if err := os.MkdirAll(filepath.Dir(exe), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := Build(linuxSpec(filepath.Join(dir, "home"), exe))
	if err != nil {
		t.Fatal(err)
	}
	if err := Install(context.Background(), p, &fakeRunner{}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(analyze, "verify", p.Files[0].Path, p.Files[1].Path)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	// And it does find a broken unit: the check can fail.
	broken := strings.Replace(string(p.Files[1].Content), "OnUnitActiveSec=1d 12h 30min", "OnUnitActiveSec=every day and a half", 1)
	if err := os.WriteFile(p.Files[1].Path, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, _ := exec.Command(analyze, "verify", p.Files[0].Path, p.Files[1].Path).CombinedOutput(); !bytes.Contains(out, []byte("Failed to parse")) {
		t.Fatalf("systemd-analyze verify did not find a broken timer: %s", out)
	}
}

func TestSystemdArg(t *testing.T) {
	for in, want := range map[string]string{
		"plain":     "plain",
		"two words": `"two words"`,
		`a"b`:       `"a\"b"`,
		`a\b`:       `"a\\b"`,
		"50%":       "50%%",
		"$HOME":     "$$HOME",
		"a;b":       `"a;b"`,
		"":          `""`,
	} {
		if got := systemdArg(in); got != want {
			t.Errorf("systemdArg(%q) = %s; want %s", in, got, want)
		}
	}
}

func TestDurations(t *testing.T) {
	for _, tc := range []struct {
		d                  time.Duration
		iso, systemd, said string
	}{
		{15 * time.Minute, "PT15M", "15min", "15 minutes"},
		{time.Hour, "PT1H", "1h", "1 hour"},
		{90 * time.Minute, "PT1H30M", "1h 30min", "1 hour and 30 minutes"},
		{24 * time.Hour, "P1D", "1d", "1 day"},
		{36*time.Hour + time.Minute, "P1DT12H1M", "1d 12h 1min", "1 day, 12 hours and 1 minute"},
		{31 * 24 * time.Hour, "P31D", "31d", "31 days"},
	} {
		if got := isoDuration(tc.d); got != tc.iso {
			t.Errorf("isoDuration(%v) = %s; want %s", tc.d, got, tc.iso)
		}
		if got := systemdDuration(tc.d); got != tc.systemd {
			t.Errorf("systemdDuration(%v) = %s; want %s", tc.d, got, tc.systemd)
		}
		if got := interval(tc.d); got != tc.said {
			t.Errorf("interval(%v) = %s; want %s", tc.d, got, tc.said)
		}
	}
}

func TestBuildRefuses(t *testing.T) {
	base := linuxSpec("/home/adele", "/usr/bin/onboard365")
	for _, tc := range []struct {
		name   string
		modify func(s *Spec)
		want   string
	}{
		{"too often", func(s *Spec) { s.Every = 5 * time.Minute }, "--every is at least 15 minutes"},
		{"too seldom", func(s *Spec) { s.Every = 32 * 24 * time.Hour }, "--every is at most 31 days"},
		{"not whole minutes", func(s *Spec) { s.Every = 20*time.Minute + 30*time.Second }, "--every is a whole number of minutes"},
		{"a relative path", func(s *Spec) { s.Executable = "onboard365" }, "the watch needs the full path of onboard365"},
		{"a Windows path on Linux", func(s *Spec) { s.Executable = `C:\onboard365.exe` }, "the watch needs the full path"},
		{"a webhook address", func(s *Spec) { s.Args = []string{"--teams", "https://contoso.webhook.office.com/webhookb2/x"} }, "a web address or a secret would be written into the schedule"},
		{"a secret", func(s *Spec) { s.Args = []string{"--password", "Xy8Q~k3Jd9sLq2Vn7Rt5Wc1Mz8Hb4Pf6Gy0Ae2Ud"} }, "a web address or a secret"},
		{"a line break", func(s *Spec) { s.Args = []string{"a\nExecStartPre=/bin/rm"} }, "holds characters a schedule cannot hold"},
		{"an escape", func(s *Spec) { s.Executable = "/usr/bin/on\x1b[2Jboard365" }, "holds characters a schedule cannot hold"},
		{"no home", func(s *Spec) { s.Home = "" }, "the watch needs your home folder"},
		{"a Mac without a user id", func(s *Spec) { *s = macSpec("/Users/adele"); s.User = "adele" }, "numeric user id"},
		{"Windows without a user", func(s *Spec) { *s = windowsSpec(`C:\x`); s.User = "" }, "Windows user name"},
		{"an unknown system", func(s *Spec) { s.OS = "plan9" }, `the watch installs on windows, macos or linux, not "plan9"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := base
			tc.modify(&s)
			if _, err := Build(s); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Build = %v; want an error with %q", err, tc.want)
			}
		})
	}
}

// fakeRunner records the commands it is asked to run; fail names those that fail.
type fakeRunner struct {
	ran  []string
	fail map[string]bool
	out  string
}

func (f *fakeRunner) Run(_ context.Context, name string, args ...string) ([]byte, error) {
	line := strings.Join(append([]string{name}, args...), " ")
	f.ran = append(f.ran, line)
	for prefix := range f.fail {
		if strings.HasPrefix(line, prefix) {
			return []byte("Boot-out failed: 3: No such process\x1b[0m"), errors.New("exit status 3")
		}
	}
	return []byte(f.out), nil
}

func TestInstallAndUninstall(t *testing.T) {
	home := t.TempDir()
	for _, tc := range []struct {
		spec                    Spec
		install, uninstall      []string
		failOnInstall, wantFail string
	}{
		{spec: macSpec(home),
			install:   []string{"launchctl bootout gui/501/io.github.onboard365.watch", "launchctl bootstrap gui/501 " + home + "/Library/LaunchAgents/io.github.onboard365.watch.plist"},
			uninstall: []string{"launchctl bootout gui/501/io.github.onboard365.watch"}},
		{spec: linuxSpec(home, "/usr/bin/onboard365"),
			install:   []string{"systemctl --user daemon-reload", "systemctl --user enable --now onboard365-watch.timer"},
			uninstall: []string{"systemctl --user disable --now onboard365-watch.timer", "systemctl --user daemon-reload"}},
		{spec: windowsSpec(home),
			install:   []string{"schtasks /Create /TN Onboard365 Watch /XML " + home + `\onboard365\watch-task.xml /F`},
			uninstall: []string{"schtasks /Delete /TN Onboard365 Watch /F"}},
	} {
		t.Run(string(tc.spec.OS), func(t *testing.T) {
			p, err := Build(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			if tc.spec.OS == Windows {
				// A Windows path is not a path here: write the task where this system can.
				p.Files[0].Path = filepath.Join(home, "watch-task.xml")
			}
			// The first install: nothing to unload yet, which may fail.
			r := &fakeRunner{fail: map[string]bool{"launchctl bootout": true}}
			if err := Install(context.Background(), p, r); err != nil {
				t.Fatalf("Install: %v", err)
			}
			if !reflect.DeepEqual(r.ran, tc.install) {
				t.Errorf("Install ran\n  %s\nwant\n  %s", strings.Join(r.ran, "\n  "), strings.Join(tc.install, "\n  "))
			}
			for _, f := range p.Files {
				b, err := os.ReadFile(f.Path)
				if err != nil || !bytes.Equal(b, f.Content) {
					t.Errorf("%s was not written: %v", f.Path, err)
				}
				if st, _ := os.Stat(f.Path); st != nil && st.Mode().Perm() != 0o600 {
					t.Errorf("%s has mode %v; want 0600", f.Path, st.Mode().Perm())
				}
			}
			if s := Query(context.Background(), p, &fakeRunner{out: "state = active"}); !s.Installed || s.Detail != "state = active" ||
				!strings.HasPrefix(s.Sentence, "The watch is installed as "+p.OS.Name()) {
				t.Errorf("Query after install = %+v", s)
			}
			r = &fakeRunner{}
			if err := Uninstall(context.Background(), p, r); err != nil {
				t.Fatalf("Uninstall: %v", err)
			}
			if !reflect.DeepEqual(r.ran, tc.uninstall) {
				t.Errorf("Uninstall ran %q; want %q", r.ran, tc.uninstall)
			}
			for _, f := range p.Files {
				if _, err := os.Stat(f.Path); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s is still there after Uninstall", f.Path)
				}
			}
			if err := Uninstall(context.Background(), p, &fakeRunner{fail: map[string]bool{"": true}}); err != nil {
				t.Errorf("uninstalling what is not there: %v", err)
			}
			if s := Query(context.Background(), p, &fakeRunner{fail: map[string]bool{"": true}}); s.Installed || s.Sentence != "The watch is not installed: `onboard365 watch install` installs it." {
				t.Errorf("Query after uninstall = %+v", s)
			}
		})
	}
}

func TestInstallSaysWhatFailed(t *testing.T) {
	home := t.TempDir()
	p, _ := Build(macSpec(home))
	err := Install(context.Background(), p, &fakeRunner{fail: map[string]bool{"launchctl bootstrap": true}})
	want := "launchd answered `launchctl bootstrap gui/501 " + home + "/Library/LaunchAgents/io.github.onboard365.watch.plist` with an error: Boot-out failed: 3: No such process"
	if err == nil || err.Error() != want {
		t.Errorf("Install = %v\nwant %s", err, want)
	}
	if s := Query(context.Background(), p, &fakeRunner{fail: map[string]bool{"": true}}); s.Installed || !strings.Contains(s.Sentence, "launchd does not know it") {
		t.Errorf("Query with the file but not loaded = %+v", s)
	}
}

func TestDryRun(t *testing.T) {
	for _, o := range []OS{Windows, MacOS, Linux} {
		t.Run(string(o), func(t *testing.T) {
			s, err := DefaultSpec(o, "/usr/local/bin/onboard365", []string{"--notify", "desktop"}, DefaultEvery, start)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Build(s)
			if err != nil {
				t.Fatalf("Build(DefaultSpec(%s)) = %v", o, err)
			}
			var buf bytes.Buffer
			if err := p.DryRun(&buf); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if !strings.HasPrefix(out, "Onboard365 would install the watch as "+o.Name()+" that runs it every 6 hours.\n") {
				t.Errorf("the dry run starts %q", out[:min(100, len(out))])
			}
			here, _ := ThisOS()
			if example := strings.Contains(out, "This computer does not run "+o.Title()+", so the folders"); example != (o != here) {
				t.Errorf("the dry run for %s on %s says it shows examples: %v", o, here, example)
			}
			for _, f := range p.Files {
				if !strings.Contains(out, "It would write "+f.Path) || !strings.Contains(out, f.Shown) {
					t.Errorf("the dry run does not show %s and its content", f.Path)
				}
			}
			for _, st := range append(append([]Step{}, p.Install...), p.Uninstall...) {
				if st.Run != nil && !strings.Contains(out, "    "+st.Run.Shown(o)+"\n") {
					t.Errorf("the dry run does not show the command %s", st.Run.Shown(o))
				}
			}
			if !strings.Contains(out, "watch run --notify desktop") && !strings.Contains(out, "<string>desktop</string>") {
				t.Errorf("the dry run does not show the command the watch runs:\n%s", out)
			}
		})
	}
}

func TestDefaultSpecHere(t *testing.T) {
	here, err := ThisOS()
	if err != nil {
		t.Skip(err)
	}
	if here == Linux {
		t.Setenv("XDG_CONFIG_HOME", "/tmp/xdg-config")
	}
	exe, _ := os.Executable()
	s, err := DefaultSpec(here, exe, nil, time.Hour, start)
	if err != nil {
		t.Fatal(err)
	}
	home, _ := os.UserHomeDir()
	if s.Executable != exe || s.Home != home || !s.Start.After(start) {
		t.Errorf("DefaultSpec here = %+v", s)
	}
	if here == Linux && s.ConfigDir != "/tmp/xdg-config" {
		t.Errorf("ConfigDir = %q; want $XDG_CONFIG_HOME", s.ConfigDir)
	}
	if _, err := Build(s); err != nil {
		t.Errorf("Build(DefaultSpec here) = %v", err)
	}
}

func TestParseOS(t *testing.T) {
	for in, want := range map[string]OS{"windows": Windows, "macOS": MacOS, "darwin": MacOS, " linux ": Linux} {
		if got, err := ParseOS(in); err != nil || got != want {
			t.Errorf("ParseOS(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseOS("beos"); err == nil || err.Error() != `--os is windows, macos or linux, not "beos"` {
		t.Errorf("ParseOS(beos) = %v", err)
	}
}

func FuzzWindowsArg(f *testing.F) {
	for _, s := range append([]string{"", `a\`, `\"`, `a b\\`, `"`}, tricky...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsRune(s, 0) {
			return
		}
		line := "watch " + windowsArg(s) + " run"
		if got := argv(line); len(got) != 3 || got[1] != s {
			t.Fatalf("windowsArg(%q) = %s reads back as %q", s, windowsArg(s), got)
		}
	})
}
