package notify

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// message is a notice as the watch sends it, with outside text that must be cleaned.
func message() Message {
	return Message{
		Title:   "Onboard365: 2 problems, 1 fixed",
		Summary: "Relecloud lost its consent and Fabrikam's relationship ends in 7 days. Litware's roles are fixed.",
		Items: []Item{
			{Heading: "Relecloud: consent", Text: "The app's consent is gone: tokens for Relecloud no longer redeem.", Fix: "Open Onboard365 and run App registration."},
			{Heading: "Fabrikam\u202e [click](https://evil.example) <@here>: relationship end", Text: "Ends in 7 days\x1b]0;owned\x07 and does not extend itself.", Fix: "Open Onboard365 and run GDAP relationships."},
			{Heading: "Litware: GDAP roles", Text: "Every role of the template is assigned again.", Good: true},
		},
	}
}

// password is a Secret that counts how often it was read.
type password struct {
	value string
	err   error
	reads atomic.Int32
}

func (p *password) Secret(context.Context) (string, error) {
	p.reads.Add(1)
	return p.value, p.err
}

func mailTo(s *smtpServer, _ any, pw Secret) *Mail {
	return &Mail{Host: "127.0.0.1", Port: s.port(), Username: "watch@contoso.com", Password: pw,
		From: "Onboard365 watch <watch@contoso.com>", To: []string{"adele@contoso.com", "Nestor Wilke <nestor@contoso.com>"},
		Now: func() time.Time { return time.Date(2026, 5, 3, 7, 0, 0, 0, time.UTC) }}
}

// withRoots makes m trust the test server's certificate.
func withRoots(m *Mail, s *smtpServer) *Mail {
	pool := x509.NewCertPool()
	pool.AddCert(s.cert.Leaf)
	m.TLSConfig = &tls.Config{RootCAs: pool}
	return m
}

func TestMailOverStartTLS(t *testing.T) {
	for _, mechs := range []string{"PLAIN LOGIN", "LOGIN XOAUTH2"} {
		t.Run(mechs, func(t *testing.T) {
			s, _ := newSMTPServer(t, func(s *smtpServer) { s.mechs = mechs })
			pw := &password{value: "correct horse"}
			m := withRoots(mailTo(s, nil, pw), s)
			if err := m.Notify(context.Background(), message()); err != nil {
				t.Fatalf("Notify: %v", err)
			}
			got := s.mails()
			if len(got) != 1 {
				t.Fatalf("the server got %d mails", len(got))
			}
			mail := got[0]
			if !mail.tls || mail.user != "watch@contoso.com" || mail.from != "watch@contoso.com" ||
				strings.Join(mail.to, ",") != "adele@contoso.com,nestor@contoso.com" || pw.reads.Load() != 1 {
				t.Errorf("the mail = %+v (password read %d times)", mail, pw.reads.Load())
			}
			for _, over := range s.authOverTLS {
				if !over {
					t.Error("the password was sent before the connection was encrypted")
				}
			}
			checkMail(t, mail.data)
		})
	}
}

// checkMail reads a delivered message: headers, subject, body.
func checkMail(t *testing.T, data string) {
	t.Helper()
	head, body, ok := strings.Cut(data, "\r\n\r\n")
	if !ok {
		t.Fatalf("no header and body in %q", data)
	}
	headers := map[string]string{}
	for _, l := range strings.Split(head, "\r\n") {
		k, v, _ := strings.Cut(l, ": ")
		headers[k] = v
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(headers["Subject"])
	if err != nil || subject != "Onboard365: 2 problems, 1 fixed" {
		t.Errorf("subject = %q, %v", subject, err)
	}
	if headers["From"] != `"Onboard365 watch" <watch@contoso.com>` || headers["To"] != `<adele@contoso.com>, "Nestor Wilke" <nestor@contoso.com>` ||
		headers["Date"] != "Sun, 03 May 2026 07:00:00 +0000" || headers["Content-Type"] != "text/plain; charset=utf-8" ||
		!strings.HasSuffix(headers["Message-ID"], "@contoso.com>") {
		t.Errorf("headers = %v", headers)
	}
	text, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Relecloud lost its consent",
		"Problem: Relecloud: consent\r\nThe app's consent is gone",
		"Open Onboard365 and run App registration.",
		"Good news: Litware: GDAP roles",
		"Ends in 7 days and does not extend itself.",
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the mail lacks %q:\n%s", want, text)
		}
	}
	if strings.ContainsAny(string(text), "\x1b\u202e\x07") {
		t.Error("an escape or a direction override reached the mail")
	}
}

