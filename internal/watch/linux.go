package watch

import (
	"fmt"
	"strings"
	"time"
)

// buildLinux makes the systemd user service and timer, and the systemctl --user commands.
//
// The timer runs the service five minutes after the timer starts (OnActiveSec: after
// `watch install`, and after each login, when the user's manager starts its timers) and then
// every spec.Every after the last run (OnUnitActiveSec). OnBootSec is not used: it counts from
// the machine's boot, which for a timer started at login or at install is usually long past.
// Persistent is not used either: systemd.timer(5) says it acts only on OnCalendar timers.
// The units live in the user's manager, which runs while the user is logged in, when the
// Secret Service keyring is open.
func buildLinux(spec Spec) Plan {
	dir := spec.ConfigDir
	if dir == "" {
		dir = join(Linux, spec.Home, ".config")
	}
	dir = join(Linux, dir, "systemd", "user")
	args := []string{systemdArg(spec.Executable), "watch", "run"}
	for _, a := range spec.Args {
		args = append(args, systemdArg(a))
	}
	service := fmt.Sprintf(`[Unit]
Description=Onboard365 watch: checks the connection to your customers and tells you what changed

[Service]
Type=oneshot
ExecStart=%s
`, strings.Join(args, " "))
	timer := fmt.Sprintf(`[Unit]
Description=Run the Onboard365 watch every %s

[Timer]
OnActiveSec=5min
OnUnitActiveSec=%s

[Install]
WantedBy=timers.target
`, interval(spec.Every), systemdDuration(spec.Every))
	reload := Command{Name: "systemctl", Args: []string{"--user", "daemon-reload"}}
	enable := Command{Name: "systemctl", Args: []string{"--user", "enable", "--now", systemdName + ".timer"}}
	reloadAfter := Command{Name: "systemctl", Args: []string{"--user", "daemon-reload"}, MayFail: true}
	disable := Command{Name: "systemctl", Args: []string{"--user", "disable", "--now", systemdName + ".timer"}, MayFail: true}
	return Plan{
		OS: Linux, Every: spec.Every,
		Files: []File{
			{Path: join(Linux, dir, systemdName+".service"), Content: []byte(service), Shown: service},
			{Path: join(Linux, dir, systemdName+".timer"), Content: []byte(timer), Shown: timer},
		},
		Install:   []Step{{Write: true}, {Run: &reload}, {Run: &enable}},
		Uninstall: []Step{{Run: &disable}, {Remove: true}, {Run: &reloadAfter}},
		Query:     Command{Name: "systemctl", Args: []string{"--user", "list-timers", "--all", "--no-pager", systemdName + ".timer"}},
	}
}

// systemdArg writes one word of ExecStart (systemd.syntax(7), "Quoting"; systemd.service(5),
// "Command lines"): in double quotes when it holds a space, a quotation mark, a backslash or a
// semicolon, with \ and " escaped; % doubled (a specifier otherwise) and $ doubled (a variable
// otherwise), quoted or not.
func systemdArg(a string) string {
	a = strings.ReplaceAll(a, "%", "%%")
	a = strings.ReplaceAll(a, "$", "$$")
	if a != "" && !strings.ContainsAny(a, " \t\"'\\;") {
		return a
	}
	a = strings.ReplaceAll(a, `\`, `\\`)
	a = strings.ReplaceAll(a, `"`, `\"`)
	return `"` + a + `"`
}

// systemdDuration writes d as systemd.time(7) reads it: "6h", "1d 12h", "1h 30min".
func systemdDuration(d time.Duration) string {
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, fmt.Sprintf("%dd", days))
	}
	if hours > 0 {
		parts = append(parts, fmt.Sprintf("%dh", hours))
	}
	if mins > 0 {
		parts = append(parts, fmt.Sprintf("%dmin", mins))
	}
	return strings.Join(parts, " ")
}
