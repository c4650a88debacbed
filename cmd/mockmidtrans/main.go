// Command mockmidtrans serves the Midtrans emulator (adapters/fakemidtrans) configured by the
// MOCKMIDTRANS_* variables (the README's emulator table).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/langganan/langganan/adapters/fakemidtrans"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "mockmidtrans:", err)
		os.Exit(1)
	}
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run(ctx context.Context) error { return runWith(ctx, os.Args[1:], os.Stdout) }

// runWith serves until ctx ends; logs (and the listening line) go to out.
func runWith(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("mockmidtrans", flag.ContinueOnError)
	data := fs.String("data", "", "bbolt file that keeps the emulator's state across restarts (default: memory only)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := zerolog.New(out).With().Timestamp().Str("service", "mockmidtrans").Logger()

	var clock fakemidtrans.Clock
	switch mode := env("MOCKMIDTRANS_CLOCK", "real"); mode {
	case "real":
	case "manual":
		start := time.Now()
		if s := os.Getenv("MOCKMIDTRANS_CLOCK_START"); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return fmt.Errorf("MOCKMIDTRANS_CLOCK_START must be RFC 3339: %w", err)
			}
			start = t
		}
		clock = fakemidtrans.NewManualClock(start)
	default:
		return fmt.Errorf("MOCKMIDTRANS_CLOCK must be real or manual, not %q", mode)
	}

	em, err := fakemidtrans.New(fakemidtrans.Options{
		ServerKey:                 env("MOCKMIDTRANS_SERVER_KEY", "SB-Mid-server-mock"),
		ClientKey:                 env("MOCKMIDTRANS_CLIENT_KEY", "SB-Mid-client-mock"),
		Clock:                     clock,
		NotificationURL:           os.Getenv("MOCKMIDTRANS_NOTIFICATION_URL"),
		RecurringNotificationURL:  os.Getenv("MOCKMIDTRANS_RECURRING_NOTIFICATION_URL"),
		PayAccountNotificationURL: os.Getenv("MOCKMIDTRANS_PAY_ACCOUNT_NOTIFICATION_URL"),
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
	clockMode := env("MOCKMIDTRANS_CLOCK", "real")
	log.Info().Str("addr", addr).Str("clock", clockMode).Str("simulator", "http://"+addr+"/").Msg("listening")

	select {
	case err := <-errc:
		em.Close()
		return err
	case <-ctx.Done():
	}
	log.Info().Msg("shutting down")
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
