// Package midtranstest holds the contract suite every Midtrans endpoint the
// adapter uses must pass: the in-process emulator and the real sandbox are
// held to the same expectations.
package midtranstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/langganan/langganan/adapters/midtrans"
	"github.com/langganan/langganan/core"
)

// ErrUnsupported is returned by a Driver that cannot perform a step; the
// subtest needing it is skipped (the real sandbox has no control plane).
var ErrUnsupported = errors.New("midtranstest: not supported by this driver")

// Driver does what a customer or time would do on the other side.
type Driver interface {
	// Act applies a control-plane action (settle, capture, challenge, deny,
	// cancel, expire, refund) to an order, as a customer paying would.
	Act(ctx context.Context, orderID, action string) error
	// LinkPayAccount completes GoPay linking as the customer would in the app.
	LinkPayAccount(ctx context.Context, accountID string) error
	// AdvanceClock moves the gateway's clock forward.
	AdvanceClock(ctx context.Context, d time.Duration) error
}

// NoDriver supports nothing; use it against the real sandbox.
type NoDriver struct{}

func (NoDriver) Act(context.Context, string, string) error         { return ErrUnsupported }
func (NoDriver) LinkPayAccount(context.Context, string) error      { return ErrUnsupported }
func (NoDriver) AdvanceClock(context.Context, time.Duration) error { return ErrUnsupported }

// Sandbox cards.
const (
	CardAccept    = "4811111111111114"
	CardBankDeny  = "4911111111111113"
	CardChallenge = "4511111111111117"
	CardFDSDeny   = "4611111111111116"
)

// CardExpMonth and CardExpYear are a far-future expiry for sandbox cards.
const (
	CardExpMonth = "12"
	CardExpYear  = "2035"
	CardCVV      = "123"
)

