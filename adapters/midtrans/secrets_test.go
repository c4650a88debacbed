package midtrans

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/langganan/langganan/core"
)

// TestServerKeyNeverLeaks runs failing calls of every kind with debug
// logging on and searches the logs and every error text for the key and its
// base64 forms. One stub even echoes the Authorization header back, as a
// misbehaving proxy might.
func TestServerKeyNeverLeaks(t *testing.T) {
	forms := []string{
		testKey,
		base64.StdEncoding.EncodeToString([]byte(testKey + ":")),
		base64.StdEncoding.EncodeToString([]byte(testKey)),
		base64.RawStdEncoding.EncodeToString([]byte(testKey + ":")),
		base64.RawStdEncoding.EncodeToString([]byte(testKey)),
		base64.URLEncoding.EncodeToString([]byte(testKey + ":")),
	}
	echoAuth := func(w http.ResponseWriter, r *http.Request, n int) {
		auth := r.Header.Get("Authorization")
		raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(auth, "Basic "))
		reply(401, fmt.Sprintf(`{"status_code":"401","status_message":"bad key %s (%s)","validation_messages":["%s"]}`, auth, raw, raw))(w, r, n)
	}
	handlers := map[string]func(http.ResponseWriter, *http.Request, int){
		"5xx HTML":         reply(502, `<html><body>Bad Gateway</body></html>`),
		"401":              reply(401, `{"status_code":"401","status_message":"Transaction cannot be authorized with the current client/server key."}`),
		"401 echoing auth": echoAuth,
		"bad JSON":         reply(200, `{"status_code":"201",`),
		"timeout": func(w http.ResponseWriter, r *http.Request, n int) {
			<-r.Context().Done()
		},
		"400 validation": reply(200, `{"status_code":"400","status_message":"invalid","validation_messages":["x"]}`),
	}

	var logs bytes.Buffer
	log := zerolog.New(&logs).Level(zerolog.TraceLevel)
	var errs []string
	run := func(base string, timeout time.Duration) {
		c := newTestClient(t, base, func(c *Config) { c.Log = log; c.Timeout = timeout; c.BreakerThreshold = 2 })
		ctx := context.Background()
		calls := []func() error{
			func() error {
				_, err := c.Charge(ctx, core.ChargeRequest{OrderID: "o-1", Amount: core.MustMoney("49000"), PaymentType: core.PayGopay, IdempotencyKey: "k"})
				return err
			},
			func() error { _, err := c.Status(ctx, "o-1"); return err },
			func() error { _, err := c.Expire(ctx, "o-1"); return err },
			func() error {
				_, err := c.Refund(ctx, "o-1", core.RefundRequest{RefundKey: "r"})
				return err
			},
			func() error { _, err := c.GetSubscription(ctx, "s-1"); return err },
			func() error { return c.CancelSubscription(ctx, "s-1") },
			func() error { _, err := c.GetPayAccount(ctx, "a-1"); return err },
			func() error { _, err := c.CardToken(ctx, "4811111111111114", "12", "2030", "123"); return err },
			func() error { _, err := c.Status(ctx, "o-1"); return err }, // after the breaker opened
		}
		for _, f := range calls {
			if err := f(); err != nil {
				errs = append(errs, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
			}
		}
		errs = append(errs, fmt.Sprintf("%v %+v %#v", c, c, c))
	}
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			s := newStub(t, h)
			timeout := 2 * time.Second
			if name == "timeout" {
				timeout = 10 * time.Millisecond
			}
			run(s.URL, timeout)
		})
	}
	// Connection refused: a listener we close at once.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	run("http://"+addr, time.Second)

	if logs.Len() == 0 || len(errs) < 20 {
		t.Fatalf("test did not exercise anything: %d log bytes, %d errors", logs.Len(), len(errs))
	}
	haystacks := append([]string{logs.String()}, errs...)
	for _, h := range haystacks {
		for _, f := range forms {
			if strings.Contains(h, f) {
				t.Fatalf("secret form %q leaked in:\n%s", f, h)
			}
		}
	}
	// The card data sent to /v2/token must not be logged either.
	if strings.Contains(logs.String(), "4811111111111114") {
		t.Fatal("card number logged")
	}
}
