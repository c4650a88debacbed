// Command server runs Langganan:
// go run ./cmd/server [serve|billing-run|backup|restore|create-admin|check|migrate-to-postgres].
// Its variables (the README's configuration table), its readiness line
// ("listening" with the bound address) and its signals are fixed: outside
// tools drive it by them.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	nethttp "net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // Asia/Jakarta must load on machines without tzdata

	"github.com/langganan/langganan/adapters/bolt"
	"github.com/langganan/langganan/adapters/documents"
	"github.com/langganan/langganan/adapters/fakemidtrans"
	lhttp "github.com/langganan/langganan/adapters/http"
	"github.com/langganan/langganan/adapters/metrics"
	"github.com/langganan/langganan/adapters/midtrans"
	"github.com/langganan/langganan/adapters/passwords"
	"github.com/langganan/langganan/adapters/random"
	"github.com/langganan/langganan/adapters/web"
	"github.com/langganan/langganan/core"
	"github.com/rs/zerolog"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "langganan:", err)
		os.Exit(1)
	}
}

// run dispatches a subcommand; serve is the default.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	switch {
	case len(args) > 0 && isHelp(args[0]):
		cmd = "help" // the overview of subcommands; "serve -h" has serve's flags
	case len(args) > 0 && !strings.HasPrefix(args[0], "-"):
		cmd, args = args[0], args[1:]
	}
	if ok, err := preConfigCommand(ctx, cmd, args, getenv, stdout, stderr); ok {
		return err // backup, restore, help: flag sets of their own
	}
	cfg, err := parseConfigUsage(args, getenv, stderr, commandUsage(cmd))
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	log := zerolog.New(stdout).With().Timestamp().Logger()
	switch cmd {
	case "serve":
		out := newLineWriter(stdout)
		defer out.Close()
		return serve(ctx, cfg, log.Output(out), out, stderr)
	case "create-admin":
		return createAdmin(ctx, cfg, log, stdout)
	case "billing-run":
		return billingRun(ctx, cfg, log, stdout)
	case "check":
		return checkCmd(ctx, cfg, stdout, stderr)
	}
	return fmt.Errorf("unknown command %q (serve, billing-run, backup, restore, create-admin, check, migrate-to-postgres; see server help)", cmd)
}

// app is what every subcommand opens: the store, the clock and the service.
type app struct {
	store  storage
	clock  core.Clock
	manual *core.ManualClock // nil with a real clock
	svc    *core.Service
}

func openStore(ctx context.Context, cfg config) (storage, error) {
	if cfg.DatabaseURL != "" {
		return openPostgres(ctx, cfg)
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Data), 0o750); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	st, err := bolt.Open(cfg.Data, bolt.Options{})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", cfg.Data, err)
	}
	return boltStorage{st}, nil
}

// clockKey is the Meta time under which a manual clock is kept, so a
// restart continues where time stood.
const clockKey = "clock"

func openApp(ctx context.Context, cfg config) (*app, error) {
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a := &app{store: st, clock: core.ClockFunc(time.Now)}
	if cfg.ManualClock {
		start := cfg.ClockStart
		if err := st.View(ctx, func(tx core.Tx) error {
			t, ok, err := tx.Meta().GetTime(clockKey)
			if ok {
				start = t
			}
			return err
		}); err != nil {
			st.Close()
			return nil, fmt.Errorf("read manual clock: %w", err)
		}
		if start.IsZero() {
			start = time.Now()
		}
		a.manual = core.NewManualClock(start)
		a.clock = a.manual
		followSharedClock(a.manual, st)
		if err := a.saveClock(ctx); err != nil {
			st.Close()
			return nil, err
		}
	}
	return a, nil
}

// newService builds the core service; gw may be nil (no payments).
func (a *app) newService(cfg config, gw core.Gateway) error {
	svc, err := core.NewService(core.Deps{Store: a.store, Gateway: gw, Clock: a.clock, IDs: random.IDs{},
		Hasher: passwords.Bcrypt{}, Wall: core.ClockFunc(time.Now)}, serviceConfig(cfg))
	if err != nil {
		return fmt.Errorf("build service: %w", err)
	}
	a.svc = svc
	return nil
}

