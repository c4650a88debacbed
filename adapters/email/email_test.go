package email_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/langganan/langganan/adapters/email"
	"github.com/langganan/langganan/core"
	"github.com/rs/zerolog"
)

// smtpServer is a minimal in-process SMTP server: EHLO (offering AUTH
// PLAIN, no STARTTLS), AUTH, MAIL, RCPT, DATA, QUIT. It keeps the last
// message and the credentials it was given.
type smtpServer struct {
	ln   net.Listener
	mu   sync.Mutex
	from string
	rcpt []string
	data string
	auth string
	cmds []string
	done chan struct{}
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln, done: make(chan struct{})}
	t.Cleanup(func() { ln.Close() })
	go s.serve()
	return s
}

func (s *smtpServer) serve() {
	defer close(s.done)
	c, err := s.ln.Accept()
	if err != nil {
		return
	}
	defer c.Close()
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	say := func(l string) { w.WriteString(l + "\r\n"); w.Flush() }
	say("220 test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		s.mu.Lock()
		s.cmds = append(s.cmds, strings.SplitN(line, " ", 2)[0])
		s.mu.Unlock()
		up := strings.ToUpper(line)
		switch {
		case strings.HasPrefix(up, "EHLO"):
			say("250-test")
			say("250-8BITMIME")
			say("250 AUTH PLAIN")
		case strings.HasPrefix(up, "AUTH PLAIN"):
			raw, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(line[len("AUTH PLAIN"):]))
			s.mu.Lock()
			s.auth = string(raw)
			s.mu.Unlock()
			say("235 2.7.0 ok")
		case strings.HasPrefix(up, "MAIL FROM:"):
			s.mu.Lock()
			s.from = strings.Fields(line[len("MAIL FROM:"):])[0] // without BODY=8BITMIME
			s.mu.Unlock()
			say("250 ok")
		case strings.HasPrefix(up, "RCPT TO:"):
			s.mu.Lock()
			s.rcpt = append(s.rcpt, line[len("RCPT TO:"):])
			s.mu.Unlock()
			say("250 ok")
		case up == "DATA":
			say("354 go ahead")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			s.mu.Lock()
			s.data = b.String()
			s.mu.Unlock()
			say("250 queued")
		case up == "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}

func TestSMTPConversation(t *testing.T) {
	srv := startSMTP(t)
	const password = "p@ss w0rd-secret"
	raw := "smtp://mailer:" + strings.ReplaceAll(password, " ", "%20") + "@" + srv.ln.Addr().String() + "?from=Billing%20%3Cbilling@langganan.example%3E"
	var logs bytes.Buffer
	sender, err := email.New(raw, zerolog.New(&logs))
	if err != nil {
		t.Fatal(err)
	}
	n := core.Notification{ID: "00000000-0000-4000-8000-000000000009", EventID: "evt-9", Channel: core.ChannelEmail,
		Recipient: "budi@example.com", Subject: "Pembayaran Rp49.000 gagal — coba lagi",
		Body:    "Halo Budi,\n\nNomor Virtual Account (BNI): 9881234567890\n",
		Payload: map[string]any{"html": "<p>Nomor VA <strong>9881234567890</strong></p>"}}
	if err := sender.Send(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	<-srv.done
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.from != "<billing@langganan.example>" || len(srv.rcpt) != 1 || srv.rcpt[0] != "<budi@example.com>" {
		t.Fatalf("envelope from %q to %q", srv.from, srv.rcpt)
	}
	if srv.auth != "\x00mailer\x00"+password {
		t.Fatalf("AUTH PLAIN = %q", srv.auth)
	}
	msg, err := mail.ReadMessage(strings.NewReader(srv.data))
	if err != nil {
		t.Fatal(err)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subj != n.Subject {
		t.Fatalf("subject %q (%v)", subj, err)
	}
	if msg.Header.Get("X-Langganan-Event-Id") != "evt-9" || !strings.Contains(msg.Header.Get("Message-Id"), n.ID) {
		t.Fatalf("headers %v", msg.Header)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q", msg.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var parts []string
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts = append(parts, ct+"|"+string(b))
	}
	if len(parts) != 2 || !strings.HasPrefix(parts[0], "text/plain|Halo Budi") || !strings.Contains(parts[0], "9881234567890") ||
		!strings.HasPrefix(parts[1], "text/html|<p>Nomor VA <strong>9881234567890") {
		t.Fatalf("parts %q", parts)
	}
	if strings.Contains(logs.String(), password) || strings.Contains(logs.String(), "w0rd") {
		t.Fatalf("password in the log: %s", logs.String())
	}
	if !strings.Contains(logs.String(), "sending through SMTP") {
		t.Fatalf("no startup line: %s", logs.String())
	}
}

func TestLogOnly(t *testing.T) {
	var logs bytes.Buffer
	s, err := email.New("", zerolog.New(&logs))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "LANGGANAN_SMTP_URL is not set") {
		t.Fatalf("startup line missing: %s", logs.String())
	}
	if err := s.Send(context.Background(), core.Notification{Channel: core.ChannelEmail, Recipient: "a@example.com", Subject: "hi"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "log-only") {
		t.Fatalf("send not logged: %s", logs.String())
	}
}

func TestParseURL(t *testing.T) {
	c, err := email.ParseURL("smtp://u:topsecret@mail.example:2525")
	if err != nil || c.Host != "mail.example" || c.Port != "2525" || c.Username != "u" || c.Password != "topsecret" {
		t.Fatalf("%+v %v", c, err)
	}
	if strings.Contains(c.String(), "topsecret") {
		t.Fatalf("String leaks the password: %s", c)
	}
	if c, err := email.ParseURL("smtps://mail.example"); err != nil || c.Port != "465" || !c.ImplicitTLS {
		t.Fatalf("smtps: %+v %v", c, err)
	}
	for _, bad := range []string{"http://mail.example", "smtp://", "smtp://h?from=not-an-address"} {
		if _, err := email.ParseURL(bad); err == nil {
			t.Errorf("ParseURL(%q) accepted", bad)
		}
	}
}
