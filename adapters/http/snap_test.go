package http

import "testing"

func TestSnapCheckoutJSON(t *testing.T) {
	t.Parallel()
	e := newLCEnv(t)
	cases := []struct {
		name, path, body string
		status           int
		field            string // the field error expected, or "" for success
	}{
		{"top-up", "/api/topups/", `{"amount":"100000","payment_type":"snap","enabled_payments":["gopay","bca_va"],"finish_url":"https://shop.test/done"}`, 201, ""},
		{"top-up bad channel", "/api/topups/", `{"amount":"100000","payment_type":"snap","enabled_payments":["cash"]}`, 400, "enabled_payments"},
		{"top-up finish without snap", "/api/topups/", `{"amount":"100000","payment_type":"qris","finish_url":"https://shop.test/done"}`, 400, "finish_url"},
		{"subscription", "/api/subscriptions/", `{"plan_id":"basic","payment_type":"snap","finish_url":"https://shop.test/sub"}`, 201, ""},
		{"subscription bad finish", "/api/subscriptions/", `{"plan_id":"basic","payment_type":"snap","finish_url":"data:text/html,x"}`, 400, "finish_url"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := e.must(t, c.status, call{method: "POST", path: c.path, auth: asUser, body: c.body})
			if c.field != "" {
				fields, _ := got["error"].(map[string]any)["fields"].(map[string]any)
				if fields[c.field] == nil {
					t.Fatalf("answer %v, want a %s field error", got, c.field)
				}
				return
			}
			p := got
			if pay, ok := got["payment"].(map[string]any); ok {
				p = pay
			}
			if p["payment_type"] != "snap" || p["snap_token"] == nil || p["snap_token"] == "" || p["redirect_url"] == nil || p["redirect_url"] == "" {
				t.Fatalf("answer %v", got)
			}
		})
	}
}