// serviceConfig is core's defaults (the documented dunning schedule, invoice
// and top-up limits) with what the environment sets.
func serviceConfig(cfg config) core.Config {
	c := core.DefaultConfig()
	c.Location, c.NotificationURL = cfg.Location, cfg.NotificationURL
	cfg.Limits.apply(&c)
	cfg.Invoicing.apply(&c)
	return c
}

func (a *app) saveClock(ctx context.Context) error {
	if a.manual == nil {
		return nil
	}
	now := a.manual.Now()
	if err := a.store.Update(ctx, func(tx core.Tx) error {
		// Never back: another instance on the same database may have moved
		// the shared clock further meanwhile.
		if t, ok, err := tx.Meta().GetTime(clockKey); err != nil || ok && !t.Before(now) {
			return err
		}
		return tx.Meta().PutTime(clockKey, now)
	}); err != nil {
		return fmt.Errorf("save manual clock: %w", err)
	}
	return nil
}

func serve(ctx context.Context, cfg config, log zerolog.Logger, stdout, stderr io.Writer) error {
	tuneGC()
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.store.Close()
	log.Info().Str("store", storeDescription(cfg)).Msg("store open")

	// Bind first: emulator mode needs the real address for its webhook URL.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close()

	gw, emu, err := startGateway(ctx, cfg, a.clock, ln.Addr(), log)
	if err != nil {
		return err
	}
	if emu != nil {
		defer emu.close()
	}
	if err := a.newService(cfg, gw); err != nil {
		return err
	}
	if err := bootstrapAdmin(ctx, a.svc, cfg, log, stderr); err != nil {
		return err
	}
	// Notifications: email (LANGGANAN_SMTP_URL, or log-only), outbound
	// webhooks, and the relay/delivery loop; stopped before the store closes.
	stopNotify, err := startNotifications(ctx, a.svc, cfg.SMTPURL, cfg.Limits.WebhookAllowHosts, log)
	if err != nil {
		return err
	}
	defer stopNotify()
	// Every wallet balance must equal the sum of its ledger; say so loudly
	// at start if one does not (the service still starts: refusing would
	// take every merchant's billing down for one bad record).
	if problems, n, err := a.svc.CheckLedgers(ctx); err != nil {
		return fmt.Errorf("ledger check: %w", err)
	} else if len(problems) > 0 {
		log.Error().Int("wallets", n).Interface("problems", problems).Msg("wallet ledgers do not add up")
	}

	var manual *core.ManualClock
	if a.manual != nil {
		manual = a.manual
	}
	hcfg := lhttp.Config{
		Service:   a.svc,
		Documents: documents.Renderer{},
		Metrics:   metrics.Recorder{Source: a.svc},
		Log:       log,
		Ready:     a.store.Writable,
		Clock:     manual,
		// Operations (ops.go): online backups and /metrics protection.
		Backup:          backupFunc(a.store),
		MetricsToken:    cfg.MetricsToken,
		MetricsSeparate: cfg.MetricsAddr != "",
		AfterAdvance: func(ctx context.Context) error {
			if emu != nil {
				if err := emu.e.RunDue(ctx); err != nil {
					return fmt.Errorf("emulator due jobs: %w", err)
				}
			}
			if _, _, err := a.svc.RunNotifications(ctx); err != nil {
				return fmt.Errorf("notifications: %w", err)
			}
			return a.saveClock(ctx)
		},
	}
	cfg.Limits.applyHTTP(&hcfg)
	// The web pages (customer portal) share the app, its listener and the
	// API's sign-in guard.
	pages, err := web.New(web.Config{Service: a.svc, Log: log, Documents: documents.Renderer{}, AllowPause: cfg.PortalPause})
	if err != nil {
		return err
	}
	hcfg.Pages = pages.Mount
	srv := lhttp.NewServer(hcfg)

	defer startPprof(log)()

	if cfg.MetricsAddr != "" {
		stopMetrics, err := startMetricsListener(cfg.MetricsAddr, srv, log)
		if err != nil {
			return err
		}
		defer stopMetrics()
	}

	if a.manual == nil {
		// With the real clock, due jobs run on a timer; with the manual clock
		// they run when time is advanced.
		go a.schedule(ctx, cfg.BillingEvery, log)
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.App().Listener(ln) }()
	// The readiness line outside tools wait for, after the listener is bound.
	ready := zerolog.New(stdout)
	ready.Info().Str("addr", ln.Addr().String()).Msg("listening")

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info().Msg("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.App().ShutdownWithContext(sctx); err != nil {
		log.Warn().Err(err).Msg("shutdown")
	}
	if err := a.saveClock(sctx); err != nil {
		log.Warn().Err(err).Msg("save clock at shutdown")
	}
	return nil
}

