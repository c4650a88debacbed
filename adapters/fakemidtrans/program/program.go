// Package program is the mockmidtrans program: the Midtrans emulator served
// on its own, configured by the MOCKMIDTRANS_* variables. It is the one home
// of the program's logic; every mockmidtrans main calls Main.
package program

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/langganan/langganan/adapters/fakemidtrans"
)

// Main runs the program with the process's arguments, environment and
// standard output until SIGINT or SIGTERM, and exits 1 on failure.
func Main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "mockmidtrans:", err)
		stop()
		os.Exit(1)
	}
}

// NewLogger writes JSON lines shaped like zerolog's ("level":"info",
// "message"), which readiness checks parse for the listening line.
func NewLogger(out io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(out, &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 {
			switch a.Key {
			case slog.MessageKey:
				a.Key = "message"
			case slog.LevelKey:
				a.Value = slog.StringValue(strings.ToLower(a.Value.String()))
			}
		}
		return a
	}}))
}

// run serves until ctx ends; logs (and the listening line) go to out.
func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("mockmidtrans", flag.ContinueOnError)
	data := fs.String("data", "", "file that keeps the emulator's state across restarts (default: memory only)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := NewLogger(out).With("service", "mockmidtrans")

	var clock fakemidtrans.Clock
	clockMode := env("MOCKMIDTRANS_CLOCK", "real")
	switch clockMode {
	case "real":
	case "manual":
		start := time.Now()
		if s := getenv("MOCKMIDTRANS_CLOCK_START"); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return fmt.Errorf("MOCKMIDTRANS_CLOCK_START must be RFC 3339: %w", err)
			}
			start = t
		}
		clock = fakemidtrans.NewManualClock(start)
	default:
		return fmt.Errorf("MOCKMIDTRANS_CLOCK must be real or manual, not %q", clockMode)
	}

	em, err := fakemidtrans.New(fakemidtrans.Options{
		ServerKey:                 env("MOCKMIDTRANS_SERVER_KEY", "SB-Mid-server-mock"),
		ClientKey:                 env("MOCKMIDTRANS_CLIENT_KEY", "SB-Mid-client-mock"),
		Clock:                     clock,
		NotificationURL:           getenv("MOCKMIDTRANS_NOTIFICATION_URL"),
		RecurringNotificationURL:  getenv("MOCKMIDTRANS_RECURRING_NOTIFICATION_URL"),
		PayAccountNotificationURL: getenv("MOCKMIDTRANS_PAY_ACCOUNT_NOTIFICATION_URL"),
		DataFile:                  *data,
		Log:                       log,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", env("MOCKMIDTRANS_ADDR", "127.0.0.1:8090"))
	if err != nil {
		em.Close()
		return err
	}
	addr := ln.Addr().String()
	em.SetPublicURL("http://" + addr)
	bg, cancel := context.WithCancel(context.Background())
	defer cancel()
	em.Start(bg)

	srv := &http.Server{Handler: em, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("listening", "addr", addr, "clock", clockMode, "simulator", "http://"+addr+"/")

	select {
	case err := <-errc:
		em.Close()
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	serr := srv.Shutdown(sctx)
	cancel()
	if err := em.Close(); err != nil {
		return err
	}
	if serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	return nil
}
