package cloud

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLoadRefusesWhatIsNotAFile: a device, a named pipe, a folder or a huge file is refused at
// once, with a sentence naming the file, never read without end.
func TestLoadRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.json")
	good := `{"name":"T","authorityHost":"https://login.microsoftonline.com","graphURL":"https://graph.microsoft.com","partnerCenterURL":"https://api.partnercenter.microsoft.com"}`
	if err := os.WriteFile(huge, []byte(good+strings.Repeat(" ", MaxFileSize)), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, path, want string }{
		{"larger than any cloud file", huge, "larger than 64 KB"},
		{"a folder", dir, "a folder"},
	}
	special, err := specialFiles(filepath.Join(dir, "fifo"))
	if err != nil {
		t.Fatal(err)
	}
	for what, path := range special {
		cases = append(cases, struct{ name, path, want string }{what, path, what})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { _, err := Load(tc.path); done <- err }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.path) {
					t.Fatalf("Load(%s) = %v, want an error naming the file and saying %q", tc.path, err, tc.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("Load(%s) did not return within 5 s", tc.path)
			}
		})
	}
	ok := filepath.Join(dir, "ok.json")
	if err := os.WriteFile(ok, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ok); err != nil {
		t.Fatalf("an ordinary cloud file: %v", err)
	}
}

// TestVetRefusesHostsThatAreNotMicrosofts: only Microsoft's hosts, or the sandbox on this
// computer, receive the user's secrets unless the user allows it; the refusal names the host.
func TestVetRefusesHostsThatAreNotMicrosofts(t *testing.T) {
	ca, _ := newTestCA(t)
	pub := Public()
	with := func(f func(*Cloud)) Cloud { c := Public(); f(&c); return c }
	cases := []struct {
		name  string
		c     Cloud
		hosts []string // "" fields: refused naming these; nil: accepted
		ca    bool
	}{
		{"Microsoft's worldwide cloud", pub, nil, false},
		{"US Government", Cloud{Name: "US", AuthorityHost: "https://login.microsoftonline.us", GraphURL: "https://graph.microsoft.us",
			PartnerCenterURL: "https://api.partnercenter.microsoft.com"}, nil, false},
		{"China", Cloud{Name: "CN", AuthorityHost: "https://login.chinacloudapi.cn", GraphURL: "https://microsoftgraph.chinacloudapi.cn",
			PartnerCenterURL: "https://partner.partnercenterapi.microsoftonline.cn"}, nil, false},
		{"Graph elsewhere", with(func(c *Cloud) { c.GraphURL = "https://graph.evil.example" }), []string{"graph.evil.example"}, false},
		{"Partner Center elsewhere", with(func(c *Cloud) { c.PartnerCenterURL = "https://pc.example:8443" }), []string{"pc.example:8443"}, false},
		{"a Microsoft host on another port", with(func(c *Cloud) { c.GraphURL = "https://graph.microsoft.com:444" }), []string{"graph.microsoft.com:444"}, false},
		{"a Microsoft look-alike", with(func(c *Cloud) { c.AuthorityHost = "https://login.microsoftonline.com.evil.example" }),
			[]string{"login.microsoftonline.com.evil.example"}, false},
		{"Graph's host for Partner Center", with(func(c *Cloud) { c.PartnerCenterURL = "https://graph.microsoft.com" }), []string{"graph.microsoft.com"}, false},
		{"an extra certificate authority", with(func(c *Cloud) { c.CACertificate = ca }), []string{}, true},
		{"the sandbox on loopback", Cloud{Name: "S", AuthorityHost: "https://127.0.0.1:5000", GraphURL: "https://127.0.0.1:5000/graph",
			PartnerCenterURL: "https://127.0.0.1:5000/partnercenter", CACertificate: ca, Sandbox: true}, nil, false},
		{"a sandbox that is not on this computer", Cloud{Name: "S", AuthorityHost: "https://127.0.0.1:5000", GraphURL: "https://sandbox.example/graph",
			PartnerCenterURL: "https://127.0.0.1:5000/partnercenter", CACertificate: ca, Sandbox: true}, []string{"sandbox.example"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Vet(false)
			if tc.hosts == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ue *UntrustedError
			if !errors.As(err, &ue) {
				t.Fatalf("accepted (%v), want it refused", err)
			}
			for _, h := range tc.hosts {
				if !strings.Contains(err.Error(), h) {
					t.Errorf("the refusal does not name %s: %v", h, err)
				}
			}
			if ue.ExtraCA != tc.ca {
				t.Errorf("ExtraCA %v, want %v", ue.ExtraCA, tc.ca)
			}
			for _, say := range []string{"access tokens", "--" + AllowFlag} {
				if !strings.Contains(err.Error(), say) {
					t.Errorf("the refusal does not say %q: %v", say, err)
				}
			}
			if err := tc.c.Vet(true); err != nil {
				t.Errorf("refused though the user allowed it: %v", err)
			}
		})
	}
}

// TestLoadTrustedRefusesAForeignGraph: the cloud file of the probe (Microsoft's sign-in, somebody
// else's Graph) is refused when loaded, naming the host, and accepted only when allowed.
func TestLoadTrustedRefusesAForeignGraph(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cloud.json")
	if err := os.WriteFile(path, []byte(`{"name":"x","authorityHost":"https://login.microsoftonline.com","graphURL":"https://127.0.0.2:9443",`+
		`"partnerCenterURL":"https://api.partnercenter.microsoft.com"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTrusted(path, false); err == nil || !strings.Contains(err.Error(), "127.0.0.2:9443") {
		t.Fatalf("LoadTrusted = %v, want a refusal naming 127.0.0.2:9443", err)
	}
	if _, err := LoadTrusted(path, true); err != nil {
		t.Fatalf("LoadTrusted, allowed: %v", err)
	}
}

// TestKeychainNameBindsASignInToItsCloud: a kept sign-in is found only by the cloud it was made
// for; changing any host or the certificate authority gives another keychain entry.
func TestKeychainNameBindsASignInToItsCloud(t *testing.T) {
	ca, _ := newTestCA(t)
	pub := Public()
	if n := pub.KeychainName(); n != "" {
		t.Fatalf("the public cloud's keychain name is %q, want the app's own (\"\")", n)
	}
	same := pub
	same.Name, same.GraphURL = "Renamed", "https://GRAPH.microsoft.com/"
	if n := same.KeychainName(); n != "" {
		t.Errorf("the public cloud, renamed and spelt differently, is %q", n)
	}
	names := map[string]string{"": "public"}
	for label, f := range map[string]func(*Cloud){
		"graph":          func(c *Cloud) { c.GraphURL = "https://graph.evil.example" },
		"partner center": func(c *Cloud) { c.PartnerCenterURL = "https://pc.evil.example" },
		"authority":      func(c *Cloud) { c.AuthorityHost = "https://login.microsoftonline.us" },
		"CA":             func(c *Cloud) { c.CACertificate = ca },
		"sandbox":        func(c *Cloud) { c.Sandbox = true },
	} {
		c := Public()
		f(&c)
		n := c.KeychainName()
		if other, dup := names[n]; dup {
			t.Errorf("a cloud with another %s shares the keychain name %q with %s", label, n, other)
		}
		names[n] = label
		if c.KeychainName() != n {
			t.Errorf("%s: the keychain name is not stable", label)
		}
	}
}