// schedule runs every due job each interval until ctx ends. A run that
// fails is logged and tried again next time; every job is idempotent.
func (a *app) schedule(ctx context.Context, every time.Duration, log zerolog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		sum, err := metrics.RunDue(ctx, a.svc)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error().Err(err).Msg("billing run failed")
		case err == nil:
			ev := log.Info()
			if len(sum.Counts) == 0 {
				ev = log.Debug()
			}
			ev.Interface("counts", sum.Counts).Int("errors", sum.Errors).
				Dur("took", sum.FinishedAt.Sub(sum.StartedAt)).Msg("billing run")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// emulator is the in-process Midtrans emulator of zero-configuration mode.
type emulator struct {
	e  *fakemidtrans.Emulator
	hs *nethttp.Server
}

func (m *emulator) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = m.hs.Shutdown(ctx)
	_ = m.e.Close()
}

// startGateway returns the real Midtrans client when a server key is set;
// otherwise it starts the emulator on a loopback port and points a client at
// it, with notifications delivered back to this server's webhook.
func startGateway(ctx context.Context, cfg config, clock core.Clock, addr net.Addr, log zerolog.Logger) (core.Gateway, *emulator, error) {
	if cfg.ServerKey != "" {
		cl, err := midtrans.New(midtrans.Config{BaseURL: cfg.BaseURL, ServerKey: cfg.ServerKey, ClientKey: cfg.ClientKey,
			Log: log.With().Str("component", "midtrans").Logger()})
		if err != nil {
			return nil, nil, fmt.Errorf("midtrans client: %w", err)
		}
		return metrics.Gateway{Inner: cl}, nil, nil
	}
	key, err := randomHex(16)
	if err != nil {
		return nil, nil, err
	}
	serverKey, clientKey := "SB-Mid-server-"+key, cfg.ClientKey
	if clientKey == "" {
		clientKey = "SB-Mid-client-emulator"
	}
	hook := "http://" + loopback(addr) + "/api/webhook/notification/"
	e, err := fakemidtrans.New(fakemidtrans.Options{
		ServerKey: serverKey, ClientKey: clientKey, Clock: clock,
		NotificationURL: hook, RecurringNotificationURL: hook, PayAccountNotificationURL: hook,
		// The emulator's own file beside ours keeps its open orders across restarts.
		DataFile: cfg.Data + ".emulator",
		// The emulator logs through log/slog (it is a module of its own); this
		// routes its records into the service's zerolog output.
		Log: slog.New(zerolog.NewSlogHandler(log.With().Str("component", "emulator").Logger())),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("start emulator: %w", err)
	}
	eln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = e.Close()
		return nil, nil, fmt.Errorf("emulator listen: %w", err)
	}
	base := "http://" + eln.Addr().String()
	e.SetPublicURL(base)
	e.Start(ctx)
	hs := &nethttp.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(eln); err != nil && !errors.Is(err, nethttp.ErrServerClosed) {
			log.Error().Err(err).Msg("emulator stopped")
		}
	}()
	emu := &emulator{e: e, hs: hs}
	cl, err := midtrans.New(midtrans.Config{BaseURL: base, ServerKey: serverKey, ClientKey: clientKey,
		Log: log.With().Str("component", "midtrans").Logger()})
	if err != nil {
		emu.close()
		return nil, nil, fmt.Errorf("midtrans client: %w", err)
	}
	log.Info().Str("simulator", base+"/").Str("webhook", hook).
		Msg("emulator mode: no MIDTRANS_SERVER_KEY, using the in-process Midtrans emulator")
	return metrics.Gateway{Inner: cl}, emu, nil
}

