package midtrans_test

import (
	"os"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/langganan/langganan/adapters/midtrans"
	"github.com/langganan/langganan/adapters/midtrans/midtranstest"
)

// TestContractSandbox runs the same suite against the real Midtrans sandbox
// when MIDTRANS_SANDBOX_SERVER_KEY (and MIDTRANS_SANDBOX_CLIENT_KEY for card
// tokens) are set. Steps that need a control plane are skipped there.
func TestContractSandbox(t *testing.T) {
	key := os.Getenv("MIDTRANS_SANDBOX_SERVER_KEY")
	if key == "" {
		t.Skip("MIDTRANS_SANDBOX_SERVER_KEY is not set; skipping the real-sandbox contract run")
	}
	if testing.Short() {
		t.Skip("real-sandbox contract run skipped in -short mode")
	}
	newClient := func(t *testing.T) *midtrans.Client {
		c, err := midtrans.New(midtrans.Config{
			BaseURL: midtrans.SandboxBaseURL, ServerKey: key, ClientKey: os.Getenv("MIDTRANS_SANDBOX_CLIENT_KEY"),
			Timeout: 30 * time.Second, MaxAttempts: 3, BaseBackoff: 500 * time.Millisecond, MaxBackoff: 3 * time.Second,
			Log: zerolog.Nop(),
		})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	midtranstest.RunContract(t, newClient, midtranstest.NoDriver{})
}
