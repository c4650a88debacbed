package http

import "testing"

func TestPaymentMethods(t *testing.T) {
	t.Parallel()
	e := newLCEnv(t)
	m := e.must(t, 201, call{method: "POST", path: "/api/payment-methods/gopay/", auth: asUser, body: `{"phone_number":"+6281234567890","redirect_url":"https://example.com/linked"}`})
	hasKeys(t, "method", m, "id", "type", "status", "activation_url", "account_id")
	if m["type"] != "gopay" || m["status"] != "pending" || m["activation_url"] == "" || m["account_id"] == "" {
		t.Errorf("method = %v", m)
	}
	if _, leaked := m["token"]; leaked {
		t.Error("token leaked")
	}
	id := m["id"].(string)
	e.gw.LinkAccount(m["account_id"].(string))
	l := e.must(t, 200, call{method: "GET", path: "/api/payment-methods/", auth: asUser})
	if l["count"] != 1.0 || l["results"].([]any)[0].(map[string]any)["status"] != "active" {
		t.Errorf("list after linking = %v", l)
	}
	if l := e.must(t, 200, call{method: "GET", path: "/api/payment-methods/", auth: lcSiti}); l["count"] != 0.0 {
		t.Errorf("siti sees %v methods", l["count"])
	}
	if st, _, _ := e.do(t, call{method: "DELETE", path: "/api/payment-methods/" + id + "/", auth: lcSiti}); st != 404 {
		t.Errorf("siti deletes budi's method = %d", st)
	}
	if st, _, _ := e.do(t, call{method: "DELETE", path: "/api/payment-methods/" + id + "/", auth: asUser}); st != 204 {
		t.Errorf("delete = %d", st)
	}
	if st, _, _ := e.do(t, call{method: "DELETE", path: "/api/payment-methods/" + id + "/", auth: asUser}); st != 404 {
		t.Errorf("delete twice = %d", st)
	}
}
