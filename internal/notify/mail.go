package notify

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// Secret gives a secret from the keychain at the moment it is needed (the mail password). The
// notify package never keeps it.
type Secret interface {
	Secret(ctx context.Context) (string, error)
}

// SecretFunc is a function that is a Secret.
type SecretFunc func(ctx context.Context) (string, error)

// Secret calls f.
func (f SecretFunc) Secret(ctx context.Context) (string, error) { return f(ctx) }

// Security is how Mail encrypts its connection. Mail never sends over a connection that is not
// encrypted.
type Security int

// The ways to encrypt.
const (
	// StartTLS connects in plain text and switches to TLS before anything else (port 587, or 25);
	// a server that does not offer STARTTLS is refused.
	StartTLS Security = iota
	// ImplicitTLS speaks TLS from the start (port 465).
	ImplicitTLS
)

// Mail sends the notice as mail through an SMTP server, with the standard library's net/smtp:
// TLS always (STARTTLS or implicit), then AUTH PLAIN or, where the server offers only that,
// AUTH LOGIN, with the password read from Password just before it is sent.
//
// Microsoft 365 mailboxes (smtp.office365.com) are turning off sign-in with a password for SMTP
// ("basic authentication"); there, a mail relay or OAuth is needed, and the server's refusal is
// told in a sentence.
type Mail struct {
	Host     string
	Port     int // 0: 587 with StartTLS, 465 with ImplicitTLS
	Security Security
	// Username and Password sign in; no Password: no sign-in (a relay that trusts the network).
	Username string
	Password Secret
	// From and To are mail addresses ("Onboard365 <watch@contoso.com>" or a bare address).
	From string
	To   []string
	// TLSConfig is for tests and private servers (nil: the system's trusted roots, for Host).
	TLSConfig *tls.Config
	// Now gives the message's date (nil: time.Now).
	Now func() time.Time
}

// Name is "mail".
func (*Mail) Name() string { return "mail" }

