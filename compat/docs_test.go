package compat

import (
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/langganan/langganan/adapters/bolt"
	lhttp "github.com/langganan/langganan/adapters/http"
	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
	"github.com/rs/zerolog"
)

// TestDocsPageRenders opens /api/docs in headless Chromium: every tag of the
// OpenAPI document is shown, the subscription operations are there, and the
// page logs no JavaScript error.
func TestDocsPageRenders(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("headless Chromium not found at %s (apt-get install -y chromium); skipping the browser test", chromium)
	}
	clock := core.NewManualClock(time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC))
	svc, err := core.NewService(core.Deps{Store: bolt.NewMemory(), Clock: clock, IDs: &coretest.SeqIDs{}, Hasher: coretest.PlainHasher{}}, core.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := lhttp.NewServer(lhttp.Config{Service: svc, Log: zerolog.Nop()})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.App().Listener(ln) }()
	t.Cleanup(func() { _ = srv.App().Shutdown() })

	ctx, done := browser(t)
	defer done()

	var mu sync.Mutex
	var jsErrors []string
	chromedp.ListenTarget(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			jsErrors = append(jsErrors, e.ExceptionDetails.Error())
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.APITypeError {
				jsErrors = append(jsErrors, "console.error")
			}
		}
	})
	var tags, subscriptionOps []string
	var desc string
	err = chromedp.Run(ctx,
		chromedp.Navigate("http://"+ln.Addr().String()+"/api/docs"),
		chromedp.WaitVisible(`#ops section h2`, chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll("#ops section h2")].map(h => h.textContent)`, &tags),
		chromedp.Evaluate(`[...document.querySelectorAll("#ops details.op summary .path")].map(p => p.textContent).filter(p => p.startsWith("/api/subscriptions/"))`, &subscriptionOps),
		chromedp.Text(`#desc`, &desc, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if strings.Contains(desc, "Could not load") {
		t.Fatalf("the page could not load the document: %s", desc)
	}
	want := []string{"admin", "organizations", "payments", "plans", "subscriptions", "wallet"}
	for _, w := range want {
		found := false
		for _, tag := range tags {
			found = found || tag == w
		}
		if !found {
			t.Errorf("tag %q not shown; tags %v", w, tags)
		}
	}
	if len(subscriptionOps) < 8 {
		t.Errorf("subscription operations shown: %v", subscriptionOps)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(jsErrors) > 0 {
		t.Errorf("JavaScript errors on the docs page: %v", jsErrors)
	}
}
