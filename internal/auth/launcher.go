package auth

import (
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"
)

// The launcher: MSAL hands it the sign-in address, and it opens a private window of the user's
// browser, so that the sign-in cannot be answered from an earlier session (the stale-session
// trap of seed 000: "log in using an incognito window or a clean browser"). prompt=login already
// forces the password; the private window also keeps other accounts' cookies out of the way.

// Launch tells what the launcher did with the sign-in address, so the UI can say it in words
// and offer the address to copy.
type Launch struct {
	URL     string // the sign-in address; the user may copy it into a private window
	Browser string // the browser's name ("Google Chrome"), "" when not known
	Private bool   // a private (InPrivate, incognito) window was opened
	Opened  bool   // some browser window was opened
}

// Message is the sentence the UI shows about the launch.
func (l Launch) Message() string {
	switch {
	case l.Private && l.Browser != "":
		return "Opened a private window of " + l.Browser + ". Sign in there with your partner account and approve the MFA prompt."
	case l.Private:
		return "Opened a private browser window. Sign in there with your partner account and approve the MFA prompt."
	case l.Opened:
		return "Opened your normal browser: if it signs you in without asking for your password and MFA, close it and use the address below in a private window."
	}
	return "Onboard365 could not open a browser. Copy the address below into a private (InPrivate or incognito) browser window and sign in there."
}

// errNoBrowser is what PrivateBrowser's function returns when no browser could be started.
var errNoBrowser = errors.New("no browser could be started on this computer")

// PrivateBrowser returns the launcher MSAL calls with the sign-in address (public.WithOpenURL):
// it opens a private window of the default browser where it can, else of another installed
// browser that has one, else the default browser as it is. It returns an error only when no
// browser at all could be started. Use OpenPrivateWindow to learn what it did.
func PrivateBrowser() func(url string) error {
	return func(u string) error {
		if l := OpenPrivateWindow(u); !l.Opened {
			return errNoBrowser
		}
		return nil
	}
}

// OpenPrivateWindow opens u as PrivateBrowser does and tells what it did.
func OpenPrivateWindow(u string) Launch {
	home, _ := os.UserHomeDir()
	l := launcher{goos: runtime.GOOS, home: home, start: startProcess, output: commandOutput, exists: fileExists, lookPath: exec.LookPath}
	return l.open(u)
}

// Browser ids, as privateCommand takes them.
const (
	browserEdge     = "edge"
	browserChrome   = "chrome"
	browserChromium = "chromium"
	browserBrave    = "brave"
	browserFirefox  = "firefox"
	browserSafari   = "safari"
)

var browserNames = map[string]string{
	browserEdge: "Microsoft Edge", browserChrome: "Google Chrome", browserChromium: "Chromium",
	browserBrave: "Brave", browserFirefox: "Firefox", browserSafari: "Safari",
}

// privateCommand is the command that opens u in a private window of browserID on goos, and
// whether it is private. For a browser without a usable private-window switch (Safari, an
// unknown one, ""), it is the command that opens u in the default browser, and private is false.
// It is a pure function: it only builds the command.
//
//   - windows: PowerShell's Start-Process, which finds the browsers through their "App Paths"
//     registration as the Run box does (msedge --inprivate, chrome --incognito, firefox
//     -private-window); the default browser through rundll32 url.dll,FileProtocolHandler.
//     Not cmd /c start: cmd would read the & of the address as a command separator.
//   - darwin: open -na "Google Chrome" --args --incognito u, and the like; open u otherwise.
//     (Safari cannot be asked for a private window from the command line; AppleScript UI
//     scripting can, but needs the Accessibility permission and breaks between versions.)
//   - linux and other Unixes: the browser's command with its switch; xdg-open u otherwise.
func privateCommand(goos, browserID, u string) (name string, args []string, private bool) {
	b := privateWindows[browserID]
	switch goos {
	case "windows":
		if b.windows == "" {
			return "rundll32", []string{"url.dll,FileProtocolHandler", u}, false
		}
		command := "Start-Process -FilePath " + psQuote(b.windows) + " -ArgumentList " + psQuote(b.flag) + "," + psQuote(windowsSafeURL(u))
		return "powershell", []string{"-NoProfile", "-NonInteractive", "-WindowStyle", "Hidden", "-Command", command}, true
	case "darwin":
		if b.darwin == "" {
			return "open", []string{u}, false
		}
		return "open", []string{"-na", b.darwin, "--args", b.flag, u}, true
	default:
		if b.unix == "" {
			return "xdg-open", []string{u}, false
		}
		flag := b.flag
		if browserID == browserFirefox {
			flag = "--private-window" // Firefox's Linux builds spell it with two dashes
		}
		return b.unix, []string{flag, u}, true
	}
}

// privateWindow is how one browser is started on each OS (its program on Windows, its
// application on macOS, its command elsewhere; "" where it cannot be started with the switch),
// and the switch that opens a private window.
type privateWindow struct {
	windows, darwin, unix string
	flag                  string
}