func TestMailOverImplicitTLS(t *testing.T) {
	s, _ := newSMTPServer(t, func(s *smtpServer) { s.implicit, s.startTLS = true, false })
	m := withRoots(mailTo(s, nil, &password{value: "correct horse"}), s)
	m.Security = ImplicitTLS
	if err := m.Notify(context.Background(), message()); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	if got := s.mails(); len(got) != 1 || !got[0].tls {
		t.Fatalf("the server got %+v", got)
	}
}

func TestMailRefuses(t *testing.T) {
	for _, tc := range []struct {
		name      string
		configure func(s *smtpServer)
		modify    func(m *Mail)
		want      string
		noReads   bool
	}{
		{"no STARTTLS: nothing goes unencrypted", func(s *smtpServer) { s.startTLS = false }, nil,
			"does not offer an encrypted connection (STARTTLS), and Onboard365 does not send a password or a notice unencrypted", true},
		{"a wrong password", nil, func(m *Mail) { m.Password = &password{value: "wrong"} },
			"did not accept the user name and password: set them again in Onboard365's settings. It said: 5.7.8 Authentication credentials invalid", false},
		{"basic authentication turned off", func(s *smtpServer) {
			s.rejectAuth = "535 5.7.139 Authentication unsuccessful, basic authentication is disabled"
		}, nil, "did not accept the user name and password", false},
		{"Microsoft 365's 5.7.30", func(s *smtpServer) {
			s.rejectAuth = "550 5.7.30 Basic authentication is not supported for Client Submission."
		}, nil, "no longer takes a password for sending mail (Microsoft 365 turns this off): use a mail relay instead", false},
		{"an unknown recipient", nil, func(m *Mail) { m.To = []string{"nobody@contoso.com"} },
			"refused the recipient nobody@contoso.com (550). It said: 5.1.1 nobody@contoso.com: no such user", false},
		{"no sign-in offered", func(s *smtpServer) { s.mechs = "" }, nil, "does not take a user name and password", true},
		{"only ways it does not speak", func(s *smtpServer) { s.mechs = "XOAUTH2 CRAM-MD5" }, nil,
			"signs in only in ways Onboard365 does not speak (it offers XOAUTH2 CRAM-MD5)", false},
		{"the keychain fails", nil, func(m *Mail) { m.Password = &password{err: errors.New("locked")} },
			"The mail password could not be read from the keychain", false},
		{"a header in an address", nil, func(m *Mail) { m.To = []string{"adele@contoso.com\r\nBcc: all@contoso.com"} },
			`"adele@contoso.comBcc: all@contoso.com" is not a mail address.`, true},
		{"no recipient", nil, func(m *Mail) { m.To = nil }, "Mail needs at least one address", true},
		{"a certificate it does not trust", nil, func(m *Mail) { m.TLSConfig = nil },
			"could not switch to an encrypted connection: its TLS certificate was not accepted", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newSMTPServer(t, tc.configure)
			pw := &password{value: "correct horse"}
			m := withRoots(mailTo(s, nil, pw), s)
			if tc.modify != nil {
				tc.modify(m)
			}
			err := m.Notify(context.Background(), message())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Notify = %v\nwant it to say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "correct horse") {
				t.Fatal("the password is in the error")
			}
			if tc.noReads && pw.reads.Load() != 0 {
				t.Errorf("the password was read %d times, before it could be sent safely", pw.reads.Load())
			}
			if len(s.mails()) != 0 {
				t.Error("a mail was delivered anyway")
			}
		})
	}
}

