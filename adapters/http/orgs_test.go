package http

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/langganan/langganan/adapters/bolt"
	"github.com/langganan/langganan/core"
	"github.com/langganan/langganan/core/coretest"
	"github.com/rs/zerolog"
)

type orgEnv struct {
	t     *testing.T
	svc   *core.Service
	gw    *coretest.Gateway
	srv   *Server
	users map[string]core.User
}

func newOrgEnv(t *testing.T) *orgEnv {
	t.Helper()
	clk := core.NewManualClock(t0)
	gw := coretest.NewGateway(clk)
	svc, err := core.NewService(core.Deps{Store: bolt.NewMemory(), Gateway: gw, Clock: clk, IDs: &coretest.SeqIDs{}, Hasher: coretest.PlainHasher{}}, core.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.EnsureAdmin(ctx, "root", adminPW); err != nil {
		t.Fatal(err)
	}
	e := &orgEnv{t: t, svc: svc, gw: gw, users: map[string]core.User{}}
	for _, name := range []string{"alice", "bob", "carol", "dave"} {
		u, err := svc.CreateUser(ctx, core.Actor{IsAdmin: true}, core.NewUserInput{Username: name, Password: name + "-pass-1234"})
		if err != nil {
			t.Fatal(err)
		}
		e.users[name] = u
	}
	e.srv = NewServer(Config{Service: svc, Log: zerolog.Nop()})
	return e
}

func (e *orgEnv) as(name string) string {
	if name == "root" {
		return basic("root", adminPW)
	}
	return basic(name, name+"-pass-1234")
}

func (e *orgEnv) actor(name string) core.Actor { return core.Actor{UserID: e.users[name].ID} }

// call answers the status and the decoded body.
func (e *orgEnv) call(method, path, who, body string) (int, map[string]any) {
	e.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if who != "" {
		req.Header.Set("Authorization", e.as(who))
	}
	resp, err := e.srv.App().Test(req, -1)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return resp.StatusCode, m
}

func (e *orgEnv) must(status int, method, path, who, body string) map[string]any {
	e.t.Helper()
	got, m := e.call(method, path, who, body)
	if got != status {
		e.t.Fatalf("%s %s as %s: status %d, want %d: %v", method, path, who, got, status, m)
	}
	return m
}

// TestOrganizationFlow is the end-to-end flow: the owner takes the
// first seat, a plan with max_users 2 admits one more member, the next is
// refused with 422 until the plan is upgraded.
func TestOrganizationFlow(t *testing.T) {
	t.Parallel()
	e := newOrgEnv(t)
	ctx := context.Background()
	org := e.must(201, "POST", "/api/organizations/", "alice", `{"name":"Acme"}`)
	id, _ := org["id"].(string)
	members, _ := org["members"].([]any)
	if id == "" || org["owner_id"] != e.users["alice"].ID || len(members) != 1 || members[0].(map[string]any)["role"] != "owner" ||
		members[0].(map[string]any)["username"] != "alice" {
		t.Fatalf("created org: %v", org)
	}
	base := "/api/organizations/" + id
	// No subscription yet: nobody can be added.
	if m := e.must(200, "GET", base+"/can-add-users/?count=2", "alice", ""); m["allowed"] != false || m["current"] != 1.0 {
		t.Fatalf("can-add without subscription: %v", m)
	}
	e.must(201, "POST", "/api/plans/", "root", `{"name":"Team Two","slug":"team2","price":"100000","interval_unit":"month","features":{"max_users":2,"reports":true}}`)
	e.must(201, "POST", "/api/plans/", "root", `{"name":"Team Five","slug":"team5","price":"200000","interval_unit":"month","features":{"max_users":5,"reports":true}}`)

	res, err := e.svc.CreateSubscription(ctx, e.actor("alice"), core.CreateSubscriptionInput{Plan: "team2", OrganizationID: id, PaymentType: "bank_transfer"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ProcessNotification(ctx, e.gw.Settle(res.Payment.OrderID), "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if m := e.must(200, "GET", base+"/can-add-users/?count=2", "alice", ""); m["allowed"] != true || m["limit"] != 2.0 || m["current"] != 1.0 {
		t.Fatalf("can-add 2: %v", m)
	}
	if m := e.must(200, "GET", base+"/can-add-users/?count=3", "alice", ""); m["allowed"] != false {
		t.Fatalf("can-add 3: %v", m)
	}
	for _, q := range []string{"", "?count=0", "?count=x", "?count=1.5"} {
		e.must(400, "GET", base+"/can-add-users/"+q, "alice", "")
	}
	org = e.must(201, "POST", base+"/members/", "alice", `{"username":"bob"}`)
	if ms, _ := org["members"].([]any); len(ms) != 2 {
		t.Fatalf("after bob: %v", org)
	}
	code, m := e.call("POST", base+"/members/", "alice", `{"username":"carol"}`)
	errObj, _ := m["error"].(map[string]any)
	if code != 422 || errObj["code"] != "seat_limit" || !strings.Contains(fmt.Sprint(errObj["message"]), "2") {
		t.Fatalf("carol beyond the limit: %d %v", code, m)
	}
	// A plain member cannot add; a non-member does not see the organization.
	e.must(403, "POST", base+"/members/", "bob", `{"username":"carol"}`)
	for _, p := range []string{base + "/", base + "/subscriptions/", base + "/subscription/", base + "/can-add-users/?count=1"} {
		e.must(404, "GET", p, "dave", "")
	}
	e.must(404, "POST", base+"/members/", "dave", `{"username":"carol"}`)
	e.must(404, "DELETE", base+"/members/"+e.users["bob"].ID+"/", "dave", "")

	if _, err := e.svc.ChangePlan(ctx, e.actor("alice"), res.Subscription.ID, "team5", nil); err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	// The upgrade takes effect when its proration is paid.
	e.must(422, "POST", base+"/members/", "alice", `{"username":"carol"}`)
	pays, err := e.svc.ListPayments(ctx, e.actor("alice"), core.PaymentFilter{Status: "pending"})
	if err != nil || len(pays) != 1 {
		t.Fatalf("open proration payments: %v %v", pays, err)
	}
	if _, err := e.svc.ProcessNotification(ctx, e.gw.Settle(pays[0].OrderID), "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	org = e.must(201, "POST", base+"/members/", "alice", `{"username":"carol"}`)
	if ms, _ := org["members"].([]any); len(ms) != 3 {
		t.Fatalf("after carol: %v", org)
	}
	// Downgrading below the member count is refused.
	if _, err := e.svc.ChangePlan(ctx, e.actor("alice"), res.Subscription.ID, "team2", nil); err == nil {
		t.Fatal("downgrade below the member count accepted")
	}

	list := e.must(200, "GET", base+"/subscriptions/?page=1&page_size=5", "bob", "")
	results, _ := list["results"].([]any)
	if list["count"] != 1.0 || len(results) != 1 {
		t.Fatalf("org subscriptions: %v", list)
	}
	if plan, _ := results[0].(map[string]any)["plan"].(map[string]any); plan["slug"] != "team5" {
		t.Fatalf("embedded plan: %v", results[0])
	}
	got := e.must(200, "GET", base+"/subscription/", "bob", "")
	if fmt.Sprint(got["permissions"]) != "[max_users reports]" || got["plan"].(map[string]any)["slug"] != "team5" {
		t.Fatalf("get_subscription: %v", got)
	}
	lst := e.must(200, "GET", "/api/organizations/", "bob", "")
	if lst["count"] != 1.0 {
		t.Fatalf("bob's organizations: %v", lst)
	}
	e.must(0+422, "DELETE", base+"/members/"+e.users["alice"].ID+"/", "alice", "")
	e.must(204, "DELETE", base+"/members/"+e.users["carol"].ID+"/", "alice", "")
	e.must(404, "GET", base+"/", "carol", "")
}

// TestAdminOrgSubscriptions drives the BOB methods and coupons over HTTP.
func TestAdminOrgSubscriptions(t *testing.T) {
	t.Parallel()
	e := newOrgEnv(t)
	org := e.must(201, "POST", "/api/organizations/", "alice", `{"name":"Acme"}`)
	base := "/api/organizations/" + org["id"].(string)
	e.must(201, "POST", "/api/plans/", "root", `{"name":"Seats","slug":"seats","price":"30000","interval_unit":"month","per_seat":true,"features":{"permissions":["read","write"]}}`)
	e.must(403, "POST", "/api/admin/organizations/"+org["id"].(string)+"/subscriptions/", "alice", `{"plan_id":"seats"}`)
	e.must(400, "POST", "/api/admin/organizations/"+org["id"].(string)+"/subscriptions/", "root", `{"plan_id":"seats","subscription_status":"bogus"}`)
	sub := e.must(201, "POST", "/api/admin/organizations/"+org["id"].(string)+"/subscriptions/", "root",
		`{"plan_id":"seats","subscription_status":"trialing","trial_start":"2026-01-31T03:00:00Z","trial_end":1770346800,"quantity":3}`)
	if sub["status"] != "trialing" || sub["payment_type"] != "manual" || sub["quantity"] != 3.0 || sub["trial_end"] != "2026-02-06T03:00:00Z" {
		t.Fatalf("created: %v", sub)
	}
	sid := sub["id"].(string)
	got := e.must(200, "GET", base+"/subscription/", "alice", "")
	if fmt.Sprint(got["permissions"]) != "[read write]" {
		t.Fatalf("permissions: %v", got)
	}
	upd := e.must(200, "PATCH", "/api/admin/subscriptions/"+sid+"/", "root", `{"subscription_status":"active","billing_cycle_anchor":"2026-01-31T03:00:00Z"}`)
	if upd["status"] != "active" || upd["current_period_end"] != "2026-02-28T03:00:00Z" {
		t.Fatalf("updated: %v", upd)
	}
	e.must(409, "PATCH", "/api/admin/subscriptions/"+sid+"/", "root", `{"subscription_status":"pending"}`)
	q := e.must(200, "PATCH", "/api/subscriptions/"+sid+"/", "alice", `{"quantity":4}`)
	if q["quantity"] != 4.0 {
		t.Fatalf("quantity: %v", q)
	}
	e.must(400, "PATCH", "/api/subscriptions/"+sid+"/", "alice", `{"quantity":0}`)
	e.must(404, "PATCH", "/api/subscriptions/"+sid+"/", "dave", `{"quantity":5}`)

	// Coupons.
	c := e.must(201, "POST", "/api/admin/coupons/", "root", `{"code":"Welcome10","percent_off":"10","duration":"repeating","duration_in_cycles":3,"max_redemptions":10,"applies_to_plans":["seats"]}`)
	if c["code"] != "WELCOME10" || c["percent_off"] != "10.00" || c["duration_in_cycles"] != 3.0 {
		t.Fatalf("coupon: %v", c)
	}
	e.must(409, "POST", "/api/admin/coupons/", "root", `{"code":"welcome10","amount_off":"5000"}`)
	e.must(400, "POST", "/api/admin/coupons/", "root", `{"code":"X","amount_off":"5000"}`)
	e.must(400, "POST", "/api/admin/coupons/", "root", `{"code":"BOTH","amount_off":"5000","percent_off":"5"}`)
	e.must(403, "GET", "/api/admin/coupons/", "alice", "")
	applied := e.must(200, "POST", "/api/subscriptions/"+sid+"/apply-coupon/", "alice", `{"code":"welcome10"}`)
	if applied["coupon_id"] != c["id"] || applied["coupon_cycles_left"] != 3.0 {
		t.Fatalf("applied: %v", applied)
	}
	e.must(409, "POST", "/api/subscriptions/"+sid+"/apply-coupon/", "alice", `{"code":"welcome10"}`)
	cid := c["id"].(string)
	if p := e.must(200, "PATCH", "/api/admin/coupons/"+cid+"/", "root", `{"active":false}`); p["active"] != false || p["times_redeemed"] != 1.0 {
		t.Fatalf("patched: %v", p)
	}
	e.must(400, "PATCH", "/api/admin/coupons/"+cid+"/", "root", `{"percent_off":"20"}`)
	e.must(204, "DELETE", "/api/admin/coupons/"+cid+"/", "root", "")
	if g := e.must(200, "GET", "/api/admin/coupons/"+cid+"/", "root", ""); g["deleted"] != true {
		t.Fatalf("deleted coupon: %v", g)
	}
	if l := e.must(200, "GET", "/api/admin/coupons/", "root", ""); l["count"] != 0.0 {
		t.Fatalf("list hides deleted: %v", l)
	}

	fin := e.must(200, "POST", "/api/admin/subscriptions/"+sid+"/finish/", "root", "")
	if fin["status"] != "cancelled" {
		t.Fatalf("finished: %v", fin)
	}
	e.must(404, "GET", base+"/subscription/", "alice", "")
}