// loopback turns a wildcard listen address into one a local client can dial.
func loopback(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// bootstrapAdmin applies the documented admin rule: both variables set → that admin
// exists with that password; neither set and no admin → "admin" with a
// random password, printed once.
func bootstrapAdmin(ctx context.Context, svc *core.Service, cfg config, log zerolog.Logger, stderr io.Writer) error {
	svc.WarmAuthentication()
	if cfg.AdminUser != "" {
		created, err := svc.EnsureAdmin(ctx, cfg.AdminUser, cfg.AdminPassword)
		if err != nil {
			return fmt.Errorf("admin from LANGGANAN_ADMIN_USER: %w", err)
		}
		log.Info().Str("username", cfg.AdminUser).Bool("created", created).Msg("admin ensured")
		return nil
	}
	pw, created, err := svc.BootstrapAdmin(ctx)
	if err != nil {
		return fmt.Errorf("bootstrap admin: %w", err)
	}
	if created {
		// Printed, not logged: this is the only time the password exists in the clear.
		fmt.Fprintf(stderr, "\n  Created admin user %q with password %s\n  It is shown only this once.\n\n", core.BootstrapUsername, pw)
		log.Info().Str("username", core.BootstrapUsername).Msg("admin created with a random password (printed on stderr)")
	}
	return nil
}

// createAdmin ensures LANGGANAN_ADMIN_USER with LANGGANAN_ADMIN_PASSWORD.
func createAdmin(ctx context.Context, cfg config, log zerolog.Logger, stdout io.Writer) error {
	if cfg.AdminUser == "" {
		return errors.New("create-admin needs LANGGANAN_ADMIN_USER and LANGGANAN_ADMIN_PASSWORD")
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.store.Close()
	if err := a.newService(cfg, nil); err != nil {
		return err
	}
	created, err := a.svc.EnsureAdmin(ctx, cfg.AdminUser, cfg.AdminPassword)
	if err != nil {
		return err
	}
	verb := "password reset for"
	if created {
		verb = "created"
	}
	_, err = fmt.Fprintf(stdout, "%s admin %q\n", verb, cfg.AdminUser)
	return err
}

// billingRun runs every due job once against the data file and prints the
// summary; it needs a Midtrans key since the emulator lives only in serve.
func billingRun(ctx context.Context, cfg config, log zerolog.Logger, stdout io.Writer) error {
	var gw core.Gateway
	if cfg.ServerKey != "" {
		cl, err := midtrans.New(midtrans.Config{BaseURL: cfg.BaseURL, ServerKey: cfg.ServerKey, ClientKey: cfg.ClientKey,
			Log: log.With().Str("component", "midtrans").Logger()})
		if err != nil {
			return fmt.Errorf("midtrans client: %w", err)
		}
		gw = cl
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.store.Close()
	if err := a.newService(cfg, gw); err != nil {
		return err
	}
	// A bar on a terminal, plain lines otherwise; on stderr so stdout stays
	// the JSON summary.
	bar := newProgress(os.Stderr, -1, "subscriptions", false)
	sum, err := a.svc.RunDueProgress(ctx, func() { bar.Add(1) })
	bar.Finish()
	if err != nil {
		return fmt.Errorf("billing run: %w", err)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(sum)
}
