package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"

	"github.com/gofiber/fiber/v2"
	lhttp "github.com/langganan/langganan/adapters/http"
	"github.com/rs/zerolog"
)

// commandHelp says what each subcommand does, for "server SUBCOMMAND -h".
var commandHelp = map[string]string{
	"serve": `usage: server [serve] [flags]

Runs the HTTP service (the default subcommand): the REST API under /api/,
/healthz, /readyz, /metrics and, without MIDTRANS_SERVER_KEY, the Midtrans
emulator in-process.`,
	"billing-run": `usage: server billing-run [flags]

Runs every due job once against the data file (renewals, retries,
expiries, reminders, reconciliation) and prints the summary as JSON. It
needs MIDTRANS_SERVER_KEY: the emulator lives only inside serve.`,
	"create-admin": `usage: server create-admin [flags]

Ensures the admin LANGGANAN_ADMIN_USER exists with the password
LANGGANAN_ADMIN_PASSWORD (created, or its password reset).`,
	"check": `usage: server check [flags]

Verifies the data file and prints a report: every index against its
records (both ways; invoice uniqueness is enforced by unique indexes and
checked with them) and every wallet ledger (balance = sum of entries,
running sums never negative). Exits non-zero when it finds a problem.
Needs the data file's lock: stop the service, or check a backup copy.
With LANGGANAN_DATABASE_URL it checks PostgreSQL (every record decodes
and matches its indexed columns) while the service runs.`,
}

const commandsOverview = `usage: server [SUBCOMMAND] [flags]

Subcommands:
  serve         run the HTTP service (the default)
  billing-run   run every due job once and print the summary
  backup        write a consistent copy of the data file (-o FILE)
  restore       replace the data file with a checked backup
  create-admin  ensure the admin from LANGGANAN_ADMIN_USER/_PASSWORD
  migrate-to-postgres  copy the data file into an empty PostgreSQL database
  check         verify indexes, invoice uniqueness and wallet ledgers

"server SUBCOMMAND -h" says more about each.
`

func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "help"
}

// commandUsage is the usage text of the subcommands parsed by parseConfig.
func commandUsage(cmd string) func(fs *flag.FlagSet) {
	help, ok := commandHelp[cmd]
	if !ok {
		return nil
	}
	return func(fs *flag.FlagSet) {
		fmt.Fprintf(fs.Output(), "%s\n\nFlags (each also read from the variable named):\n", help)
		fs.PrintDefaults()
	}
}

// preConfigCommand runs the subcommands that have flag sets of their own;
// ok is false for the others.
func preConfigCommand(ctx context.Context, cmd string, args []string, getenv func(string) string, stdout, stderr io.Writer) (ok bool, err error) {
	if err := refuseFileCommand(cmd, getenv); err != nil {
		return true, err
	}
	switch cmd {
	case "backup":
		return true, backupCmd(ctx, args, getenv, stdout, stderr)
	case "restore":
		return true, restoreCmd(ctx, args, getenv, stdout, stderr)
	case "migrate-to-postgres":
		return true, migrateCmd(ctx, args, getenv, stdout, stderr)
	case "help":
		_, err := io.WriteString(stdout, commandsOverview)
		return true, err
	}
	return false, nil
}

// startMetricsListener serves /metrics alone on addr (LANGGANAN_METRICS_ADDR),
// unguarded: the address is meant to be reachable only by the scraper.
func startMetricsListener(addr string, srv *lhttp.Server, log zerolog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics listen on %s: %w", addr, err)
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true, AppName: "langganan-metrics"})
	app.Get("/metrics", srv.MetricsHandler())
	go func() {
		if err := app.Listener(ln); err != nil && !errors.Is(err, net.ErrClosed) {
			log.Error().Err(err).Msg("metrics listener stopped")
		}
	}()
	log.Info().Str("metrics_addr", ln.Addr().String()).Msg("metrics listening")
	return func() { _ = app.Shutdown() }, nil
}
