package sim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/langganan/langganan/core"
)

// exec runs one step.
func (w *world) exec(i int, st Step) {
	w.fault, w.commits, w.calls, w.stepNative = st.Fault, 0, 0, nil
	w.rng = stepRand(w.seed, st.Arg)
	w.count("op_" + st.Op.String())
	// Only an advance with the engine running leaves the engine caught up;
	// any other operation may leave work due now for the next run.
	w.fresh = false
	var out string
	switch st.Op {
	case OpSignUp:
		out = w.opSignUp()
	case OpLinkGopay:
		out = w.opLinkGopay()
	case OpPay:
		out = w.opPay()
	case OpTopUp:
		out = w.opTopUp()
	case OpRefund:
		out = w.opRefund()
	case OpDashboardRefund:
		out = w.opDashboardRefund()
	case OpPause:
		out = w.opPause()
	case OpResume:
		out = w.opResume()
	case OpChangePlan:
		out = w.opChangePlan()
	case OpSeats:
		out = w.opSeats()
	case OpCancel:
		out = w.opCancel()
	case OpMembers:
		out = w.opMembers()
	case OpAdvance:
		out = w.opAdvance()
	case OpEngine:
		out = w.opEngine()
	case OpNotes:
		out = w.opNotes()
	case OpRestart:
		w.die()
		out = "restart"
	case OpCharge:
		out = w.opCharge()
	case OpSync:
		out = w.opSync()
	}
	_ = w.emu.Drain(w.ctx)
	w.trace.line("%d %s %s @%s notes=%d", i, st, out, w.clock.Now().UTC().Format(time.RFC3339), len(w.notes))
	w.fault = Fault{}
	if w.dead {
		if err := w.restart(); err != nil {
			w.trace.line("  restart failed: %v", err)
		}
		w.noteNativeRepairs()
	}
}

// noteNativeRepairs: a step that told Midtrans about a change and then
// crashed may leave Midtrans ahead of what is stored (or the other way
// round) until the engine's check before the period end repairs it; the
// native invariant holds such a subscription to that deadline instead.
func (w *world) noteNativeRepairs() {
	touched := map[string]bool{}
	for _, id := range w.stepNative {
		touched[id] = true
	}
	for _, sub := range w.subs() {
		if touched[sub.ID] || (sub.MidtransSubscriptionID != "" && touched[sub.MidtransSubscriptionID]) {
			w.m.nativeRepairBy[sub.ID] = maxTime(w.m.nativeRepairBy[sub.ID], sub.CurrentPeriodEnd)
		}
	}
}

// --- choosing -------------------------------------------------------------

func (w *world) pick(n int) int {
	if n <= 0 {
		return -1
	}
	return w.rng.IntN(n)
}

func (w *world) chance(p float64) bool { return w.rng.Float64() < p }

// subs lists every subscription in id order.
func (w *world) subs() []core.Subscription {
	var out []core.Subscription
	_ = w.view(func(tx core.Tx) error {
		return tx.Subscriptions().ScanAll("", func(s core.Subscription) bool {
			out = append(out, s)
			return true
		})
	})
	return out
}

