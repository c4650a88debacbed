package http

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
)

// opsConfig is what the operations endpoints need from Config.
type opsConfig struct {
	backup          func(w io.Writer) (int64, error)
	metricsToken    string
	metricsSeparate bool
	metricsHandler  fiber.Handler
	writeTimeout    time.Duration
	routes          routeSet
}

func newOpsConfig(cfg Config) opsConfig {
	wt := cfg.WriteTimeout
	if wt <= 0 {
		wt = 30 * time.Second
	}
	return opsConfig{
		backup: cfg.Backup, metricsToken: cfg.MetricsToken, metricsSeparate: cfg.MetricsSeparate,
		metricsHandler: newMetricsHandler(cfg, cfg.Metrics), writeTimeout: wt,
	}
}

// preAuthRoutes are registered before user authentication: /metrics has
// its own token, which the user authenticator would refuse.
func (s *Server) preAuthRoutes(app *fiber.App) {
	if !s.ops.metricsSeparate {
		app.Get("/metrics", s.serveMetrics)
	}
}

// backup streams a consistent copy of the data file through one read
// transaction; the service keeps serving (and writing) meanwhile.
func (s *Server) backup(c *fiber.Ctx) error {
	if s.ops.backup == nil {
		return fmt.Errorf("%w: this server has no data file to back up", errNoBackup)
	}
	name := "langganan-" + time.Now().UTC().Format("20060102T150405Z") + ".db"
	c.Set(fiber.HeaderContentType, fiber.MIMEOctetStream)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	backup, log, rid := s.ops.backup, s.log, requestID(c)
	conn, wt := c.Context().Conn(), s.ops.writeTimeout
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		// The write timeout bounds each chunk, not the whole file.
		n, err := backup(&deadlineWriter{w: w, conn: conn, d: wt})
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			// The status is sent already; the client sees a short body.
			log.Error().Err(err).Str("request_id", rid).Int64("bytes", n).Msg("backup stream failed")
			return
		}
		log.Info().Str("request_id", rid).Int64("bytes", n).Str("file", name).Msg("backup streamed")
	})
	return nil
}

// deadlineWriter pushes the connection's write deadline forward on every
// write, so a large backup is not cut by the server's write timeout while
// a stalled client still is.
type deadlineWriter struct {
	w    io.Writer
	conn net.Conn
	d    time.Duration
	last time.Time
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	if d.conn != nil {
		if now := time.Now(); now.Sub(d.last) > time.Second {
			d.last = now
			_ = d.conn.SetWriteDeadline(now.Add(d.d))
		}
	}
	return d.w.Write(p)
}
