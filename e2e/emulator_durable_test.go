//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"
)

// TestEmulatorModeKilledKeepsItsOrders: the server in emulator mode (no
// Midtrans key: the emulator runs in-process, its file beside the
// service's) is SIGKILLed right after answering for new orders; after a
// restart the emulator still knows every one of them.
func TestEmulatorModeKilledKeepsItsOrders(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := &stack{t: t, dir: dir, db: filepath.Join(dir, "l.db"), srvLog: &logBuf{}, client: &http.Client{Timeout: 60 * time.Second}}
	start := func() {
		p, err := startProc("server", bins.server, map[string]string{
			"LANGGANAN_ADDR":           "127.0.0.1:0",
			"LANGGANAN_DATA":           s.db,
			"LANGGANAN_ADMIN_USER":     adminUser,
			"LANGGANAN_ADMIN_PASSWORD": adminPass,
			"MIDTRANS_SERVER_KEY":      "", // emulator mode
			"MIDTRANS_BASE_URL":        "",
			"LANGGANAN_CLOCK":          "manual",
			"LANGGANAN_CLOCK_START":    clockStart,
		}, s.srvLog)
		if err != nil {
			t.Fatal(err)
		}
		s.server = p
	}
	start()
	t.Cleanup(func() {
		s.client.CloseIdleConnections()
		if _, err := s.server.stop(); err != nil {
			t.Errorf("server exit after SIGTERM: %v", err)
		}
		if t.Failed() {
			t.Logf("---- server log ----\n%s", tail(s.srvLog.String(), 300))
		}
	})
	s.plan("basic", "49000", nil)
	var pays []string
	for i := range 6 {
		u := s.newUser(fmt.Sprintf("killed%d", i))
		_, pay := s.subscribe(u, J{"plan_id": "basic", "payment_type": "bank_transfer", "metadata": J{"bank": "bni"}})
		pays = append(pays, str(pay, "id"))
	}
	// No graceful shutdown: whatever the emulator answered must be on disk.
	s.server.kill()
	s.client.CloseIdleConnections()
	start()
	for _, id := range pays {
		r := s.must(s.api("GET", "/payments/"+id+"/check-status/", nil, admin), 200)
		if got := str(r.obj(), "midtrans_status", "transaction_status"); got != "pending" {
			t.Errorf("payment %s after the restart: midtrans_status %v", id, r)
		}
	}
}