var privateWindows = map[string]privateWindow{
	browserEdge:     {windows: "msedge", darwin: "Microsoft Edge", unix: "microsoft-edge", flag: "--inprivate"},
	browserChrome:   {windows: "chrome", darwin: "Google Chrome", unix: "google-chrome", flag: "--incognito"},
	browserChromium: {darwin: "Chromium", unix: "chromium", flag: "--incognito"},
	browserBrave:    {windows: "brave", darwin: "Brave Browser", unix: "brave-browser", flag: "--incognito"},
	browserFirefox:  {windows: "firefox", darwin: "Firefox", unix: "firefox", flag: "-private-window"},
}

// psQuote is a PowerShell single-quoted string. PowerShell also reads the typographic quotes
// as single quotes, so they are doubled too.
func psQuote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\'', '\u2018', '\u2019', '\u201a', '\u201b':
			b.WriteRune(r)
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}

// windowsSafeURL percent-encodes the few characters that mean something to a command line or
// to PowerShell (quotes, backtick, spaces, anything not printable ASCII). A sign-in server
// decodes them back, so the address means the same.
func windowsSafeURL(u string) string {
	var b strings.Builder
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(u); i++ {
		c := u[i]
		if c <= 0x20 || c >= 0x7f || c == '\'' || c == '"' || c == '`' {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// linuxNames are the commands a browser goes by on Linux distributions.
var linuxNames = map[string][]string{
	"microsoft-edge": {"microsoft-edge", "microsoft-edge-stable"},
	"google-chrome":  {"google-chrome", "google-chrome-stable"},
	"chromium":       {"chromium", "chromium-browser"},
	"brave-browser":  {"brave-browser", "brave"},
	"firefox":        {"firefox", "firefox-esr"},
}

// macApps are the application bundles whose presence says a browser is installed on macOS.
var macApps = map[string]string{
	browserEdge: "Microsoft Edge.app", browserChrome: "Google Chrome.app", browserChromium: "Chromium.app",
	browserBrave: "Brave Browser.app", browserFirefox: "Firefox.app",
}

// launcher is OpenPrivateWindow with the operating system behind functions, for tests.
type launcher struct {
	goos     string
	home     string
	start    func(name string, args []string) error            // start a program; an error when it fails at once
	output   func(name string, args ...string) (string, error) // run a short command, return its output
	exists   func(path string) bool
	lookPath func(file string) (string, error)
}

func (l launcher) open(u string) Launch {
	out := Launch{URL: u}
	if p, err := url.Parse(u); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return out // never hand a browser (or a shell) anything but a web address
	}
	for _, id := range l.candidates() {
		name, args, private := privateCommand(l.goos, id, u)
		if !private {
			continue
		}
		if l.goos != "windows" && l.goos != "darwin" {
			if name = l.findCommand(name); name == "" {
				continue
			}
		}
		if l.start(name, args) == nil {
			out.Browser, out.Private, out.Opened = browserNames[id], true, true
			return out
		}
	}
	name, args, _ := privateCommand(l.goos, "", u)
	if l.start(name, args) == nil {
		out.Opened = true
	}
	return out
}

// candidates are the browsers to try for a private window, best first: the default browser when
// it has a private window, then the others that are installed.
func (l launcher) candidates() []string {
	def := l.defaultBrowser()
	var out []string
	add := func(id string) {
		for _, o := range out {
			if o == id {
				return
			}
		}
		out = append(out, id)
	}
	switch l.goos {
	case "windows":
		if def == browserEdge || def == browserChrome || def == browserBrave || def == browserFirefox {
			add(def)
		}
		add(browserEdge) // part of Windows 10 and 11
	case "darwin":
		for _, id := range []string{def, browserChrome, browserEdge, browserFirefox, browserBrave, browserChromium} {
			if app, ok := macApps[id]; ok && (l.exists(filepath.Join("/Applications", app)) || (l.home != "" && l.exists(filepath.Join(l.home, "Applications", app)))) {
				add(id)
			}
		}
	default:
		for _, id := range []string{def, browserFirefox, browserChrome, browserChromium, browserEdge, browserBrave} {
			if _, ok := browserNames[id]; ok && id != browserSafari {
				add(id)
			}
		}
	}
	return out
}

// findCommand is the first of a Linux browser's command names that is installed, or "".
func (l launcher) findCommand(name string) string {
	names := linuxNames[name]
	if names == nil {
		names = []string{name}
	}
	for _, n := range names {
		if p, err := l.lookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// defaultBrowser asks the operating system for the default browser's id, or "".
func (l launcher) defaultBrowser() string {
	switch l.goos {
	case "windows":
		out, err := l.output("reg", "query", `HKCU\Software\Microsoft\Windows\Shell\Associations\UrlAssociations\https\UserChoice`, "/v", "ProgId")
		if err != nil {
			return ""
		}
		return browserFromProgID(progIDFromReg(out))
	case "darwin":
		out, err := l.output("defaults", "read", "com.apple.LaunchServices/com.apple.launchservices.secure", "LSHandlers")
		if err != nil {
			return ""
		}
		return browserFromBundleID(bundleIDFromLSHandlers(out))
	default:
		out, err := l.output("xdg-settings", "get", "default-web-browser")
		if err != nil {
			return ""
		}
		return browserFromDesktopFile(out)
	}
}

var progIDRE = regexp.MustCompile(`(?m)^\s*ProgId\s+REG_SZ\s+(\S+)\s*$`)

// progIDFromReg reads the ProgId value from `reg query ... /v ProgId` output.
func progIDFromReg(out string) string {
	if m := progIDRE.FindStringSubmatch(out); m != nil {
		return m[1]
	}
	return ""
}

// browserFromProgID maps a Windows https handler (UserChoice ProgId) to a browser id.
func browserFromProgID(progID string) string {
	p := strings.ToLower(progID)
	switch {
	case strings.HasPrefix(p, "msedge"):
		return browserEdge // MSEdgeHTM, MSEdgeBHTML (Beta), MSEdgeDHTML (Dev)
	case strings.HasPrefix(p, "chrome"):
		return browserChrome // ChromeHTML, ChromeBHTML, ChromeDHTML, ChromeSSHTM (Canary)
	case strings.HasPrefix(p, "firefoxurl"), strings.HasPrefix(p, "firefoxhtml"):
		return browserFirefox // FirefoxURL-308046B0AF4A39CB
	case strings.HasPrefix(p, "brave"):
		return browserBrave // BraveHTML
	}
	return ""
}

var (
	lsSchemeRE = regexp.MustCompile(`LSHandlerURLScheme\s*=\s*"?https"?\s*;`)
	lsRoleRE   = regexp.MustCompile(`LSHandlerRoleAll\s*=\s*"?([A-Za-z0-9._-]+)"?\s*;`)
)

// bundleIDFromLSHandlers reads the https handler's bundle id from `defaults read
// com.apple.LaunchServices/com.apple.launchservices.secure LSHandlers` (old-style plist text).
func bundleIDFromLSHandlers(out string) string {
	loc := lsSchemeRE.FindStringIndex(out)
	if loc == nil {
		return ""
	}
	// The entry is the innermost { ... } around the scheme; its own LSHandlerRoleAll is at
	// depth 1 of it (a nested LSHandlerPreferredVersions dictionary has "-").
	start, depth := -1, 0
	for i := loc[0]; i >= 0; i-- {
		switch out[i] {
		case '}':
			depth++
		case '{':
			if depth == 0 {
				start = i
			} else {
				depth--
			}
		}
		if start >= 0 {
			break
		}
	}
	if start < 0 {
		return ""
	}
	var flat strings.Builder
	depth = 0
	for i := start + 1; i < len(out); i++ {
		c := out[i]
		if c == '{' {
			depth++
			continue
		}
		if c == '}' {
			if depth == 0 {
				break
			}
			depth--
			continue
		}
		if depth == 0 {
			flat.WriteByte(c)
		}
	}
	if m := lsRoleRE.FindStringSubmatch(flat.String()); m != nil {
		return m[1]
	}
	return ""
}

// browserFromBundleID maps a macOS application bundle id to a browser id.
func browserFromBundleID(id string) string {
	b := strings.ToLower(id)
	switch {
	case strings.HasPrefix(b, "com.microsoft.edgemac"):
		return browserEdge
	case strings.HasPrefix(b, "com.google.chrome"):
		return browserChrome
	case strings.HasPrefix(b, "org.chromium.chromium"):
		return browserChromium
	case strings.HasPrefix(b, "com.brave.browser"):
		return browserBrave
	case strings.HasPrefix(b, "org.mozilla.firefox"), strings.HasPrefix(b, "org.mozilla.firefoxdeveloperedition"):
		return browserFirefox
	case b == "com.apple.safari", strings.HasPrefix(b, "com.apple.safaritechnologypreview"):
		return browserSafari
	}
	return ""
}

// browserFromDesktopFile maps the output of `xdg-settings get default-web-browser`
// (firefox.desktop, org.mozilla.firefox.desktop, google-chrome.desktop, ...) to a browser id.
func browserFromDesktopFile(out string) string {
	d := strings.ToLower(strings.TrimSpace(out))
	switch {
	case strings.Contains(d, "microsoft-edge"):
		return browserEdge
	case strings.Contains(d, "google-chrome"):
		return browserChrome
	case strings.Contains(d, "chromium"):
		return browserChromium
	case strings.Contains(d, "brave"):
		return browserBrave
	case strings.Contains(d, "firefox"):
		return browserFirefox
	}
	return ""
}

// startProcess starts a program and gives it a moment: a helper (open, PowerShell, a browser
// that hands the address to its running instance) ends at once, and its exit status says whether
// it worked; a browser that keeps running has started.
func startProcess(name string, args []string) error {
	cmd := exec.Command(name, args...)
	hideWindow(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(3 * time.Second):
		return nil
	}
}

func commandOutput(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	hideWindow(cmd)
	out, err := cmd.Output()
	return string(out), err
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