func TestMailUnreachable(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().(*net.TCPAddr)
	ln.Close()
	m := &Mail{Host: "127.0.0.1", Port: addr.Port, From: "watch@contoso.com", To: []string{"adele@contoso.com"}}
	err := m.Notify(context.Background(), message())
	if err == nil || !strings.HasPrefix(err.Error(), "The mail server "+addr.String()+" could not be reached") {
		t.Fatalf("Notify to a closed port = %v", err)
	}
}

// webhook is a loopback HTTPS server that records what it was sent and answers status.
func webhook(t *testing.T, status int, answer string, delay time.Duration) (*httptest.Server, *[][]byte, *sync.Mutex) {
	var mu sync.Mutex
	var got [][]byte
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad request", 400)
			return
		}
		mu.Lock()
		got = append(got, b)
		mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // a client that refuses the test certificate is a test case
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, &got, &mu
}

// secretPath stands for the secret part of a webhook's address.
const secretPath = "/webhookb2/4f1c9e0a-secret-part/IncomingWebhook/0d6f"

func TestTeams(t *testing.T) {
	srv, got, _ := webhook(t, http.StatusAccepted, "", 0)
	if err := (Teams{URL: srv.URL + secretPath, Client: srv.Client()}).Notify(context.Background(), message()); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	if len(*got) != 1 {
		t.Fatalf("the webhook got %d posts", len(*got))
	}
	var payload struct {
		Type        string `json:"type"`
		Attachments []struct {
			ContentType string `json:"contentType"`
			Content     struct {
				Type    string `json:"type"`
				Version string `json:"version"`
				Body    []struct {
					Type    string `json:"type"`
					Inlines []struct {
						Type, Text, Color string
					} `json:"inlines"`
				} `json:"body"`
			} `json:"content"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal((*got)[0], &payload); err != nil {
		t.Fatal(err)
	}
	if payload.Type != "message" || len(payload.Attachments) != 1 || payload.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" ||
		payload.Attachments[0].Content.Type != "AdaptiveCard" || payload.Attachments[0].Content.Version != "1.4" {
		t.Fatalf("the post = %s", (*got)[0])
	}
	var texts []string
	for _, b := range payload.Attachments[0].Content.Body {
		if b.Type != "RichTextBlock" || len(b.Inlines) != 1 || b.Inlines[0].Type != "TextRun" {
			t.Errorf("a block is %s with %d inlines: outside text must go in text runs", b.Type, len(b.Inlines))
			continue
		}
		texts = append(texts, b.Inlines[0].Text)
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"Onboard365: 2 problems, 1 fixed", "Relecloud: consent", "Open Onboard365 and run App registration.",
		"Fabrikam [click](https://evil.example) <@here>: relationship end", "Ends in 7 days and does not extend itself.", "Litware: GDAP roles"} {
		if !strings.Contains(all, want) {
			t.Errorf("the card lacks %q:\n%s", want, all)
		}
	}
	if strings.ContainsAny(all, "\x1b\u202e\x07") {
		t.Error("an escape or an override reached Teams")
	}
}

func TestSlack(t *testing.T) {
	srv, got, _ := webhook(t, http.StatusOK, "ok", 0)
	if err := (Slack{URL: srv.URL + secretPath, Client: srv.Client()}).Notify(context.Background(), message()); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	var payload struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type string `json:"type"`
			Text struct{ Type, Text string }
		} `json:"blocks"`
	}
	if err := json.Unmarshal((*got)[0], &payload); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(payload.Text, "Onboard365: 2 problems, 1 fixed: Relecloud lost its consent") {
		t.Errorf("text = %q", payload.Text)
	}
	if len(payload.Blocks) != 5 || payload.Blocks[0].Type != "header" {
		t.Fatalf("blocks = %+v", payload.Blocks)
	}
	for _, b := range payload.Blocks {
		if b.Text.Type != "plain_text" {
			t.Errorf("a %s block is %s: outside text must be plain text", b.Type, b.Text.Type)
		}
	}
	if b := payload.Blocks[3].Text.Text; b != "⚠ Fabrikam [click](https://evil.example) <@here>: relationship end\nEnds in 7 days and does not extend itself.\nOpen Onboard365 and run GDAP relationships." {
		t.Errorf("Fabrikam's block = %q", b)
	}
	// In the markup text, < and & are escaped, so a name cannot mention or link.
	m := message()
	m.Summary = "Contoso & <!channel> <https://evil.example|x>"
	*got = nil
	(Slack{URL: srv.URL, Client: srv.Client()}).Notify(context.Background(), m)
	json.Unmarshal((*got)[0], &payload)
	if !strings.HasSuffix(payload.Text, "Contoso &amp; &lt;!channel&gt; &lt;https://evil.example|x&gt;") {
		t.Errorf("the markup text = %q", payload.Text)
	}
}

func TestWebhookFailuresSaySoWithoutTheAddress(t *testing.T) {
	for _, tc := range []struct {
		status int
		answer string
		want   string
	}{
		{404, "Webhook not found", "Teams answered 404: it does not know the webhook: it was removed, or its address was copied wrong. It said: Webhook not found"},
		{403, "", "Teams answered 403: it refused the webhook: it was turned off, or the workflow's owner no longer has access."},
		{429, "", "Teams answered 429: it is receiving too many notices just now; the next run tries again."},
		{502, "\x1b[31mbad gateway", "Teams answered 502: it had a problem of its own; the next run tries again. It said: bad gateway"},
		{302, "", "Teams answered 302: it sent the notice on to another address, which Onboard365 does not follow"},
		{400, "Summary or Text is required.", "Teams answered 400: it did not accept the notice. It said: Summary or Text is required."},
	} {
		srv, _, _ := webhook(t, tc.status, tc.answer, 0)
		client := srv.Client()
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		err := (Teams{URL: srv.URL + secretPath, Client: client}).Notify(context.Background(), message())
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("a %d = %v\nwant %s", tc.status, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret-part") {
			t.Errorf("the error holds the webhook's address: %v", err)
		}
	}
	// Unreachable: the sentence names the host only, and the cause kept for a log has no address.
	srv, _, _ := webhook(t, 200, "", 0)
	addr := srv.URL
	srv.Close()
	err := (Slack{URL: addr + secretPath}).Notify(context.Background(), message())
	if err == nil || !strings.HasPrefix(err.Error(), "Slack could not be reached at 127.0.0.1") {
		t.Errorf("an unreachable webhook = %v", err)
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), "secret-part") {
			t.Errorf("the error chain holds the webhook's address: %v", e)
		}
	}
	if err := (Teams{URL: "http://127.0.0.1/x"}).Notify(context.Background(), message()); err == nil || !strings.Contains(err.Error(), "starts with https://") {
		t.Errorf("a plain-http address = %v", err)
	}
	// A certificate the system does not trust (the default client).
	srv2, _, _ := webhook(t, 200, "", 0)
	if err := (Teams{URL: srv2.URL}).Notify(context.Background(), message()); err == nil || !strings.Contains(err.Error(), "certificate was not accepted") {
		t.Errorf("an untrusted certificate = %v", err)
	}
}

// TestSendNeverWaitsForOneThatHangs sends to a webhook that hangs, one that fails, a mail server
// that never answers and one that works: the one that works delivers, the others fail in
// sentences, all within the time limit.
func TestSendNeverWaitsForOneThatHangs(t *testing.T) {
	slow, _, _ := webhook(t, 200, "", 10*time.Second)
	bad, _, _ := webhook(t, 404, "", 0)
	good, got, mu := webhook(t, 200, "ok", 0)
	silent, _ := newSMTPServer(t, func(s *smtpServer) { s.silent = true })
	start := time.Now()
	rep := Send(context.Background(), message(), 500*time.Millisecond,
		Teams{URL: slow.URL, Client: slow.Client()},
		Teams{URL: bad.URL, Client: bad.Client()},
		withRoots(mailTo(silent, nil, &password{value: "x"}), silent),
		Slack{URL: good.URL, Client: good.Client()},
	)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Send took %v; want about the time limit", took)
	}
	mu.Lock()
	delivered := len(*got)
	mu.Unlock()
	if strings.Join(rep.Delivered, ",") != "Slack" || delivered != 1 {
		t.Errorf("delivered = %v (%d posts)", rep.Delivered, delivered)
	}
	if len(rep.Failed) != 3 {
		t.Fatalf("failed = %+v", rep.Failed)
	}
	for i, want := range []string{
		"Teams did not answer within 500ms",
		"Teams answered 404",
		"Mail did not answer within 500ms",
	} {
		if !strings.HasPrefix(rep.Failed[i].Sentence, want) {
			t.Errorf("failure %d = %q; want it to start %q", i, rep.Failed[i].Sentence, want)
		}
	}
}

func TestSendSurvivesAPanic(t *testing.T) {
	rep := Send(context.Background(), message(), time.Second, panicky{}, Desktop{Show: func(string, string) error { return nil }})
	if len(rep.Failed) != 1 || rep.Failed[0].Sentence != "panicky stopped with an internal error" || len(rep.Delivered) != 1 {
		t.Errorf("report = %+v", rep)
	}
}

type panicky struct{}

func (panicky) Name() string                          { return "panicky" }
func (panicky) Notify(context.Context, Message) error { panic("boom") }

func TestDesktopFailure(t *testing.T) {
	d := Desktop{Show: func(title, text string) error { return errors.New("org.freedesktop.DBus.Error.ServiceUnknown") }}
	err := d.Notify(context.Background(), message())
	if err == nil || !strings.HasPrefix(err.Error(), "The desktop notification could not be shown") {
		t.Errorf("Notify = %v", err)
	}
	block := make(chan struct{})
	defer close(block)
	d = Desktop{Show: func(string, string) error { <-block; return nil }}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := d.Notify(ctx, message()); err == nil || !strings.Contains(err.Error(), "did not answer") {
		t.Errorf("a notification service that hangs = %v", err)
	}
}

// notifications is the freedesktop notification service's Notify method, on a test bus.
type notifications struct {
	mu  sync.Mutex
	got [][]string // app name, summary, body
}

func (n *notifications) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, []string{app, summary, body})
	return uint32(len(n.got)), nil
}

// TestDesktopOnASessionBus shows the notice through beeep, on a D-Bus session bus of the test's
// own, where the test plays the notification service: what beeep sends on Linux is what a
// desktop would show.
func TestDesktopOnASessionBus(t *testing.T) {
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("dbus-daemon is missing: CI installs Debian's dbus-daemon package for it")
		}
		t.Skip("dbus-daemon is not on this computer")
	}
	cmd := exec.Command(daemon, "--session", "--nofork", "--nopidfile", "--print-address=1", "--address=unix:dir="+t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	addr = strings.TrimSpace(addr)

	service, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer service.Close()
	n := &notifications{}
	if err := service.Export(n, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		t.Fatal(err)
	}
	if reply, err := service.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("taking the notification service's name: %v, %v", reply, err)
	}

	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := (Desktop{}).Notify(ctx, message()); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.got) != 1 {
		t.Fatalf("the notification service got %d notifications", len(n.got))
	}
	if g := n.got[0]; g[0] != "Onboard365" || g[1] != "Onboard365: 2 problems, 1 fixed" || !strings.HasPrefix(g[2], "Relecloud lost its consent") {
		t.Errorf("the notification = %q", g)
	}
}
