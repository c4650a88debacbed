// Package email sends email notifications. Core renders the subject, the
// text body (Notification.Body) and the HTML body (Payload["html"]); this
// adapter only transports them: over SMTP when LANGGANAN_SMTP_URL is set,
// otherwise to the log.
package email

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/langganan/langganan/core"
	"github.com/rs/zerolog"
)

// Config is a parsed smtp:// URL. Password is never logged; String hides it.
type Config struct {
	Host     string
	Port     string
	Username string
	Password string
	From     string // envelope and header sender
	// ImplicitTLS is smtps:// (TLS from the first byte, port 465).
	ImplicitTLS bool
	// TLSConfig overrides the TLS client configuration (tests).
	TLSConfig *tls.Config
	// Timeout bounds one whole SMTP conversation; default 30 s.
	Timeout time.Duration
}

// String is the URL with the password redacted.
func (c Config) String() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(c.Host, c.Port)}
	if c.ImplicitTLS {
		u.Scheme = "smtps"
	}
	if c.Username != "" {
		u.User = url.UserPassword(c.Username, "xxxxx")
		if c.Password == "" {
			u.User = url.User(c.Username)
		}
	}
	return u.String()
}

// ParseURL reads smtp://user:pass@host:port?from=billing@example.com
// (smtps:// for implicit TLS). Port defaults to 587 (465 for smtps).
// Errors never repeat the password.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, errors.New("email: LANGGANAN_SMTP_URL is not a URL")
	}
	var c Config
	switch u.Scheme {
	case "smtp":
	case "smtps":
		c.ImplicitTLS = true
	default:
		return Config{}, fmt.Errorf("email: LANGGANAN_SMTP_URL scheme must be smtp or smtps, not %q", u.Scheme)
	}
	c.Host, c.Port = u.Hostname(), u.Port()
	if c.Host == "" {
		return Config{}, errors.New("email: LANGGANAN_SMTP_URL has no host")
	}
	if c.Port == "" {
		c.Port = "587"
		if c.ImplicitTLS {
			c.Port = "465"
		}
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	c.From = u.Query().Get("from")
	if c.From == "" {
		c.From = "Langganan <noreply@" + c.Host + ">"
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return Config{}, fmt.Errorf("email: from address %q: %w", c.From, err)
	}
	return c, nil
}

// SMTP sends through an SMTP server with net/smtp: STARTTLS whenever the
// server offers it, and PLAIN auth only over TLS or to localhost (net/smtp
// refuses it otherwise).
type SMTP struct {
	cfg  Config
	from *mail.Address
	now  func() time.Time
}

var _ core.Notifier = (*SMTP)(nil)

// NewSMTP checks the configuration.
func NewSMTP(cfg Config) (*SMTP, error) {
	if cfg.Host == "" || cfg.Port == "" {
		return nil, errors.New("email: NewSMTP needs a host and port")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("email: from address: %w", err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &SMTP{cfg: cfg, from: from, now: time.Now}, nil
}

// Send delivers one email notification.
func (s *SMTP) Send(ctx context.Context, n core.Notification) error {
	to, msg, err := buildMessage(s.from, n, s.now())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	addr := net.JoinHostPort(s.cfg.Host, s.cfg.Port)
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("smtp dial %s: %w", addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	tlsCfg := s.cfg.TLSConfig
	if tlsCfg == nil {
		tlsCfg = &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12}
	}
	if s.cfg.ImplicitTLS {
		conn = tls.Client(conn, tlsCfg)
	}
	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		return fmt.Errorf("smtp greeting: %w", err)
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return fmt.Errorf("smtp EHLO: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !s.cfg.ImplicitTLS {
		if err := c.StartTLS(tlsCfg); err != nil {
			return fmt.Errorf("smtp STARTTLS: %w", err)
		}
	}
	if s.cfg.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("smtp: server offers no AUTH")
		}
		// PlainAuth refuses to send credentials without TLS except to localhost.
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host)); err != nil {
			return fmt.Errorf("smtp AUTH: %w", scrub(err, s.cfg.Password))
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return fmt.Errorf("smtp MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("smtp RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("smtp write message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp end of data: %w", err)
	}
	if err := c.Quit(); err != nil {
		return fmt.Errorf("smtp QUIT: %w", err)
	}
	return nil
}

// scrub removes the password from an error text, should a server echo it.
func scrub(err error, secret string) error {
	if secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), secret, "xxxxx"))
}

// buildMessage writes a multipart/alternative message (text, then HTML).
func buildMessage(from *mail.Address, n core.Notification, now time.Time) (to string, msg []byte, err error) {
	if n.Channel != core.ChannelEmail {
		return "", nil, fmt.Errorf("email: cannot send a %s notification", n.Channel)
	}
	rcpt, err := mail.ParseAddress(n.Recipient)
	if err != nil {
		return "", nil, fmt.Errorf("email: recipient: %w", err)
	}
	html, _ := n.Payload["html"].(string)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := func(k, v string) { fmt.Fprintf(&buf, "%s: %s\r\n", k, v) }
	h("From", from.String())
	h("To", rcpt.String())
	h("Subject", mime.QEncoding.Encode("utf-8", oneLine(n.Subject)))
	h("Date", now.UTC().Format(time.RFC1123Z))
	h("Message-ID", "<"+messageID(n)+"@langganan>")
	if n.EventID != "" {
		h("X-Langganan-Event-Id", oneLine(n.EventID))
	}
	h("MIME-Version", "1.0")
	h("Content-Type", `multipart/alternative; boundary="`+mw.Boundary()+`"`)
	buf.WriteString("\r\n")
	part := func(ctype, body string) error {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {ctype + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(body)); err != nil {
			return err
		}
		return qp.Close()
	}
	if err := part("text/plain", n.Body); err != nil {
		return "", nil, err
	}
	if html != "" {
		if err := part("text/html", html); err != nil {
			return "", nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return "", nil, err
	}
	return rcpt.Address, buf.Bytes(), nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func messageID(n core.Notification) string {
	if n.ID != "" {
		return oneLine(n.ID)
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// LogSender writes emails to the log instead of sending them.
type LogSender struct{ Log zerolog.Logger }

var _ core.Notifier = LogSender{}

// Send logs the email; it never fails.
func (l LogSender) Send(_ context.Context, n core.Notification) error {
	l.Log.Info().Str("to", n.Recipient).Str("subject", n.Subject).Str("notification_id", n.ID).
		Str("event_id", n.EventID).Str("text", n.Body).Msg("email not sent (log-only sender)")
	return nil
}

// New is the email notifier for LANGGANAN_SMTP_URL: SMTP when set, else
// the log-only sender, which it announces once. It logs the URL with the
// password redacted.
func New(rawURL string, log zerolog.Logger) (core.Notifier, error) {
	if strings.TrimSpace(rawURL) == "" {
		log.Info().Msg("email: LANGGANAN_SMTP_URL is not set; emails are written to the log, not sent")
		return LogSender{Log: log}, nil
	}
	cfg, err := ParseURL(strings.TrimSpace(rawURL))
	if err != nil {
		return nil, err
	}
	s, err := NewSMTP(cfg)
	if err != nil {
		return nil, err
	}
	log.Info().Str("smtp", cfg.String()).Msg("email: sending through SMTP")
	return s, nil
}
