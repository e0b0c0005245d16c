package notify

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// smtpServer is a small SMTP server on loopback for the tests: EHLO, STARTTLS, AUTH PLAIN and
// LOGIN, MAIL, RCPT, DATA, QUIT; enough of RFC 5321 to take a notice and to refuse one.
type smtpServer struct {
	addr string
	ln   net.Listener
	cert tls.Certificate
	// What it offers and does.
	startTLS    bool   // offers STARTTLS on a plain connection
	implicit    bool   // speaks TLS from the start
	mechs       string // AUTH mechanisms it offers once encrypted ("" : none)
	password    string // the password it accepts
	rejectAuth  string // a reply to any AUTH, instead of checking
	silent      bool   // greets, then never answers
	mu          sync.Mutex
	got         []smtpMail
	authOverTLS []bool // for each AUTH, whether the connection was encrypted
}

type smtpMail struct {
	from, user string
	to         []string
	data       string
	tls        bool
}

func newSMTPServer(t *testing.T, configure func(s *smtpServer)) (*smtpServer, *x509.CertPool) {
	t.Helper()
	cert, pool := selfSigned(t)
	s := &smtpServer{cert: cert, startTLS: true, mechs: "PLAIN LOGIN", password: "correct horse"}
	if configure != nil {
		configure(s)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if s.implicit {
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}})
	}
	s.ln, s.addr = ln, ln.Addr().String()
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s, pool
}

func (s *smtpServer) port() int {
	_, p, _ := net.SplitHostPort(s.addr)
	n := 0
	for _, c := range p {
		n = n*10 + int(c-'0')
	}
	return n
}

func (s *smtpServer) mails() []smtpMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMail(nil), s.got...)
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	_, encrypted := c.(*tls.Conn)
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	say := func(lines ...string) {
		for _, l := range lines {
			w.WriteString(l + "\r\n")
		}
		w.Flush()
	}
	say("220 127.0.0.1 test SMTP ready")
	if s.silent {
		_, _ = r.ReadString('\n')
		time.Sleep(3 * time.Second)
		return
	}
	var m smtpMail
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		arg := strings.TrimSpace(strings.TrimPrefix(line, strings.SplitN(line, " ", 2)[0]))
		switch verb {
		case "EHLO", "HELO":
			out := []string{"250-127.0.0.1 hello"}
			if s.startTLS && !encrypted {
				out = append(out, "250-STARTTLS")
			}
			if s.mechs != "" && encrypted {
				out = append(out, "250-AUTH "+s.mechs)
			}
			say(append(out, "250 8BITMIME")...)
		case "STARTTLS":
			if !s.startTLS || encrypted {
				say("502 5.5.1 not offered")
				continue
			}
			say("220 2.0.0 go ahead")
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{s.cert}})
			if err := tc.Handshake(); err != nil {
				return
			}
			c, encrypted = tc, true
			r, w = bufio.NewReader(c), bufio.NewWriter(c)
			m = smtpMail{}
		case "AUTH":
			s.mu.Lock()
			s.authOverTLS = append(s.authOverTLS, encrypted)
			s.mu.Unlock()
			if s.rejectAuth != "" {
				say(s.rejectAuth)
				continue
			}
			parts := strings.Fields(arg)
			var user, pass string
			switch {
			case len(parts) == 2 && strings.EqualFold(parts[0], "PLAIN") && strings.Contains(s.mechs, "PLAIN"):
				b, _ := base64.StdEncoding.DecodeString(parts[1])
				f := strings.Split(string(b), "\x00")
				if len(f) == 3 {
					user, pass = f[1], f[2]
				}
			case len(parts) == 1 && strings.EqualFold(parts[0], "LOGIN") && strings.Contains(s.mechs, "LOGIN"):
				say("334 " + base64.StdEncoding.EncodeToString([]byte("Username:")))
				l, _ := r.ReadString('\n')
				u, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(l))
				say("334 " + base64.StdEncoding.EncodeToString([]byte("Password:")))
				l, _ = r.ReadString('\n')
				p, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(l))
				user, pass = string(u), string(p)
			default:
				say("504 5.5.4 mechanism not offered")
				continue
			}
			if pass != s.password {
				say("535 5.7.8 Authentication credentials invalid")
				continue
			}
			m.user = user
			say("235 2.7.0 ok")
		case "MAIL":
			m.from, _, _ = strings.Cut(strings.TrimPrefix(arg, "FROM:<"), ">")
			m.tls = encrypted
			say("250 2.1.0 ok")
		case "RCPT":
			to, _, _ := strings.Cut(strings.TrimPrefix(arg, "TO:<"), ">")
			if strings.HasPrefix(to, "nobody@") {
				say("550 5.1.1 " + to + ": no such user")
				continue
			}
			m.to = append(m.to, to)
			say("250 2.1.5 ok")
		case "DATA":
			say("354 end with <CRLF>.<CRLF>")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			m.data = data.String()
			s.mu.Lock()
			s.got = append(s.got, m)
			s.mu.Unlock()
			say("250 2.0.0 queued")
		case "RSET":
			m = smtpMail{}
			say("250 ok")
		case "NOOP":
			say("250 ok")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("500 5.5.2 what?")
		}
	}
}

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "notify test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
