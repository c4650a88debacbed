package main

import (
	"net"
	nethttp "net/http"
	"net/http/pprof"
	"os"
	"time"

	"github.com/rs/zerolog"
)

// startPprof serves net/http/pprof on LANGGANAN_PPROF_ADDR when it is set
// (a diagnostic for profiling under load; never on by default). Only a
// loopback address is accepted: profiles reveal internals.
func startPprof(log zerolog.Logger) func() {
	addr := os.Getenv("LANGGANAN_PPROF_ADDR")
	if addr == "" {
		return func() {}
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		log.Warn().Str("addr", addr).Msg("LANGGANAN_PPROF_ADDR must be a loopback address; pprof not started")
		return func() {}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Warn().Err(err).Msg("pprof listener")
		return func() {}
	}
	mux := nethttp.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	hs := &nethttp.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	log.Info().Str("addr", ln.Addr().String()).Msg("pprof listening")
	return func() { _ = hs.Close() }
}
