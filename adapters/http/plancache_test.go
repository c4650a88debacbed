package http

import (
	"testing"
)

// TestPlanListCache: GET /api/plans/ answers are reused only while no plan
// is written, and never across administrators and everyone else.
func TestPlanListCache(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	if e.srv.plans == nil {
		t.Fatal("the plan list cache is off with core.Service over adapters/bolt")
	}
	count := func(auth, path string) int {
		t.Helper()
		st, m, h := e.do(t, call{method: "GET", path: path, auth: auth})
		if st != 200 || h.Get("Content-Type") != "application/json" {
			t.Fatalf("GET %s: %d %q", path, st, h.Get("Content-Type"))
		}
		return int(m["count"].(float64))
	}
	for range 2 {
		if n := count("", "/api/plans/"); n != 1 {
			t.Fatalf("count = %d, want 1", n)
		}
	}
	if st, _, _ := e.do(t, call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"Pro","price":"99000.00","interval_unit":"month"}`}); st != 201 {
		t.Fatalf("create: %d", st)
	}
	if n := count("", "/api/plans/"); n != 2 {
		t.Fatalf("after create: count = %d, want 2 (a stale page was served)", n)
	}
	if st, _, _ := e.do(t, call{method: "PATCH", path: "/api/plans/pro/", auth: asAdmin, body: `{"status":"inactive"}`}); st != 200 {
		t.Fatalf("deactivate: %d", st)
	}
	if n := count("", "/api/plans/"); n != 1 {
		t.Fatalf("after deactivating: public count = %d, want 1", n)
	}
	if n := count(asAdmin, "/api/plans/"); n != 2 {
		t.Fatalf("admin count = %d, want 2 (inactive plans are listed to admins)", n)
	}
	if n := count("", "/api/plans/"); n != 1 {
		t.Fatalf("public count after an admin read = %d, want 1", n)
	}
	if n := count("", "/api/plans/?status=inactive"); n != 0 {
		t.Fatalf("public inactive count = %d, want 0", n)
	}
}

func TestPlanObjectsVersioned(t *testing.T) {
	t.Parallel()
	var po planObjects
	a, b := &planJSON{Name: "a"}, &planJSON{Name: "b"}
	po.put(1, "p", a)
	if po.get(1, "p") != a || po.get(2, "p") != nil || po.get(0, "p") != nil {
		t.Fatal("an object is answered only for the version it was read at")
	}
	po.put(0, "p", b) // read before the write that made version 1
	if po.get(1, "p") != a || po.get(0, "p") != nil {
		t.Fatal("an older read must not replace a newer one")
	}
	po.put(2, "p", b)
	if po.get(2, "p") != b || po.get(1, "p") != nil {
		t.Fatal("a newer version drops the older objects")
	}
}
