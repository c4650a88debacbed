package http

import (
	"bytes"
	stdjson "encoding/json"
	"io"
	"net/http/httptest"
	"testing"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

func samplePage() any {
	now := time.Date(2026, 3, 2, 3, 0, 0, 123456789, time.UTC)
	var ps []planJSON
	for i := 0; i < 10; i++ {
		ps = append(ps, planJSON{ID: "0b7c6a53-6b1f-4b55-9c53-7f2b2b7f2a11", Name: "Bench <1>", Slug: "bench", Description: "bench plan & co",
			Price: "49000.00", Currency: "IDR", Interval: 1, IntervalUnit: "month", Status: "active",
			Features: map[string]any{"max_projects": 5, "z": "x", "a": []any{1.5, "s", nil, true}, "n": stdjson.Number("12")}, SortOrder: i, CreatedAt: now, UpdatedAt: now})
	}
	next := "/api/plans/?page=2"
	return page[planJSON]{Count: 10, Next: &next, Results: ps}
}

// TestResponseEncoderMatchesStdlib: the app encodes responses with
// goccy/go-json (server.go); it must write exactly what encoding/json
// writes (key order, HTML escaping, times, numbers, nil).
func TestResponseEncoderMatchesStdlib(t *testing.T) {
	now := time.Date(2026, 3, 2, 3, 0, 0, 0, time.FixedZone("WIB", 7*3600))
	pl := toPlanJSON(core.Plan{ID: "p1", Name: "Pro", Price: core.MustMoney("99000.50"), Features: map[string]any{"seats": 3.25}})
	pc := &planCache{plans: map[string]*planJSON{"p1": &pl}}
	sub := pc.sub(core.Subscription{ID: "s1", OwnerID: "o", CreatedBy: "u", PlanID: "p1", Status: core.SubActive, Quantity: 2,
		PendingCredit: core.Zero(core.IDR), CurrentPeriodStart: now, CouponID: "c", CouponCyclesLeft: -1,
		PlanHistory: []core.PlanChange{{FromPlanID: "a", ToPlanID: "p1", At: now, Proration: "-1.00"}},
		Metadata:    map[string]any{"k": "<v>", "n": nil}, CreatedAt: now, UpdatedAt: now})
	for _, v := range []any{samplePage(), sub, []subscriptionJSON{sub}, fiber.Map{"status": "ok", "result": "processed"}} {
		a, _ := stdjson.Marshal(v)
		b, err := gojson.Marshal(v)
		if err != nil || !bytes.Equal(a, b) {
			t.Fatalf("%v\n%s\n%s", err, a, b)
		}
	}
}

// TestSendJSONWritesWhatCtxJSONWrites: sendJSON, the list's encoder
// without a copy, answers the same body and content type as c.JSON.
func TestSendJSONWritesWhatCtxJSONWrites(t *testing.T) {
	v := samplePage()
	app := fiber.New(fiber.Config{JSONEncoder: gojson.Marshal})
	app.Get("/ctx", func(c *fiber.Ctx) error { return c.JSON(v) })
	app.Get("/send", func(c *fiber.Ctx) error { c.Response().SetBodyString("stale"); return sendJSON(c, v) })
	var bodies [2][]byte
	for i, path := range []string{"/ctx", "/send"} {
		res, err := app.Test(httptest.NewRequest(fiber.MethodGet, path, nil))
		if err != nil {
			t.Fatal(err)
		}
		if ct := res.Header.Get(fiber.HeaderContentType); ct != fiber.MIMEApplicationJSON {
			t.Fatalf("%s: content type %q", path, ct)
		}
		bodies[i], _ = io.ReadAll(res.Body)
	}
	if !bytes.Equal(bodies[0], bodies[1]) || len(bodies[0]) < 100 {
		t.Fatalf("c.JSON:\n%s\nsendJSON:\n%s", bodies[0], bodies[1])
	}
}

func BenchmarkEncodeStdlib(b *testing.B) {
	v := samplePage()
	for b.Loop() {
		stdjson.Marshal(v)
	}
}
func BenchmarkEncodeGoccy(b *testing.B) {
	v := samplePage()
	for b.Loop() {
		gojson.Marshal(v)
	}
}
