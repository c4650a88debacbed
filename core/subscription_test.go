package core

import (
	"errors"
	"testing"
	"time"
)

func TestTransitionTable(t *testing.T) {
	t.Parallel()
	allowed := map[[2]SubscriptionStatus]bool{}
	for _, pair := range [][2]SubscriptionStatus{
		{SubPending, SubActive}, {SubPending, SubTrialing}, {SubPending, SubCancelled}, {SubPending, SubExpired},
		{SubTrialing, SubActive}, {SubTrialing, SubPastDue}, {SubTrialing, SubPaused}, {SubTrialing, SubCancelled}, {SubTrialing, SubExpired},
		{SubActive, SubActive}, {SubActive, SubPastDue}, {SubActive, SubPaused}, {SubActive, SubCancelled}, {SubActive, SubExpired},
		{SubPastDue, SubActive}, {SubPastDue, SubPaused}, {SubPastDue, SubCancelled}, {SubPastDue, SubExpired},
		{SubPaused, SubActive}, {SubPaused, SubTrialing}, {SubPaused, SubPastDue}, {SubPaused, SubCancelled}, {SubPaused, SubExpired},
	} {
		allowed[pair] = true
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, from := range AllSubscriptionStatuses {
		for _, to := range AllSubscriptionStatuses {
			want := allowed[[2]SubscriptionStatus{from, to}]
			sub := Subscription{Status: from}
			err := sub.Transition(to, at)
			if want && err != nil {
				t.Errorf("%s -> %s refused: %v", from, to, err)
			}
			if !want {
				if err == nil || !errors.Is(err, ErrConflict) {
					t.Errorf("%s -> %s = %v, want ErrConflict", from, to, err)
				}
				if sub.Status != from {
					t.Errorf("%s -> %s refused but status changed to %s", from, to, sub.Status)
				}
			}
		}
	}
}

func TestPaymentStatusMonotonic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from, to PaymentStatus
		want     bool
	}{
		{PaymentCreating, PaymentPending, true},
		{PaymentPending, PaymentPaid, true},
		{PaymentPaid, PaymentPending, false},
		{PaymentPaid, PaymentExpired, false},
		{PaymentExpired, PaymentPaid, false},
		{PaymentPending, PaymentExpired, true},
		{PaymentChallenge, PaymentPaid, true},
		{PaymentChallenge, PaymentFailed, true},
		{PaymentPaid, PaymentRefunded, true},
		{PaymentPaid, PaymentPartiallyRefunded, true},
		{PaymentPartiallyRefunded, PaymentRefunded, true},
		{PaymentRefunded, PaymentPaid, false},
		{PaymentPaid, PaymentPaid, false},
	}
	for _, tc := range tests {
		if got := tc.from.CanMove(tc.to); got != tc.want {
			t.Errorf("%s.CanMove(%s) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestMapTransactionStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status, fraud string
		want          PaymentStatus
	}{
		{"settlement", "", PaymentPaid},
		{"SETTLEMENT", "", PaymentPaid},
		{"capture", "accept", PaymentPaid},
		{"capture", "", PaymentPaid},
		{"capture", "challenge", PaymentChallenge},
		{"deny", "", PaymentFailed},
		{"cancel", "", PaymentCancelled},
		{"expire", "", PaymentExpired},
		{"failure", "", PaymentFailed},
		{"refund", "", PaymentRefunded},
		{"partial_refund", "", PaymentPartiallyRefunded},
		{"pending", "", PaymentPending},
	}
	for _, tc := range tests {
		got, ok := MapTransactionStatus(tc.status, tc.fraud)
		if !ok || got != tc.want {
			t.Errorf("MapTransactionStatus(%q, %q) = %s, %v; want %s", tc.status, tc.fraud, got, ok, tc.want)
		}
	}
	if _, ok := MapTransactionStatus("bogus", ""); ok {
		t.Error("unknown status must not map")
	}
}

func TestOrderIDsAreDeterministic(t *testing.T) {
	t.Parallel()
	a := SubscriptionOrderID("5b0c4a1e-9a0e-4c7e-8a55-2f1d1c0b9e01", 3, 1)
	if a != SubscriptionOrderID("5b0c4a1e-9a0e-4c7e-8a55-2f1d1c0b9e01", 3, 1) {
		t.Fatal("same inputs must give the same order id")
	}
	if a == SubscriptionOrderID("5b0c4a1e-9a0e-4c7e-8a55-2f1d1c0b9e01", 3, 2) {
		t.Fatal("another attempt must give another order id")
	}
	if len(a) != len("SUB-")+12 || a[:4] != "SUB-" {
		t.Fatalf("order id %q is not SUB- + 12 hex", a)
	}
	for _, r := range a[4:] {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'F') {
			t.Fatalf("order id %q is not upper-case hex", a)
		}
	}
	if got := TopUpOrderID("x"); len(got) != len("TOPUP-")+12 {
		t.Fatalf("top-up order id %q", got)
	}
}

func TestProrate(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	end := start.Add(30 * 24 * time.Hour)
	tests := []struct {
		name           string
		old, new       string
		at             time.Time
		credit, charge string
		net            string
	}{
		{"half way upgrade", "30000", "60000", start.Add(15 * 24 * time.Hour), "15000", "30000", "15000"},
		{"at start", "30000", "60000", start, "30000", "60000", "30000"},
		{"a third, rounding once", "10000", "20000", start.Add(20 * 24 * time.Hour), "3333", "6666", "3333"},
		{"downgrade", "60000", "30000", start.Add(15 * 24 * time.Hour), "30000", "15000", "-15000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			credit, charge := prorate(MustMoney(tc.old), MustMoney(tc.new), start, end, tc.at)
			if !credit.Equal(MustMoney(tc.credit)) || !charge.Equal(MustMoney(tc.charge)) {
				t.Errorf("prorate = credit %s, charge %s; want %s, %s", credit, charge, tc.credit, tc.charge)
			}
			if net := charge.Sub(credit); !net.Equal(MustMoney(tc.net)) {
				t.Errorf("net = %s, want %s", net, tc.net)
			}
		})
	}
}
