package core

import (
	"context"
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

// Read-only figures for operations (metrics gauges computed at scrape
// time). Each runs in one read transaction and changes nothing.

// OutboxDepth is the number of undelivered outbox events and the time the
// oldest of them occurred (zero when the outbox is empty).
func (s *Service) OutboxDepth(ctx context.Context) (n int, oldest time.Time, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		var err error
		if n, err = tx.Outbox().Len(); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		return tx.Outbox().Scan(func(e Event) bool {
			oldest = e.OccurredAt
			return false
		})
	})
	return n, oldest, err
}

// SubscriptionsByStatus counts subscriptions per status; every status is
// present, zero or not, so a gauge drops to 0 instead of vanishing.
func (s *Service) SubscriptionsByStatus(ctx context.Context) (map[string]int, error) {
	out := make(map[string]int, len(AllSubscriptionStatuses))
	for _, st := range AllSubscriptionStatuses {
		out[string(st)] = 0
	}
	err := s.store.View(ctx, func(tx Tx) error {
		m, err := tx.Subscriptions().CountByStatus()
		for st, n := range m {
			out[string(st)] = n
		}
		return err
	})
	return out, err
}

// unitsPerMonth is how many of each interval unit make a month.
var unitsPerMonth = map[IntervalUnit]decimal.Decimal{
	Day:   decimal.NewFromInt(30),
	Week:  decimal.NewFromInt(52).Div(decimal.NewFromInt(12)),
	Month: decimal.NewFromInt(1),
	Year:  decimal.NewFromInt(1).Div(decimal.NewFromInt(12)),
}

// MonthlyAmount normalizes a price charged every interval×unit to one month:
// day ×30, week ×52/12, month ×1, year ÷12, then ÷interval.
func MonthlyAmount(price decimal.Decimal, interval int, unit IntervalUnit) decimal.Decimal {
	f, ok := unitsPerMonth[unit]
	if !ok {
		return decimal.Zero
	}
	if interval < 1 {
		interval = 1
	}
	return price.Mul(f).Div(decimal.NewFromInt(int64(interval)))
}

// MRR is the monthly recurring revenue by currency, by the rule of
// activeMRR, as a decimal string with two places.
func (s *Service) MRR(ctx context.Context) (map[string]string, error) {
	var sums map[Currency]decimal.Decimal
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		sums, err = activeMRR(tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	cur := make([]Currency, 0, len(sums))
	for c := range sums {
		cur = append(cur, c)
	}
	sort.Slice(cur, func(i, j int) bool { return cur[i] < cur[j] })
	for _, c := range cur {
		out[string(c)] = sums[c].StringFixed(moneyPlaces)
	}
	if len(out) == 0 {
		out[string(IDR)] = Zero(IDR).String()
	}
	return out, nil
}

// WalletStats counts wallets and the ledger entries they hold (from each
// wallet's entry counter, without reading the entries).
func (s *Service) WalletStats(ctx context.Context) (wallets, entries int, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		return tx.Wallets().ScanAll(func(w Wallet) bool {
			wallets++
			entries += w.Entries
			return true
		})
	})
	return wallets, entries, err
}
