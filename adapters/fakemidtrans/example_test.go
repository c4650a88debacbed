package fakemidtrans_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/langganan/langganan/adapters/fakemidtrans"
)

// ExampleNew embeds the emulator in a test as an http.Handler, as someone
// outside this repository would (the README's "Only the emulator").
func ExampleNew() {
	received := make(chan map[string]any, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n map[string]any
		_ = json.NewDecoder(r.Body).Decode(&n)
		received <- n
	}))
	defer hook.Close()

	clock := fakemidtrans.NewManualClock(time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC))
	emu, err := fakemidtrans.New(fakemidtrans.Options{ServerKey: "SB-Mid-server-test", ClientKey: "SB-Mid-client-test",
		Clock: clock, NotificationURL: hook.URL})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(emu)
	defer func() { srv.Close(); emu.Close() }()
	emu.SetPublicURL(srv.URL)

	req, _ := http.NewRequest("POST", srv.URL+"/v2/charge", strings.NewReader(
		`{"payment_type":"bank_transfer","transaction_details":{"order_id":"order-1","gross_amount":49000},"bank_transfer":{"bank":"bca"}}`))
	req.SetBasicAuth("SB-Mid-server-test", "")
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	var charge map[string]any
	_ = json.NewDecoder(res.Body).Decode(&charge)
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	fmt.Println(charge["status_code"], charge["transaction_status"])

	ctx := context.Background()
	_ = emu.Drain(ctx) // the pending notification
	fmt.Println((<-received)["transaction_status"])
	if code, _ := emu.SimAction(ctx, "order-1", "settle"); code != 200 {
		panic(code)
	}
	_ = emu.Drain(ctx)
	fmt.Println((<-received)["transaction_status"])
	// Output:
	// 201 pending
	// pending
	// settlement
}