// Notify sends m to every address in To.
func (ml *Mail) Notify(ctx context.Context, m Message) error {
	from, to, err := ml.addresses()
	if err != nil {
		return err
	}
	port := ml.Port
	if port == 0 {
		port = 587
		if ml.Security == ImplicitTLS {
			port = 465
		}
	}
	server := net.JoinHostPort(ml.Host, strconv.Itoa(port))
	cfg := &tls.Config{ServerName: ml.Host, MinVersion: tls.VersionTLS12}
	if ml.TLSConfig != nil {
		cfg = ml.TLSConfig.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = ml.Host
		}
	}

	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", server)
	if err != nil {
		return sentence(fmt.Sprintf("The mail server %s could not be reached: check its name and port, and this computer's network connection.", server), err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	if ml.Security == ImplicitTLS {
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return sentence(fmt.Sprintf("The mail server %s could not be reached safely: its TLS certificate was not accepted, or it does not speak TLS on port %d.", server, port), err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, ml.Host)
	if err != nil {
		return mailError(server, "greeting", err)
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return mailError(server, "greeting", err)
	}
	if ml.Security == StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return sentence(fmt.Sprintf("The mail server %s does not offer an encrypted connection (STARTTLS), and Onboard365 does not send a password or a notice unencrypted: use port 465 or another server.", server), nil)
		}
		if err := c.StartTLS(cfg); err != nil {
			return sentence(fmt.Sprintf("The mail server %s could not switch to an encrypted connection: its TLS certificate was not accepted.", server), err)
		}
	}
	if ml.Password != nil {
		if err := ml.signIn(ctx, c, server); err != nil {
			return err
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return mailError(server, "sender", err)
	}
	for _, a := range to {
		if err := c.Rcpt(a.Address); err != nil {
			return mailError(server, "recipient "+a.Address, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return mailError(server, "message", err)
	}
	if _, err := w.Write(ml.compose(from, to, m)); err != nil {
		return mailError(server, "message", err)
	}
	if err := w.Close(); err != nil {
		return mailError(server, "message", err)
	}
	_ = c.Quit()
	return nil
}

func (ml *Mail) addresses() (*mail.Address, []*mail.Address, error) {
	if strings.TrimSpace(ml.Host) == "" {
		return nil, nil, sentence("Mail needs the name of the mail server.", nil)
	}
	from, err := mail.ParseAddress(ml.From)
	if err != nil {
		return nil, nil, sentence(fmt.Sprintf("The sender's mail address %q is not a mail address.", cleanAddr(ml.From)), err)
	}
	if len(ml.To) == 0 {
		return nil, nil, sentence("Mail needs at least one address to send the notice to.", nil)
	}
	var to []*mail.Address
	for _, s := range ml.To {
		a, err := mail.ParseAddress(s)
		if err != nil {
			return nil, nil, sentence(fmt.Sprintf("%q is not a mail address.", cleanAddr(s)), err)
		}
		to = append(to, a)
	}
	return from, to, nil
}

func cleanAddr(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len(s) > 100 {
		s = s[:100]
	}
	return s
}

// signIn reads the password and signs in with AUTH PLAIN, or AUTH LOGIN where that is all the
// server offers (Microsoft 365 offers LOGIN and XOAUTH2).
func (ml *Mail) signIn(ctx context.Context, c *smtp.Client, server string) error {
	ok, mechs := c.Extension("AUTH")
	if !ok {
		return sentence(fmt.Sprintf("The mail server %s does not take a user name and password: remove the password, or use another server.", server), nil)
	}
	password, err := ml.Password.Secret(ctx)
	if err != nil {
		return sentence("The mail password could not be read from the keychain: set it again in Onboard365's settings.", err)
	}
	var auth smtp.Auth
	switch {
	case hasWord(mechs, "PLAIN"):
		auth = smtp.PlainAuth("", ml.Username, password, ml.Host)
	case hasWord(mechs, "LOGIN"):
		auth = &loginAuth{user: ml.Username, password: password}
	default:
		return sentence(fmt.Sprintf("The mail server %s signs in only in ways Onboard365 does not speak (it offers %s).", server, answerText(mechs)), nil)
	}
	if err := c.Auth(auth); err != nil {
		return mailError(server, "sign-in", err)
	}
	return nil
}

func hasWord(list, word string) bool {
	for _, w := range strings.Fields(list) {
		if strings.EqualFold(w, word) {
			return true
		}
	}
	return false
}

// loginAuth is AUTH LOGIN: the user name and the password, each when the server asks. It is sent
// only over TLS (Notify never signs in without it).
type loginAuth struct{ user, password string }

func (a *loginAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS {
		return "", nil, errors.New("unencrypted connection")
	}
	return "LOGIN", nil, nil
}

func (a *loginAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	switch strings.ToLower(strings.TrimSpace(string(fromServer))) {
	case "username:", "user name", "username":
		return []byte(a.user), nil
	case "password:", "password":
		return []byte(a.password), nil
	}
	return nil, fmt.Errorf("the server asked %q", answerText(string(fromServer)))
}

// mailError says what an SMTP server refused, with the code and its own words (cleaned).
func mailError(server, step string, err error) error {
	var te *textproto.Error
	if !errors.As(err, &te) {
		if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
			return sentence(fmt.Sprintf("The mail server %s stopped answering (at the %s).", server, step), err)
		}
		return sentence(fmt.Sprintf("The connection to the mail server %s broke off (at the %s).", server, step), err)
	}
	said := answerText(te.Msg)
	var s string
	switch {
	case strings.Contains(te.Msg, "5.7.30") || strings.Contains(strings.ToLower(te.Msg), "basic authentication is not supported"):
		s = fmt.Sprintf("The mail server %s no longer takes a password for sending mail (Microsoft 365 turns this off): use a mail relay instead.", server)
	case te.Code == 535 || te.Code == 534:
		s = fmt.Sprintf("The mail server %s did not accept the user name and password: set them again in Onboard365's settings.", server)
	case step == "sender":
		s = fmt.Sprintf("The mail server %s refused to send mail from this sender (%d).", server, te.Code)
	case strings.HasPrefix(step, "recipient "):
		s = fmt.Sprintf("The mail server %s refused the %s (%d).", server, step, te.Code)
	case te.Code >= 400 && te.Code < 500:
		s = fmt.Sprintf("The mail server %s is busy or limited just now (%d); the next run tries again.", server, te.Code)
	default:
		s = fmt.Sprintf("The mail server %s refused the %s (%d).", server, step, te.Code)
	}
	if said != "" {
		s += " It said: " + said
	}
	return sentence(s, err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// compose writes the message: plain text in UTF-8, quoted-printable, its subject encoded so that
// no line break in it can add a header.
func (ml *Mail) compose(from *mail.Address, to []*mail.Address, m Message) []byte {
	m = clean(m)
	now := time.Now
	if ml.Now != nil {
		now = ml.Now
	}
	var id [12]byte
	_, _ = rand.Read(id[:])
	host := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	tos := make([]string, len(to))
	for i, a := range to {
		tos[i] = a.String()
	}
	var b strings.Builder
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", from.String())
	header("To", strings.Join(tos, ", "))
	header("Subject", mime.QEncoding.Encode("utf-8", m.Title))
	header("Date", now().Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id[:])+"@"+host+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")

	var text strings.Builder
	if m.Summary != "" {
		text.WriteString(m.Summary + "\n")
	}
	for _, it := range m.Items {
		mark := "Problem"
		if it.Good {
			mark = "Good news"
		}
		text.WriteString("\n" + mark + ": " + it.Heading + "\n")
		if it.Text != "" {
			text.WriteString(it.Text + "\n")
		}
		if it.Fix != "" {
			text.WriteString(it.Fix + "\n")
		}
	}
	text.WriteString("\n-- \nSent by the Onboard365 watch. Open Onboard365 to see every customer's health.\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(strings.ReplaceAll(text.String(), "\n", "\r\n")))
	_ = qp.Close()
	return []byte(b.String())
}