// payments lists every payment of every owner, oldest first.
func (w *world) payments() []core.Payment {
	var out []core.Payment
	_ = w.view(func(tx core.Tx) error {
		for _, o := range w.owners() {
			ps, err := tx.Payments().ListByOwner(o)
			if err != nil {
				return err
			}
			out = append(out, ps...)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// owners lists every user and organization id.
func (w *world) owners() []string {
	var out []string
	for _, u := range w.m.users {
		out = append(out, u.actor.UserID)
	}
	for _, o := range w.m.orgs {
		out = append(out, o.id)
	}
	return out
}

// pickSub chooses a subscription (live ones more often) and the actor who
// manages it; member is true when the actor is a plain organization member.
func (w *world) pickSub() (core.Subscription, core.Actor, bool, bool) {
	all := w.subs()
	var live []core.Subscription
	for _, s := range all {
		if s.Status.Live() {
			live = append(live, s)
		}
	}
	list := all
	if len(live) > 0 && w.chance(0.85) {
		list = live
	}
	if len(list) == 0 {
		return core.Subscription{}, core.Actor{}, false, false
	}
	s := list[w.pick(len(list))]
	sm := w.m.bySub[s.ID]
	if sm == nil || sm.org < 0 {
		for _, u := range w.m.users {
			if u.actor.UserID == s.OwnerID {
				return s, u.actor, false, true
			}
		}
		return s, w.m.admin, false, true
	}
	o := w.m.orgs[sm.org]
	if len(o.members) > 1 && w.chance(0.2) {
		for _, mi := range o.members {
			if mi != o.owner {
				return s, w.m.users[mi].actor, true, true
			}
		}
	}
	return s, w.m.users[o.owner].actor, false, true
}

// --- customers' side of Midtrans -----------------------------------------

// emuCall serves a request straight from the emulator, as a browser or the
// dashboard reaches Midtrans: never faulted.
func (w *world) emuCall(method, path string, body any) (int, []byte) {
	var rd *strings.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	} else {
		rd = strings.NewReader("")
	}
	req := httptest.NewRequest(method, midtransURL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(serverKey, "")
	rec := httptest.NewRecorder()
	w.emu.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

// cards are sandbox cards: accepted, challenged by fraud detection, denied.
var cards = []string{"4811111111111114", "4811111111111114", "4811111111111114", "4511111111111117", "4911111111111113"}

// cardToken asks Midtrans for a one-time token, as the checkout page does.
func (w *world) cardToken() string {
	q := url.Values{"client_key": {clientKey}, "card_number": {cards[w.pick(len(cards))]}, "card_exp_month": {"12"},
		"card_exp_year": {"2035"}, "card_cvv": {"123"}}
	_, b := w.emuCall("GET", "/v2/token?"+q.Encode(), nil)
	var r struct {
		TokenID string `json:"token_id"`
	}
	_ = json.Unmarshal(b, &r)
	return r.TokenID
}

// emuTxn is the emulator's control-plane view of a transaction.
type emuTxn struct {
	OrderID      string `json:"order_id"`
	PaymentType  string `json:"payment_type"`
	GrossAmount  string `json:"gross_amount"`
	Status       string `json:"transaction_status"`
	FraudStatus  string `json:"fraud_status"`
	RefundAmount string `json:"refund_amount"`
	Subscription string `json:"subscription_id"`
}

func (w *world) emuTxns() []emuTxn {
	_, b := w.emuCall("GET", "/_sim/transactions", nil)
	var out []emuTxn
	_ = json.Unmarshal(b, &out)
	// newest first on the wire; oldest first here
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// emuSub is the emulator's view of a Subscription API subscription.
type emuSub struct {
	ID       string          `json:"id"`
	Amount   string          `json:"amount"`
	Status   string          `json:"status"`
	Metadata json.RawMessage `json:"metadata"`
}

func (w *world) emuSubs() []emuSub {
	_, b := w.emuCall("GET", "/_sim/subscriptions", nil)
	var out []emuSub
	_ = json.Unmarshal(b, &out)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// --- operations -------------------------------------------------------------

var payTypes = []string{"bank_transfer", "echannel", "gopay", "shopeepay", "qris", "cstore", "credit_card", "credit_card", "wallet", "gopay"}

func (w *world) opSignUp() string {
	ui := w.pick(len(w.m.users))
	u := w.m.users[ui]
	plan := w.m.plans[w.pick(len(w.m.plans))]
	in := core.CreateSubscriptionInput{Plan: plan.Slug, PaymentType: payTypes[w.pick(len(payTypes))],
		Customer: core.CustomerDetails{FirstName: u.username, Email: u.username + "@langganan.sim"}}
	orgIdx := -1
	if w.chance(0.3) {
		for i, o := range w.m.orgs {
			if o.owner == ui {
				orgIdx = i
				in.OrganizationID = o.id
				break
			}
		}
	}
	switch in.PaymentType {
	case "bank_transfer":
		in.Metadata = map[string]any{"bank": core.Banks[w.pick(len(core.Banks))]}
	case "cstore":
		in.Metadata = map[string]any{"bank": []string{"alfamart", "indomaret"}[w.pick(2)]}
	case "credit_card":
		if m, ok := w.method(u.actor, core.PayCreditCard); ok && w.chance(0.5) {
			in.PaymentMethodID = m.ID
		} else {
			in.Token = w.cardToken()
		}
	case "gopay":
		if m, ok := w.method(u.actor, core.PayGopay); ok && w.chance(0.7) {
			in.GopayAccountID = m.ID
		}
	}
	if w.chance(0.2) {
		in.Coupon = w.m.coupons[w.pick(len(w.m.coupons))]
	}
	if plan.PerSeat {
		in.Quantity = 1 + w.pick(5)
		if orgIdx >= 0 {
			in.Quantity = max(in.Quantity, len(w.m.orgs[orgIdx].members))
		}
	}
	in.AutoPay = w.chance(0.1)
	past := false
	switch {
	case w.chance(0.03):
		in.EndsAt = w.clock.Now().Add(-time.Duration(1+w.pick(48)) * time.Hour)
		past = true
	case w.chance(0.1):
		in.EndsAt = w.clock.Now().AddDate(0, 0, 10+w.pick(120))
	}
	res, err := w.svc.CreateSubscription(w.ctx, u.actor, in)
	if err == nil || res.Subscription.ID != "" {
		w.m.addSub(res.Subscription, ui, orgIdx)
	}
	if err == nil && past {
		w.flag("endDateInPastRefused", "subscription "+res.Subscription.ID+" was created with an end date in the past")
	}
	st := ""
	if res.Payment != nil {
		st = " pay=" + string(res.Payment.Status) + " " + res.Payment.Amount.String()
	}
	id := res.Subscription.ID
	if len(id) > 8 {
		id = id[:8] + " "
	}
	return id + "user=" + u.username + " plan=" + plan.Slug + " type=" + in.PaymentType + " coupon=" + in.Coupon +
		" qty=" + strconv.Itoa(in.Quantity) + " -> " + errKind(err) + " " + string(res.Subscription.Status) + st
}

// method returns an active payment method of the actor, of type t.
func (w *world) method(a core.Actor, t core.PaymentType) (core.PaymentMethod, bool) {
	var out []core.PaymentMethod
	_ = w.view(func(tx core.Tx) error {
		ms, err := tx.PaymentMethods().ListByOwner(a.UserID)
		out = ms
		return err
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	var ok []core.PaymentMethod
	for _, m := range out {
		if m.Type == t && m.Status == core.MethodActive {
			ok = append(ok, m)
		}
	}
	if len(ok) == 0 {
		return core.PaymentMethod{}, false
	}
	return ok[w.pick(len(ok))], true
}

func (w *world) opLinkGopay() string {
	u := w.m.users[w.pick(len(w.m.users))]
	phone := u.phone
	if w.chance(0.15) {
		phone = "8242014881" // the sandbox account whose charges are denied
	}
	m, err := w.svc.LinkGopay(w.ctx, u.actor, phone, "https://langganan.sim/linked")
	if err != nil {
		return "user=" + u.username + " -> " + errKind(err)
	}
	code := 0
	if w.chance(0.9) {
		code, _ = w.emu.LinkAccount(w.ctx, m.AccountID)
	}
	return "user=" + u.username + " -> ok " + string(m.Status) + " linked=" + strconv.Itoa(code)
}

func (w *world) opPay() string {
	var open []emuTxn
	for _, t := range w.emuTxns() {
		if t.Status == "pending" || (t.Status == "capture" && t.FraudStatus == "challenge") {
			open = append(open, t)
		}
	}
	if len(open) == 0 {
		return "nothing open"
	}
	t := open[w.pick(len(open))]
	act := "settle"
	if t.Status == "capture" {
		act = []string{"approve", "deny"}[w.pick(2)]
	} else {
		switch x := w.rng.Float64(); {
		case x < 0.72:
		case x < 0.80:
			act = "deny"
		case x < 0.88:
			act = "expire"
		case x < 0.94:
			act = "cancel"
		default:
			if t.PaymentType == "credit_card" {
				act = "challenge"
			}
		}
	}
	code, _ := w.emu.SimAction(w.ctx, t.OrderID, act)
	return t.OrderID + " " + t.PaymentType + " " + t.GrossAmount + " " + act + " -> " + strconv.Itoa(code)
}

var topUpTypes = []string{"bank_transfer", "gopay", "qris", "shopeepay", "credit_card", "cstore", "echannel"}

func (w *world) opTopUp() string {
	u := w.m.users[w.pick(len(w.m.users))]
	in := core.TopUpInput{Amount: strconv.Itoa((10 + w.pick(290)) * 1000), PaymentType: topUpTypes[w.pick(len(topUpTypes))]}
	if in.PaymentType == "credit_card" {
		in.Token = w.cardToken()
	}
	t, err := w.svc.CreateTopUp(w.ctx, u.actor, in)
	return "user=" + u.username + " " + in.PaymentType + " " + in.Amount + " -> " + errKind(err) + " " + string(t.Status)
}

func (w *world) opRefund() string {
	var settled []core.Payment
	for _, p := range w.payments() {
		if p.Status.Settled() && p.Refundable().IsPositive() {
			settled = append(settled, p)
		}
	}
	if len(settled) == 0 {
		return "nothing settled"
	}
	overlap := w.fault.Kind == FaultRefundInFlight
	if overlap {
		// A second refund will run while this one is at Midtrans: make this
		// one a Midtrans refund, the case where the two can overlap.
		var viaGateway []core.Payment
		for _, p := range settled {
			switch p.PaymentType {
			case core.PayCreditCard, core.PayGopay, core.PayQRIS, core.PayShopeepay:
				viaGateway = append(viaGateway, p)
			}
		}
		if len(viaGateway) > 0 {
			settled = viaGateway
		}
	}
	p := settled[w.pick(len(settled))]
	a := w.m.admin
	customer := w.chance(0.12)
	if customer {
		a = core.Actor{UserID: p.OwnerID}
		for _, o := range w.m.orgs {
			if o.id == p.OwnerID {
				a = w.m.users[o.owner].actor
			}
		}
	}
	in := w.refundInput(p)
	if overlap {
		in.ToWallet = false
	}
	_, err := w.svc.RefundPayment(w.ctx, a, p.ID, in)
	if customer && err == nil {
		w.flag("refundsOnlyByAdmin", "the owner refunded payment "+p.OrderID+" without an admin")
	}
	amt := "rest"
	if in.Amount != nil {
		amt = in.Amount.String()
	}
	return p.OrderID + " " + string(p.PaymentType) + " " + amt + " wallet=" + strconv.FormatBool(in.ToWallet) +
		" direct=" + strconv.FormatBool(in.Direct) + " customer=" + strconv.FormatBool(customer) + " -> " + errKind(err)
}

// refundInput draws a refund of p: all or part, through Midtrans or to the wallet.
func (w *world) refundInput(p core.Payment) core.RefundInput {
	in := core.RefundInput{Reason: "simulated"}
	if left, err := p.Refundable().Rupiah(); err == nil && left > 1 && w.chance(0.6) {
		m := core.MoneyFromRupiah(1+w.rng.Int64N(left), core.IDR)
		in.Amount = &m
	}
	switch p.PaymentType {
	case core.PayGopay, core.PayQRIS, core.PayShopeepay:
		in.Direct = w.chance(0.3)
	}
	if !in.Direct && w.chance(0.3) {
		in.ToWallet = true
	}
	return in
}

// nestedRefund runs a second admin refund of the order while a refund
// request for it is in flight.
func (w *world) nestedRefund(orderID string) {
	var p core.Payment
	if err := w.view(func(tx core.Tx) error {
		var err error
		p, err = tx.Payments().GetByOrderID(orderID)
		return err
	}); err != nil {
		return
	}
	w.nested = true
	defer func() { w.nested = false }()
	in := w.refundInput(p)
	if w.chance(0.6) {
		// To the wallet: Midtrans cannot refuse it for exceeding what is
		// left, so only the service's own reservation keeps the two apart.
		in.ToWallet, in.Direct = true, false
	}
	_, err := w.svc.RefundPayment(w.ctx, w.m.admin, p.ID, in)
	w.trace.line("  nested refund %s wallet=%t -> %s", orderID, in.ToWallet, errKind(err))
}

func (w *world) opDashboardRefund() string {
	var settled []emuTxn
	for _, t := range w.emuTxns() {
		if (t.Status == "settlement" || t.Status == "partial_refund") && t.PaymentType != "shopeepay" {
			settled = append(settled, t)
		}
	}
	if len(settled) == 0 {
		return "nothing settled"
	}
	t := settled[w.pick(len(settled))]
	var local core.Payment
	_ = w.view(func(tx core.Tx) error {
		local, _ = tx.Payments().GetByOrderID(t.OrderID)
		return nil
	})
	if walletRefunds(local).IsPositive() {
		// Refunded to the wallet already: the merchant would not refund it
		// again at Midtrans.
		return t.OrderID + " refunded to the wallet"
	}
	if w.chance(0.4) {
		code, _ := w.emu.SimAction(w.ctx, t.OrderID, "refund")
		return t.OrderID + " rest -> " + strconv.Itoa(code)
	}
	gross, _ := strconv.ParseFloat(t.GrossAmount, 64)
	done, _ := strconv.ParseFloat(t.RefundAmount, 64)
	left := int64(gross - done)
	if left < 2 {
		return t.OrderID + " nothing left"
	}
	amt := 1 + w.rng.Int64N(left/2+1)
	w.m.dashboardRefunds++
	code, _ := w.emuCall(http.MethodPost, "/v2/"+url.PathEscape(t.OrderID)+"/refund",
		map[string]any{"refund_key": "dash-" + strconv.Itoa(w.m.dashboardRefunds), "amount": amt, "reason": "dashboard"})
	return t.OrderID + " " + strconv.FormatInt(amt, 10) + " -> " + strconv.Itoa(code)
}

func (w *world) opPause() string {
	s, a, member, ok := w.pickSub()
	if !ok {
		return "no subscription"
	}
	out, err := w.svc.PauseSubscription(w.ctx, a, s.ID)
	if err == nil {
		if member {
			w.flag("membersCannotManage", "a plain organization member paused "+s.ID)
		}
		if sm := w.m.bySub[s.ID]; sm != nil && out.Status == core.SubPaused {
			sm.pauses = append(sm.pauses, interval{from: out.PausedAt})
		}
	}
	return s.ID[:8] + " " + string(s.Status) + " member=" + strconv.FormatBool(member) + " -> " + errKind(err) + " " + string(out.Status)
}

func (w *world) opResume() string {
	var paused []core.Subscription
	for _, s := range w.subs() {
		if s.Status == core.SubPaused {
			paused = append(paused, s)
		}
	}
	if len(paused) == 0 {
		return "nothing paused"
	}
	s := paused[w.pick(len(paused))]
	a := w.ownerActor(s)
	out, err := w.svc.ResumeSubscription(w.ctx, a, s.ID)
	if err == nil && out.Status != core.SubPaused {
		w.closePause(s.ID)
	}
	return s.ID[:8] + " -> " + errKind(err) + " " + string(out.Status) + " end=" + out.CurrentPeriodEnd.Format(time.RFC3339)
}

// closePause ends the open pause interval of a subscription.
func (w *world) closePause(id string) {
	sm := w.m.bySub[id]
	if sm == nil || len(sm.pauses) == 0 || !sm.pauses[len(sm.pauses)-1].to.IsZero() {
		return
	}
	sm.pauses[len(sm.pauses)-1].to = w.clock.Now().UTC().Truncate(time.Microsecond)
}

// ownerActor is the user who manages a subscription.
func (w *world) ownerActor(s core.Subscription) core.Actor {
	if sm := w.m.bySub[s.ID]; sm != nil && sm.org >= 0 {
		return w.m.users[w.m.orgs[sm.org].owner].actor
	}
	return core.Actor{UserID: s.OwnerID}
}

func (w *world) opChangePlan() string {
	s, a, member, ok := w.pickSub()
	if !ok {
		return "no subscription"
	}
	np := w.m.plans[w.pick(len(w.m.plans))]
	var imm *bool
	switch w.pick(4) {
	case 0:
		imm = ref(true)
	case 1:
		imm = ref(false)
	}
	out, err := w.svc.ChangePlan(w.ctx, a, s.ID, np.Slug, imm)
	if err == nil && member {
		w.flag("membersCannotManage", "a plain organization member changed the plan of "+s.ID)
	}
	im := "default"
	if imm != nil {
		im = strconv.FormatBool(*imm)
	}
	return s.ID[:8] + " " + string(s.Status) + " -> " + np.Slug + " immediate=" + im + " -> " + errKind(err) + " " + string(out.Status)
}

func (w *world) opSeats() string {
	s, a, _, ok := w.pickSub()
	if !ok {
		return "no subscription"
	}
	q := 1 + w.pick(8)
	out, err := w.svc.SetQuantity(w.ctx, a, s.ID, q)
	return s.ID[:8] + " qty " + strconv.Itoa(s.Quantity) + "->" + strconv.Itoa(q) + " -> " + errKind(err) + " " + strconv.Itoa(out.Quantity)
}

func (w *world) opCancel() string {
	s, a, member, ok := w.pickSub()
	if !ok {
		return "no subscription"
	}
	immediate, undo := false, false
	switch x := w.rng.Float64(); {
	case x < 0.35:
		immediate = true
	case x < 0.6:
		undo = true
	}
	out, err := w.svc.CancelSubscription(w.ctx, a, s.ID, "simulated", immediate, undo)
	if err == nil && member {
		w.flag("membersCannotManage", "a plain organization member cancelled "+s.ID)
	}
	if err == nil && out.Status.Terminal() {
		w.closePause(s.ID)
	}
	return s.ID[:8] + " " + string(s.Status) + " now=" + strconv.FormatBool(immediate) + " undo=" + strconv.FormatBool(undo) +
		" -> " + errKind(err) + " " + string(out.Status)
}

func (w *world) opMembers() string {
	ui := w.pick(len(w.m.users))
	var mine []int
	for i, o := range w.m.orgs {
		if o.owner == ui {
			mine = append(mine, i)
		}
	}
	u := w.m.users[ui]
	if len(mine) == 0 || w.chance(0.1) {
		o, err := w.svc.CreateOrganization(w.ctx, u.actor, "org of "+u.username)
		if err == nil {
			w.m.orgs = append(w.m.orgs, org{id: o.ID, owner: ui, members: []int{ui}})
		}
		return "create org by " + u.username + " -> " + errKind(err)
	}
	oi := mine[w.pick(len(mine))]
	o := &w.m.orgs[oi]
	other := w.pick(len(w.m.users))
	isMember := false
	for _, m := range o.members {
		if m == other {
			isMember = true
		}
	}
	if other == o.owner {
		return "owner stays"
	}
	if isMember {
		err := w.svc.RemoveMember(w.ctx, u.actor, o.id, w.m.users[other].actor.UserID)
		if err == nil {
			var keep []int
			for _, m := range o.members {
				if m != other {
					keep = append(keep, m)
				}
			}
			o.members = keep
		}
		return "remove " + w.m.users[other].username + " -> " + errKind(err)
	}
	_, err := w.svc.AddMember(w.ctx, u.actor, o.id, w.m.users[other].username)
	if err == nil {
		o.members = append(o.members, other)
	}
	return "add " + w.m.users[other].username + " -> " + errKind(err)
}

func (w *world) opAdvance() string {
	now := w.clock.Now()
	var d time.Duration
	switch w.pick(6) {
	case 0:
		d = time.Duration(1+w.pick(6)) * time.Hour
	case 1:
		d = time.Duration(1+w.pick(3)) * 24 * time.Hour
	case 2:
		d = time.Duration(5+w.pick(16)) * 24 * time.Hour
	case 3:
		if next, ok, err := w.svc.NextDue(w.ctx); err == nil && ok && next.After(now) {
			d = next.Sub(now) + time.Second
		} else {
			d = time.Hour
		}
	case 4:
		// to just past the next month end in Jakarta
		j := now.In(w.cfg.Location)
		first := time.Date(j.Year(), j.Month()+1, 1, 0, 0, 0, 0, w.cfg.Location)
		d = first.Sub(now) + time.Duration(w.pick(120))*time.Minute
	default:
		d = time.Duration(30+w.pick(600)) * time.Minute
	}
	if w.chance(0.15) {
		_, _ = w.emu.Advance(w.ctx, d)
		w.fresh = false
		return "raw " + d.String()
	}
	n := w.advanceWithEngine(d)
	return d.String() + " stops=" + strconv.Itoa(n)
}

// maxStops bounds the due points one advance stops at.
const maxStops = 60

// advanceWithEngine moves the clock by d as a running server lives
// through it: it stops at every due point on the way, where Midtrans'
// notifications are delivered and the billing engine runs.
func (w *world) advanceWithEngine(d time.Duration) int {
	target := w.clock.Now().Add(d)
	stops := 0
	for ; stops < maxStops; stops++ {
		now := w.clock.Now()
		// At most a day at a time, so that what Midtrans does on its own
		// schedule (Subscription API charges, retried notifications) reaches
		// the service about when it happens.
		stop := minTime(target, now.Add(24*time.Hour))
		if next, ok, err := w.svc.NextDue(w.ctx); err == nil && ok && next.After(now) && next.Before(stop) {
			stop = next
		}
		for _, n := range w.notes {
			if n.due.After(now) && n.due.Before(stop) {
				stop = n.due
			}
		}
		if stop.After(now) {
			_, _ = w.emu.Advance(w.ctx, stop.Sub(now))
		}
		w.catchUp()
		if !w.clock.Now().Before(target) {
			w.fresh = true
			return stops + 1
		}
	}
	_, _ = w.emu.Advance(w.ctx, target.Sub(w.clock.Now()))
	w.catchUp()
	w.fresh = true
	return stops
}

// catchUp delivers what Midtrans sent and runs the engine until nothing
// more is due now (a few runs at most: each run takes one action per
// subscription).
func (w *world) catchUp() {
	for range 4 {
		_ = w.emu.Drain(w.ctx)
		for len(w.dueNotes()) > 0 {
			w.deliver(w.takeNote(w.dueNotes()[0]), "prompt")
		}
		sum, err := w.svc.RunDue(w.ctx)
		if w.dead {
			_ = w.restart()
			continue
		}
		_ = w.emu.Drain(w.ctx)
		w.trace.line("  run %s errors=%d %s", errKind(err), sum.Errors, countsLine(sum.Counts))
		w.checkTransitions()
		acted := false
		for k := range sum.Counts {
			switch k {
			case "payments_reconciled", "events_relayed", "notifications_delivered", "notifications_recovered":
			default:
				acted = true
			}
		}
		if !acted && len(w.dueNotes()) == 0 {
			return
		}
	}
}

func countsLine(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + strconv.Itoa(m[k]) + " ")
	}
	return b.String()
}

func (w *world) opEngine() string {
	sum, err := w.svc.RunDue(w.ctx)
	return "-> " + errKind(err) + " errors=" + strconv.Itoa(sum.Errors) + " " + countsLine(sum.Counts)
}

func (w *world) opNotes() string {
	var did []string
	for range 1 + w.pick(4) {
		due := w.dueNotes()
		if len(due) == 0 {
			break
		}
		i := due[0]
		if w.chance(0.4) {
			i = due[w.pick(len(due))] // out of order
		}
		switch x := w.rng.Float64(); {
		case x < 0.55:
			w.deliver(w.takeNote(i), "deliver")
			did = append(did, "deliver")
		case x < 0.67:
			n := w.takeNote(i)
			w.deliver(n, "deliver")
			w.deliver(n, "duplicate")
			did = append(did, "duplicate")
		case x < 0.74:
			n := w.takeNote(i)
			w.trace.line("  note %d dropped %s", n.n, n.orderID())
			w.count("notes_dropped")
			did = append(did, "drop")
		case x < 0.86:
			w.notes[i].due = w.clock.Now().Add(time.Duration(1+w.pick(12)) * time.Hour)
			did = append(did, "delay")
		case x < 0.94:
			n := w.notes[i]
			n.body = forge(n)
			w.deliver(n, "forged")
			did = append(did, "forge")
		default:
			for _, j := range reverse(due) {
				w.deliver(w.takeNote(j), "reversed")
			}
			did = append(did, "reverse-all")
		}
	}
	return strings.Join(did, ",") + " left=" + strconv.Itoa(len(w.notes))
}

func (w *world) opCharge() string {
	s, a, _, ok := w.pickSub()
	if !ok {
		return "no subscription"
	}
	p, err := w.svc.ChargeSubscription(w.ctx, a, s.ID)
	return s.ID[:8] + " -> " + errKind(err) + " " + string(p.Status)
}

func (w *world) opSync() string {
	if w.chance(0.5) {
		s, _, _, ok := w.pickSub()
		if !ok {
			return "no subscription"
		}
		out, err := w.svc.SyncSubscription(w.ctx, w.m.admin, s.ID)
		return "sync " + s.ID[:8] + " -> " + errKind(err) + " " + string(out.Status)
	}
	var open []core.Payment
	for _, p := range w.payments() {
		if p.Status.Open() {
			open = append(open, p)
		}
	}
	if len(open) == 0 {
		return "nothing open"
	}
	p := open[w.pick(len(open))]
	out, _, err := w.svc.CheckPaymentStatus(w.ctx, w.m.admin, p.ID)
	return "status " + p.OrderID + " -> " + errKind(err) + " " + string(out.Status)
}