// RunContract runs every call the adapter makes against the gateway the
// client points at. newClient must return a client with ClientKey set.
func RunContract(t *testing.T, newClient func(t *testing.T) *midtrans.Client, drive Driver) {
	ctx := context.Background()
	c := newClient(t)
	run := newRun()

	need := func(t *testing.T, err error) {
		t.Helper()
		if errors.Is(err, ErrUnsupported) {
			t.Skip("driver cannot do this step against this gateway")
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	amount := core.MustMoney("49000.00")
	charge := func(t *testing.T, pt core.PaymentType, bank string, mod ...func(*core.ChargeRequest)) (core.Transaction, error) {
		t.Helper()
		req := core.ChargeRequest{OrderID: run.order(), Amount: amount, PaymentType: pt, Bank: bank,
			Customer: core.CustomerDetails{FirstName: "Budi", LastName: "Utomo", Email: "budi@example.test", Phone: "+628123456"},
			Items:    []core.ChargeItem{{ID: "plan-pro", Name: "Pro plan", Price: amount, Quantity: 1}}}
		for _, f := range mod {
			f(&req)
		}
		return c.Charge(ctx, req)
	}
	cardToken := func(t *testing.T, card string) string {
		t.Helper()
		tok, err := c.CardToken(ctx, card, CardExpMonth, CardExpYear, CardCVV)
		if err != nil {
			t.Fatalf("card token for %s: %v", card, err)
		}
		return tok
	}
	pending := func(t *testing.T, tx core.Transaction, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if tx.TransactionStatus != "pending" || tx.StatusCode != "201" || tx.TransactionID == "" || !tx.GrossAmount.Equal(amount) {
			t.Fatalf("want a pending 201 of %s, got %+v", amount, tx)
		}
	}
	detail := func(t *testing.T, tx core.Transaction, keys ...string) {
		t.Helper()
		for _, k := range keys {
			if v, ok := tx.Details[k]; !ok || v == "" {
				t.Errorf("details lack %q: %v", k, tx.Details)
			}
		}
	}

	t.Run("card token", func(t *testing.T) {
		if tok := cardToken(t, CardAccept); !strings.HasPrefix(tok, "48111111") {
			t.Errorf("token %q does not start with the BIN", tok)
		}
		_, err := c.CardToken(ctx, "4811111111111115", CardExpMonth, CardExpYear, CardCVV) // fails Luhn
		wantKind(t, err, core.ErrGatewayRejected)
	})

	t.Run("charge", func(t *testing.T) {
		for _, bank := range []string{"bca", "bni", "bri", "cimb", "permata"} {
			t.Run("bank_transfer "+bank, func(t *testing.T) {
				tx, err := charge(t, core.PayBankTransfer, bank)
				pending(t, tx, err)
				detail(t, tx, "va_number", "bank", "expiry_time")
				if tx.Details["bank"] != bank {
					t.Errorf("bank %v", tx.Details["bank"])
				}
			})
		}
		t.Run("echannel", func(t *testing.T) {
			tx, err := charge(t, core.PayEchannel, "")
			pending(t, tx, err)
			detail(t, tx, "bill_key", "biller_code")
		})
		t.Run("gopay", func(t *testing.T) {
			tx, err := charge(t, core.PayGopay, "", func(r *core.ChargeRequest) { r.CallbackURL = "https://merchant.example/cb" })
			pending(t, tx, err)
			detail(t, tx, "actions", "deeplink_url", "qr_code_url")
		})
		t.Run("shopeepay", func(t *testing.T) {
			tx, err := charge(t, core.PayShopeepay, "", func(r *core.ChargeRequest) { r.CallbackURL = "https://merchant.example/cb" })
			pending(t, tx, err)
			detail(t, tx, "actions", "deeplink_url")
		})
		t.Run("qris", func(t *testing.T) {
			tx, err := charge(t, core.PayQRIS, "")
			pending(t, tx, err)
			detail(t, tx, "actions", "qr_code_url")
		})
		for _, store := range []string{"alfamart", "indomaret"} {
			t.Run("cstore "+store, func(t *testing.T) {
				tx, err := charge(t, core.PayCStore, store)
				pending(t, tx, err)
				detail(t, tx, "payment_code", "store")
			})
		}
		t.Run("credit_card accept with save", func(t *testing.T) {
			tx, err := charge(t, core.PayCreditCard, "", func(r *core.ChargeRequest) { r.CardToken, r.SaveCard = cardToken(t, CardAccept), true })
			if err != nil {
				t.Fatal(err)
			}
			if tx.TransactionStatus != "capture" || tx.FraudStatus != "accept" || tx.StatusCode != "200" || tx.SavedTokenID == "" || tx.MaskedCard == "" {
				t.Fatalf("got %+v", tx)
			}
		})
		t.Run("credit_card 3DS", func(t *testing.T) {
			tx, err := charge(t, core.PayCreditCard, "", func(r *core.ChargeRequest) { r.CardToken, r.Authentication = cardToken(t, CardAccept), true })
			pending(t, tx, err)
			detail(t, tx, "redirect_url")
		})
		for _, card := range []string{CardBankDeny, CardFDSDeny} {
			t.Run("credit_card declined "+card[:4], func(t *testing.T) {
				tx, err := charge(t, core.PayCreditCard, "", func(r *core.ChargeRequest) { r.CardToken = cardToken(t, card) })
				wantKind(t, err, core.ErrPaymentDeclined)
				if tx.TransactionStatus != "deny" {
					t.Errorf("declined charge should still report deny, got %+v", tx)
				}
			})
		}
		t.Run("used card token", func(t *testing.T) {
			tok := cardToken(t, CardAccept)
			if _, err := charge(t, core.PayCreditCard, "", func(r *core.ChargeRequest) { r.CardToken = tok }); err != nil {
				t.Fatal(err)
			}
			_, err := charge(t, core.PayCreditCard, "", func(r *core.ChargeRequest) { r.CardToken = tok })
			wantKind(t, err, core.ErrPaymentDeclined) // 411
		})
		t.Run("duplicate order id", func(t *testing.T) {
			id := run.order()
			set := func(r *core.ChargeRequest) { r.OrderID = id }
			if _, err := charge(t, core.PayBankTransfer, "bni", set); err != nil {
				t.Fatal(err)
			}
			_, err := charge(t, core.PayBankTransfer, "bni", set)
			wantKind(t, err, core.ErrDuplicateOrder)
		})
		t.Run("idempotency key replays", func(t *testing.T) {
			key := run.order()
			same := func(r *core.ChargeRequest) { r.OrderID, r.IdempotencyKey = key, "idem-"+key }
			a, err := charge(t, core.PayBankTransfer, "bca", same)
			if err != nil {
				t.Fatal(err)
			}
			b, err := charge(t, core.PayBankTransfer, "bca", same)
			if err != nil {
				t.Fatalf("replay with the same key: %v", err)
			}
			if a.TransactionID != b.TransactionID {
				t.Fatalf("replay created a second transaction: %s vs %s", a.TransactionID, b.TransactionID)
			}
		})
		t.Run("invalid request", func(t *testing.T) {
			_, err := charge(t, core.PayCreditCard, "", func(r *core.ChargeRequest) { r.CardToken = "not-a-token" })
			if !errors.Is(err, core.ErrPaymentDeclined) && !errors.Is(err, core.ErrGatewayRejected) {
				t.Fatalf("err = %v", err)
			}
		})
	})

	t.Run("status", func(t *testing.T) {
		tx, err := charge(t, core.PayBankTransfer, "bri")
		pending(t, tx, err)
		st, err := c.Status(ctx, tx.OrderID)
		if err != nil {
			t.Fatal(err)
		}
		if st.TransactionID != tx.TransactionID || st.TransactionStatus != "pending" || st.Details["va_number"] != tx.Details["va_number"] {
			t.Fatalf("status %+v vs charge %+v", st, tx)
		}
		if sig, _ := st.Raw["signature_key"].(string); sig != "" && !c.VerifySignature(st.OrderID, st.StatusCode, st.GrossAmount.String(), sig) {
			t.Error("status signature_key does not verify")
		}
		byID, err := c.Status(ctx, tx.TransactionID)
		if err != nil || byID.OrderID != tx.OrderID {
			t.Fatalf("status by transaction id: %+v %v", byID, err)
		}
		_, err = c.Status(ctx, "no-such-order-"+run.order())
		wantKind(t, err, core.ErrGatewayNotFound)
	})

	t.Run("cancel", func(t *testing.T) {
		tx, err := charge(t, core.PayBankTransfer, "bca")
		pending(t, tx, err)
		got, err := c.Cancel(ctx, tx.OrderID)
		if err != nil || got.TransactionStatus != "cancel" {
			t.Fatalf("%+v %v", got, err)
		}
		_, err = c.Cancel(ctx, tx.OrderID) // twice: final, not retryable
		if err != nil && core.Retryable(err) {
			t.Fatalf("second cancel: %v", err)
		}
	})

	t.Run("expire", func(t *testing.T) {
		tx, err := charge(t, core.PayGopay, "")
		pending(t, tx, err)
		got, err := c.Expire(ctx, tx.OrderID)
		if err != nil || got.TransactionStatus != "expire" {
			t.Fatalf("%+v %v", got, err)
		}
		st, err := c.Status(ctx, tx.OrderID) // 407 from status is an answer, not an error
		if err != nil || st.TransactionStatus != "expire" {
			t.Fatalf("status after expire: %+v %v", st, err)
		}
		_, err = c.Expire(ctx, tx.OrderID)
		wantKind(t, err, core.ErrGatewayRejected) // 412
	})

	t.Run("challenge approve and deny", func(t *testing.T) {
		for _, act := range []string{"approve", "deny"} {
			t.Run(act, func(t *testing.T) {
				tx, err := charge(t, core.PayCreditCard, "", func(r *core.ChargeRequest) { r.CardToken = cardToken(t, CardChallenge) })
				if err != nil {
					t.Fatal(err)
				}
				if tx.TransactionStatus != "capture" || tx.FraudStatus != "challenge" {
					t.Skipf("card %s was not challenged here (unconfirmed in today's sandbox): %+v", CardChallenge, tx)
				}
				var got core.Transaction
				if act == "approve" {
					got, err = c.Approve(ctx, tx.OrderID)
				} else {
					got, err = c.Deny(ctx, tx.OrderID)
				}
				if err != nil {
					t.Fatal(err)
				}
				want := map[string][2]string{"approve": {"capture", "accept"}, "deny": {"deny", "deny"}}[act]
				if got.TransactionStatus != want[0] || got.FraudStatus != want[1] {
					t.Fatalf("%s: %+v", act, got)
				}
			})
		}
		t.Run("approve without challenge", func(t *testing.T) {
			tx, err := charge(t, core.PayQRIS, "")
			pending(t, tx, err)
			_, err = c.Approve(ctx, tx.OrderID)
			wantKind(t, err, core.ErrGatewayRejected)
		})
	})

	t.Run("refund", func(t *testing.T) {
		tx, err := charge(t, core.PayGopay, "")
		pending(t, tx, err)
		need(t, drive.Act(ctx, tx.OrderID, "settle"))
		st, err := c.Status(ctx, tx.OrderID)
		if err != nil || st.TransactionStatus != "settlement" {
			t.Fatalf("after settle: %+v %v", st, err)
		}
		key := "rf-" + run.order()
		res, err := c.Refund(ctx, tx.OrderID, core.RefundRequest{RefundKey: key, Amount: core.MustMoney("9000"), Reason: "prorated downgrade", IdempotencyKey: "idem-" + key})
		if err != nil {
			t.Fatal(err)
		}
		if res.TransactionStatus != "partial_refund" || !res.RefundAmount.Equal(core.MustMoney("9000")) || res.RefundChargebackID == 0 || res.RefundKey != key {
			t.Fatalf("partial refund %+v", res)
		}
		_, err = c.Refund(ctx, tx.OrderID, core.RefundRequest{Amount: core.MustMoney("0.50")})
		wantKind(t, err, core.ErrGatewayRejected)
		res, err = c.Refund(ctx, tx.OrderID, core.RefundRequest{RefundKey: key + "-d", Amount: core.MustMoney("40000"), Direct: true})
		if err != nil {
			t.Fatal(err)
		}
		// Whether refund_amount is this refund or the running total is not
		// documented; accept either.
		if res.TransactionStatus != "refund" || (!res.RefundAmount.Equal(amount) && !res.RefundAmount.Equal(core.MustMoney("40000"))) {
			t.Fatalf("direct refund %+v", res)
		}
		unpaid, err := charge(t, core.PayQRIS, "")
		pending(t, unpaid, err)
		_, err = c.Refund(ctx, unpaid.OrderID, core.RefundRequest{})
		wantKind(t, err, core.ErrGatewayRejected) // 412: not settled
	})

	t.Run("subscription", func(t *testing.T) {
		first, err := charge(t, core.PayCreditCard, "", func(r *core.ChargeRequest) { r.CardToken, r.SaveCard = cardToken(t, CardAccept), true })
		if err != nil || first.SavedTokenID == "" {
			t.Fatalf("one-click charge for a saved token: %+v %v", first, err)
		}
		name := "SUB-" + run.short()
		sub, err := c.CreateSubscription(ctx, core.NativeSubscriptionRequest{
			Name: name, Amount: amount, PaymentType: core.PayCreditCard, Token: first.SavedTokenID,
			Interval: 1, IntervalUnit: core.Month, MaxInterval: 12, StartTime: time.Now().Add(24 * time.Hour),
			RetryInterval: 1, RetryUnit: "hour", RetryMax: 2,
			Customer: core.CustomerDetails{FirstName: "Budi", Email: "budi@example.test"},
			Metadata: map[string]any{"subscription": "42"}, IdempotencyKey: "idem-" + name,
		})
		if err != nil {
			t.Fatal(err)
		}
		if sub.ID == "" || sub.Status != "active" || !sub.Amount.Equal(amount) || sub.IntervalUnit != "month" || sub.Interval != 1 {
			t.Fatalf("created %+v", sub)
		}
		got, err := c.GetSubscription(ctx, sub.ID)
		if err != nil || got.ID != sub.ID || got.Name != name || got.Token != first.SavedTokenID || got.NextExecutionAt.IsZero() {
			t.Fatalf("get %+v %v", got, err)
		}
		newAmt, newIv := core.MustMoney("59000"), 2
		if err := c.UpdateSubscription(ctx, sub.ID, core.NativeSubscriptionUpdate{Amount: &newAmt, Interval: &newIv}); err != nil {
			t.Fatal(err)
		}
		if got, err = c.GetSubscription(ctx, sub.ID); err != nil || !got.Amount.Equal(newAmt) || got.Interval != 2 {
			t.Fatalf("after update %+v %v", got, err)
		}
		step := func(name string, f func(context.Context, string) error, want string) {
			if err := f(ctx, sub.ID); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got, err := c.GetSubscription(ctx, sub.ID); err != nil || got.Status != want {
				t.Fatalf("after %s: %+v %v", name, got, err)
			}
		}
		step("disable", c.DisableSubscription, "inactive")
		step("enable", c.EnableSubscription, "active")
		step("cancel", c.CancelSubscription, "inactive")
		_, err = c.GetSubscription(ctx, "00000000-0000-0000-0000-000000000000")
		wantKind(t, err, core.ErrGatewayNotFound)
		_, err = c.CreateSubscription(ctx, core.NativeSubscriptionRequest{Name: name + "-bad", Amount: amount, PaymentType: core.PayCreditCard, Token: "no-such-token", Interval: 1, IntervalUnit: core.Month})
		if err != nil && core.Retryable(err) {
			t.Fatalf("bad token: %v", err)
		}
	})

	t.Run("subscription charges on schedule", func(t *testing.T) {
		first, err := charge(t, core.PayCreditCard, "", func(r *core.ChargeRequest) { r.CardToken, r.SaveCard = cardToken(t, CardAccept), true })
		if err != nil || first.SavedTokenID == "" {
			t.Fatalf("one-click charge for a saved token: %+v %v", first, err)
		}
		// No start_time: the first charge is one interval after creation.
		sub, err := c.CreateSubscription(ctx, core.NativeSubscriptionRequest{Name: "D-" + run.short(), Amount: amount,
			PaymentType: core.PayCreditCard, Token: first.SavedTokenID, Interval: 1, IntervalUnit: core.Day})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = c.CancelSubscription(ctx, sub.ID) }()
		need(t, drive.AdvanceClock(ctx, 25*time.Hour))
		got, err := c.GetSubscription(ctx, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.CurrentInterval < 1 || len(got.TransactionIDs) < 1 || got.PreviousExecutionAt.IsZero() || !got.NextExecutionAt.After(got.PreviousExecutionAt) {
			t.Fatalf("after one interval: %+v", got)
		}
		tx, err := c.Status(ctx, got.TransactionIDs[0])
		if err != nil || tx.TransactionStatus != "capture" && tx.TransactionStatus != "settlement" || !tx.GrossAmount.Equal(amount) {
			t.Fatalf("the subscription's charge: %+v %v", tx, err)
		}
	})

	t.Run("pay account", func(t *testing.T) {
		acct, err := c.CreatePayAccount(ctx, core.PayAccountRequest{PhoneNumber: "8215023424", CountryCode: "62", RedirectURL: "https://merchant.example/linked"})
		if err != nil {
			t.Fatal(err)
		}
		if acct.AccountID == "" || acct.Status != "PENDING" || acct.ActivationURL == "" {
			t.Fatalf("create %+v", acct)
		}
		got, err := c.GetPayAccount(ctx, acct.AccountID)
		if err != nil || got.Status != "PENDING" {
			t.Fatalf("get pending %+v %v", got, err)
		}
		_, err = c.UnbindPayAccount(ctx, acct.AccountID) // 412 while PENDING
		wantKind(t, err, core.ErrGatewayRejected)
		need(t, drive.LinkPayAccount(ctx, acct.AccountID))
		got, err = c.GetPayAccount(ctx, acct.AccountID)
		if err != nil || got.Status != "ENABLED" || len(got.PaymentOptions) == 0 || got.PaymentOptions[0].Token == "" {
			t.Fatalf("get enabled %+v %v", got, err)
		}
		token := got.PaymentOptions[0].Token
		tx, err := charge(t, core.PayGopay, "", func(r *core.ChargeRequest) {
			r.GopayPaymentOptionToken = token
			r.GopayAccountID = acct.AccountID
			r.IdempotencyKey = "idem-" + r.OrderID
		})
		if err != nil {
			t.Fatal(err)
		}
		if tx.TransactionStatus != "settlement" && tx.TransactionStatus != "pending" {
			t.Fatalf("tokenized gopay charge %+v", tx)
		}
		sub, err := c.CreateSubscription(ctx, core.NativeSubscriptionRequest{Name: "GP-" + run.short(), Amount: amount, PaymentType: core.PayGopay,
			Token: token, GopayAccountID: acct.AccountID, Interval: 1, IntervalUnit: core.Month})
		if err != nil || sub.GopayAccountID != acct.AccountID {
			t.Fatalf("gopay subscription %+v %v", sub, err)
		}
		_ = c.CancelSubscription(ctx, sub.ID)
		un, err := c.UnbindPayAccount(ctx, acct.AccountID)
		if err != nil || un.Status != "DISABLED" {
			t.Fatalf("unbind %+v %v", un, err)
		}
		_, err = c.GetPayAccount(ctx, "no-such-account-"+run.short())
		if !errors.Is(err, core.ErrGatewayNotFound) && !errors.Is(err, core.ErrGatewayRejected) {
			t.Fatalf("unknown account: %v", err)
		}
	})
}

func wantKind(t *testing.T, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("want %v, got %v", kind, err)
	}
	if core.Retryable(err) != errors.Is(kind, core.ErrGatewayUnavailable) {
		t.Fatalf("Retryable(%v) wrong", err)
	}
}

// runIDs makes order ids unique per suite run, so the real sandbox (which
// keeps every order forever) sees fresh ones each time.
type runIDs struct {
	prefix string
	n      int
}

func newRun() *runIDs {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return &runIDs{prefix: "ct-" + time.Now().UTC().Format("0102150405") + "-" + hex.EncodeToString(b[:])}
}

func (r *runIDs) order() string {
	r.n++
	return r.prefix + "-" + strconv.Itoa(r.n)
}

func (r *runIDs) short() string {
	r.n++
	return r.prefix[len(r.prefix)-8:] + strconv.Itoa(r.n)
}
