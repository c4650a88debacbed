package program

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// childEnv makes the test binary run the program itself (see TestMain), so
// the durability test kills a real mockmidtrans process.
const childEnv = "FAKEMIDTRANS_PROGRAM_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		Main()
		return
	}
	os.Exit(m.Run())
}

const durableKey = "SB-Mid-server-durable"

// startChild starts the program on a free port with data file path and
// returns it with its address, read from its listening line.
func startChild(t *testing.T, path string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-data", path)
	cmd.Env = append(os.Environ(), childEnv+"=1", "MOCKMIDTRANS_ADDR=127.0.0.1:0", "MOCKMIDTRANS_SERVER_KEY="+durableKey,
		"MOCKMIDTRANS_CLOCK=manual", "MOCKMIDTRANS_CLOCK_START=2026-01-31T10:00:00+07:00")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["message"] == "listening" {
			go io.Copy(io.Discard, out)
			return cmd, rec["addr"].(string)
		}
	}
	t.Fatalf("the program exited before its listening line: %v", sc.Err())
	return nil, ""
}

// TestKilledUnderLoadKeepsEveryAnsweredCharge SIGKILLs the program while
// many charges are in flight; after a restart on the same file, every
// charge that was answered with success must be there.
func TestKilledUnderLoadKeepsEveryAnsweredCharge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "emulator.db")
	cmd, addr := startChild(t, path)
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(durableKey+":"))
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}

	const workers, killAfter = 16, 400
	var (
		mu       sync.Mutex
		answered []string
		seq      atomic.Int64
		kill     = make(chan struct{})
		killOnce sync.Once
		wg       sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				id := fmt.Sprintf("durable-%d", seq.Add(1))
				body := `{"payment_type":"bank_transfer","transaction_details":{"order_id":"` + id + `","gross_amount":10000},"bank_transfer":{"bank":"bca"}}`
				req, _ := http.NewRequest("POST", "http://"+addr+"/v2/charge", strings.NewReader(body))
				req.Header.Set("Authorization", auth)
				req.Header.Set("Content-Type", "application/json")
				res, err := client.Do(req)
				if err != nil {
					return // the process is gone
				}
				var v map[string]any
				derr := json.NewDecoder(res.Body).Decode(&v)
				res.Body.Close()
				if derr != nil || res.StatusCode/100 != 2 {
					continue // not answered with success: nothing is promised
				}
				mu.Lock()
				answered = append(answered, id)
				n := len(answered)
				mu.Unlock()
				if n >= killAfter {
					killOnce.Do(func() { close(kill) })
				}
			}
		}()
	}
	<-kill
	if err := cmd.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	wg.Wait()
	client.CloseIdleConnections()

	_, addr = startChild(t, path)
	var lost []string
	for _, id := range answered {
		req, _ := http.NewRequest("GET", "http://"+addr+"/v2/"+id+"/status", nil)
		req.Header.Set("Authorization", auth)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		_ = json.NewDecoder(res.Body).Decode(&v)
		res.Body.Close()
		if res.StatusCode != 200 || v["status_code"] != "201" || v["order_id"] != id {
			lost = append(lost, id)
		}
	}
	t.Logf("%d charges answered before SIGKILL (%d sent); after the restart %d of them are missing", len(answered), seq.Load(), len(lost))
	if len(lost) > 0 {
		t.Fatalf("the restarted emulator lost %d answered charges, e.g. %v", len(lost), lost[:min(5, len(lost))])
	}
}
