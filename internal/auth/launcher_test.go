package auth

import (
	"errors"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

const signInURL = "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?client_id=abc&scope=openid+profile&state=x&prompt=login"

func TestPrivateCommand(t *testing.T) {
	u := signInURL
	ps := func(exe, flag string) []string {
		return []string{"-NoProfile", "-NonInteractive", "-WindowStyle", "Hidden", "-Command",
			"Start-Process -FilePath '" + exe + "' -ArgumentList '" + flag + "','" + u + "'"}
	}
	for _, tc := range []struct {
		goos, browser string
		name          string
		args          []string
		private       bool
	}{
		{"windows", "edge", "powershell", ps("msedge", "--inprivate"), true},
		{"windows", "chrome", "powershell", ps("chrome", "--incognito"), true},
		{"windows", "firefox", "powershell", ps("firefox", "-private-window"), true},
		{"windows", "brave", "powershell", ps("brave", "--incognito"), true},
		{"windows", "safari", "rundll32", []string{"url.dll,FileProtocolHandler", u}, false},
		{"windows", "", "rundll32", []string{"url.dll,FileProtocolHandler", u}, false},
		{"windows", "opera", "rundll32", []string{"url.dll,FileProtocolHandler", u}, false},

		{"darwin", "edge", "open", []string{"-na", "Microsoft Edge", "--args", "--inprivate", u}, true},
		{"darwin", "chrome", "open", []string{"-na", "Google Chrome", "--args", "--incognito", u}, true},
		{"darwin", "firefox", "open", []string{"-na", "Firefox", "--args", "-private-window", u}, true},
		{"darwin", "brave", "open", []string{"-na", "Brave Browser", "--args", "--incognito", u}, true},
		{"darwin", "chromium", "open", []string{"-na", "Chromium", "--args", "--incognito", u}, true},
		{"darwin", "safari", "open", []string{u}, false},
		{"darwin", "", "open", []string{u}, false},

		{"linux", "edge", "microsoft-edge", []string{"--inprivate", u}, true},
		{"linux", "chrome", "google-chrome", []string{"--incognito", u}, true},
		{"linux", "chromium", "chromium", []string{"--incognito", u}, true},
		{"linux", "firefox", "firefox", []string{"--private-window", u}, true},
		{"linux", "brave", "brave-browser", []string{"--incognito", u}, true},
		{"linux", "safari", "xdg-open", []string{u}, false},
		{"linux", "", "xdg-open", []string{u}, false},
		{"freebsd", "firefox", "firefox", []string{"--private-window", u}, true},
		{"freebsd", "", "xdg-open", []string{u}, false},
	} {
		t.Run(tc.goos+"/"+tc.browser, func(t *testing.T) {
			name, args, private := privateCommand(tc.goos, tc.browser, u)
			if name != tc.name || !reflect.DeepEqual(args, tc.args) || private != tc.private {
				t.Errorf("privateCommand = %q %q %v\nwant             %q %q %v", name, args, private, tc.name, tc.args, tc.private)
			}
		})
	}
}

func TestPrivateCommandQuotesForPowerShell(t *testing.T) {
	_, args, _ := privateCommand("windows", "edge", "https://x.example/a?b='c'&d=\"e\"&f=`g` h&i=\u2019")
	cmd := args[len(args)-1]
	want := "Start-Process -FilePath 'msedge' -ArgumentList '--inprivate','https://x.example/a?b=%27c%27&d=%22e%22&f=%60g%60%20h&i=%E2%80%99'"
	if cmd != want {
		t.Errorf("command = %s\nwant      %s", cmd, want)
	}
	if got := psQuote("it's \u2019q\u2019"); got != "'it''s \u2019\u2019q\u2019\u2019'" {
		t.Errorf("psQuote = %s", got)
	}
}

func TestDefaultBrowserReaders(t *testing.T) {
	reg := "\r\nHKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\Shell\\Associations\\UrlAssociations\\https\\UserChoice\r\n    ProgId    REG_SZ    ChromeHTML\r\n\r\n"
	if got := progIDFromReg(reg); got != "ChromeHTML" {
		t.Errorf("progIDFromReg = %q", got)
	}
	for progID, want := range map[string]string{
		"MSEdgeHTM": "edge", "MSEdgeBHTML": "edge", "ChromeHTML": "chrome", "ChromeSSHTM": "chrome",
		"FirefoxURL-308046B0AF4A39CB": "firefox", "FirefoxHTML-308046B0AF4A39CB": "firefox", "BraveHTML": "brave",
		"IE.HTTPS": "", "AppXq0fevzme2pys62n3e0fbqa7peapykr8v": "", "": "",
	} {
		if got := browserFromProgID(progID); got != want {
			t.Errorf("browserFromProgID(%q) = %q, want %q", progID, got, want)
		}
	}

	ls := `(
        {
        LSHandlerContentType = "public.html";
        LSHandlerPreferredVersions =         {
            LSHandlerRoleAll = "-";
        };
        LSHandlerRoleAll = "com.apple.safari";
    },
        {
        LSHandlerPreferredVersions =         {
            LSHandlerRoleAll = "-";
        };
        LSHandlerRoleAll = "com.google.chrome";
        LSHandlerURLScheme = https;
    },
        {
        LSHandlerRoleAll = "org.mozilla.firefox";
        LSHandlerURLScheme = http;
    }
)`
	if got := bundleIDFromLSHandlers(ls); got != "com.google.chrome" {
		t.Errorf("bundleIDFromLSHandlers = %q", got)
	}
	if got := bundleIDFromLSHandlers(`({ LSHandlerRoleAll = "org.mozilla.firefox"; LSHandlerURLScheme = http; })`); got != "" {
		t.Errorf("bundleIDFromLSHandlers without https = %q", got)
	}
	for id, want := range map[string]string{
		"com.google.chrome": "chrome", "com.microsoft.edgemac": "edge", "com.microsoft.edgemac.beta": "edge",
		"org.mozilla.firefox": "firefox", "com.apple.Safari": "safari", "com.brave.Browser": "brave",
		"org.chromium.Chromium": "chromium", "com.operasoftware.Opera": "",
	} {
		if got := browserFromBundleID(id); got != want {
			t.Errorf("browserFromBundleID(%q) = %q, want %q", id, got, want)
		}
	}
	for desktop, want := range map[string]string{
		"firefox.desktop\n": "firefox", "org.mozilla.firefox.desktop": "firefox", "firefox_firefox.desktop": "firefox",
		"google-chrome.desktop": "chrome", "chromium.desktop": "chromium", "chromium-browser.desktop": "chromium",
		"microsoft-edge.desktop": "edge", "brave-browser.desktop": "brave", "org.gnome.Epiphany.desktop": "", "": "",
	} {
		if got := browserFromDesktopFile(desktop); got != want {
			t.Errorf("browserFromDesktopFile(%q) = %q, want %q", desktop, got, want)
		}
	}
}

// fakeOS records what the launcher starts; nothing is really started.
type fakeOS struct {
	outputs   map[string]string // first word of the command -> its output
	installed map[string]bool   // paths and command names that exist
	fail      map[string]bool   // commands (name + first args) whose start fails
	started   [][]string
}

func (f *fakeOS) launcher(goos string) launcher {
	return launcher{
		goos: goos, home: "/Users/tech",
		start: func(name string, args []string) error {
			f.started = append(f.started, append([]string{name}, args...))
			key := name
			if len(args) > 0 {
				key += " " + args[len(args)-1]
			}
			for k := range f.fail {
				if strings.HasPrefix(key, k) || strings.Contains(strings.Join(args, " "), k) {
					return errors.New("exit status 1")
				}
			}
			return nil
		},
		output: func(name string, args ...string) (string, error) {
			if out, ok := f.outputs[name]; ok {
				return out, nil
			}
			return "", errors.New("not found")
		},
		exists: func(p string) bool { return f.installed[p] },
		lookPath: func(file string) (string, error) {
			if f.installed[file] {
				return "/usr/bin/" + file, nil
			}
			return "", exec.ErrNotFound
		},
	}
}

func TestLauncherOpen(t *testing.T) {
	u := signInURL
	for _, tc := range []struct {
		name        string
		goos        string
		os          fakeOS
		want        Launch
		wantStarted string // the first word(s) of the last started command
	}{
		{"windows default Chrome", "windows", fakeOS{outputs: map[string]string{"reg": "    ProgId    REG_SZ    ChromeHTML\r\n"}},
			Launch{URL: u, Browser: "Google Chrome", Private: true, Opened: true}, "powershell"},
		{"windows unknown default: Edge InPrivate", "windows", fakeOS{outputs: map[string]string{"reg": "    ProgId    REG_SZ    IE.HTTPS\r\n"}},
			Launch{URL: u, Browser: "Microsoft Edge", Private: true, Opened: true}, "powershell"},
		{"windows Firefox fails, Edge next", "windows", fakeOS{outputs: map[string]string{"reg": "    ProgId    REG_SZ    FirefoxURL-308046B0AF4A39CB\r\n"}, fail: map[string]bool{"'firefox'": true}},
			Launch{URL: u, Browser: "Microsoft Edge", Private: true, Opened: true}, "powershell"},
		{"windows no private browser: default browser", "windows", fakeOS{fail: map[string]bool{"Start-Process": true}},
			Launch{URL: u, Opened: true}, "rundll32"},
		{"macOS default Safari, Chrome installed", "darwin", fakeOS{
			outputs:   map[string]string{"defaults": `({ LSHandlerRoleAll = "com.apple.safari"; LSHandlerURLScheme = https; })`},
			installed: map[string]bool{"/Applications/Google Chrome.app": true}},
			Launch{URL: u, Browser: "Google Chrome", Private: true, Opened: true}, "open -na Google Chrome"},
		{"macOS default Firefox in ~/Applications", "darwin", fakeOS{
			outputs:   map[string]string{"defaults": `({ LSHandlerRoleAll = "org.mozilla.firefox"; LSHandlerURLScheme = https; })`},
			installed: map[string]bool{"/Applications/Google Chrome.app": true, "/Users/tech/Applications/Firefox.app": true}},
			Launch{URL: u, Browser: "Firefox", Private: true, Opened: true}, "open -na Firefox"},
		{"macOS only Safari", "darwin", fakeOS{},
			Launch{URL: u, Opened: true}, "open " + u},
		{"linux default Firefox", "linux", fakeOS{outputs: map[string]string{"xdg-settings": "firefox.desktop\n"}, installed: map[string]bool{"firefox": true, "chromium": true}},
			Launch{URL: u, Browser: "Firefox", Private: true, Opened: true}, "/usr/bin/firefox --private-window"},
		{"linux default unknown, chromium-browser installed", "linux", fakeOS{installed: map[string]bool{"chromium-browser": true}},
			Launch{URL: u, Browser: "Chromium", Private: true, Opened: true}, "/usr/bin/chromium-browser --incognito"},
		{"linux no browser known: xdg-open", "linux", fakeOS{},
			Launch{URL: u, Opened: true}, "xdg-open"},
		{"nothing starts", "linux", fakeOS{installed: map[string]bool{"firefox": true}, fail: map[string]bool{"/usr/bin/firefox": true, "xdg-open": true}},
			Launch{URL: u}, "xdg-open"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.os
			got := f.launcher(tc.goos).open(u)
			if got != tc.want {
				t.Errorf("open = %+v, want %+v", got, tc.want)
			}
			if len(f.started) == 0 {
				t.Fatal("nothing was started")
			}
			last := strings.Join(f.started[len(f.started)-1], " ")
			if !strings.HasPrefix(last, tc.wantStarted) {
				t.Errorf("last started %q, want it to start with %q", last, tc.wantStarted)
			}
		})
	}
}

func TestLauncherOpensOnlyWebAddresses(t *testing.T) {
	for _, u := range []string{"--remote-debugging-port=9222", "file:///etc/passwd", "javascript:alert(1)", "", "https://"} {
		f := fakeOS{installed: map[string]bool{"firefox": true}}
		got := f.launcher("linux").open(u)
		if got.Opened || len(f.started) != 0 {
			t.Errorf("open(%q) = %+v, started %q", u, got, f.started)
		}
	}
}

func TestLaunchMessage(t *testing.T) {
	for _, tc := range []struct {
		l    Launch
		want string
	}{
		{Launch{Browser: "Google Chrome", Private: true, Opened: true}, "Opened a private window of Google Chrome."},
		{Launch{Private: true, Opened: true}, "Opened a private browser window."},
		{Launch{Opened: true}, "Opened your normal browser: if it signs you in without asking for your password and MFA, close it and use the address below in a private window."},
		{Launch{}, "could not open a browser"},
	} {
		if got := tc.l.Message(); !strings.Contains(got, tc.want) {
			t.Errorf("Message(%+v) = %q, want %q", tc.l, got, tc.want)
		}
	}
}
