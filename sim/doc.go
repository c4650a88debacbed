// Package sim is a deterministic billing simulator held to money
// invariants. One run builds the real core service over a real store (a
// temporary bbolt file, or with Options.DatabaseURL a PostgreSQL schema of
// its own), the real Midtrans client and the real emulator (adapters/fakemidtrans) in process: the client's requests reach
// the emulator's ServeHTTP through an in-memory http.RoundTripper, and the
// emulator's notifications are captured in a queue the simulator delivers
// (or drops, duplicates, reorders, delays, forges) itself. One manual clock
// drives both sides, and one seed drives everything random: entity ids,
// the emulator's ids and tokens, the operations, their arguments, the
// faults and the timings. The same seed gives the same run, byte for byte,
// on either store; the run's trace hash proves it.
//
// After every step the invariants (invariants.go) are checked. A violation
// is reported with the seed, the invariant, and the steps that led to it,
// shrunk by dropping steps while the same invariant still fails, and the
// command that replays it.
//
// It lives in its own package beside core and the adapters (not in e2e)
// because it needs no build tag, no sockets and no server binary: it runs
// in the regular go test ./..., and its soak command is
// go run ./sim/cmd/simulate.
package sim
