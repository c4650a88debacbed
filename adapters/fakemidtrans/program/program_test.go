package program

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRunListensAndShutsDown(t *testing.T) {
	t.Setenv("MOCKMIDTRANS_ADDR", "127.0.0.1:0")
	t.Setenv("MOCKMIDTRANS_CLOCK", "manual")
	t.Setenv("MOCKMIDTRANS_CLOCK_START", "2026-01-31T10:00:00+07:00")
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-data", filepath.Join(t.TempDir(), "m.db")}, os.Getenv, pw)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	addr := ""
	for addr == "" && sc.Scan() {
		var rec map[string]any
		// The shape readiness checks parse: zerolog's keys, not slog's "msg".
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["message"] == "listening" && rec["level"] == "info" {
			addr, _ = rec["addr"].(string)
		}
	}
	go io.Copy(io.Discard, pr)
	if addr == "" || strings.HasSuffix(addr, ":0") {
		t.Fatalf("no listening line with a real address: %q", addr)
	}
	res, err := http.Post("http://"+addr+"/_sim/clock/advance", "application/json", strings.NewReader(`{"duration":"1h"}`))
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	_ = json.NewDecoder(res.Body).Decode(&body)
	res.Body.Close()
	if body["now"] != "2026-01-31T11:00:00+07:00" {
		t.Fatalf("advance: %v", body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no shutdown")
	}
}

func TestRunRejectsBadClock(t *testing.T) {
	t.Setenv("MOCKMIDTRANS_CLOCK", "sundial")
	if err := run(context.Background(), nil, os.Getenv, io.Discard); err == nil {
		t.Fatal("accepted a bad clock")
	}
}
