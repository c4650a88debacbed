package bolt

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/langganan/langganan/adapters/internal/records"
	"github.com/langganan/langganan/core"
)

// exportBatch records go to the target per transaction: big enough to
// amortize commits, small enough that one failing batch is cheap to redo.
const exportBatch = 500

// Export copies every record of the store into dst through core's store
// ports (dst is meant to be empty: a move to PostgreSQL), reading one
// consistent snapshot, and answers how many records of each kind it wrote,
// named as the PostgreSQL tables are. Undelivered outbox events are
// appended in order (dst numbers them afresh); counters are brought to the
// same values, so invoice numbers go on where they stood.
func (s *Store) Export(ctx context.Context, dst core.Store) (map[string]int, error) {
	counts := map[string]int{}
	err := s.View(ctx, func(ct core.Tx) error {
		t := ct.(*tx)
		steps := []func() error{
			func() error {
				return exportTable(ctx, t, plans, dst, counts, "plans", core.Tx.Plans, core.PlanRepo.Put)
			},
			func() error {
				return exportTable(ctx, t, users, dst, counts, "users", core.Tx.Users, core.UserRepo.Put)
			},
			func() error {
				return exportTable(ctx, t, tokens, dst, counts, "tokens", core.Tx.Tokens, core.TokenRepo.Put)
			},
			func() error {
				return exportTable(ctx, t, subscriptions, dst, counts, "subscriptions", core.Tx.Subscriptions, core.SubscriptionRepo.Put)
			},
			func() error {
				return exportTable(ctx, t, payments, dst, counts, "payments", core.Tx.Payments, core.PaymentRepo.Put)
			},
			func() error {
				return exportTable(ctx, t, invoices, dst, counts, "invoices", core.Tx.Invoices, core.InvoiceRepo.Put)
			},
			func() error {
				return exportTable(ctx, t, creditNotes, dst, counts, "credit_notes", core.Tx.CreditNotes, core.CreditNoteRepo.Put)
			},
			func() error {
				return exportTable(ctx, t, webhookLogs, dst, counts, "webhook_logs", core.Tx.WebhookLogs, core.WebhookLogRepo.Put)
			},
			func() error {
				return exportTable(ctx, t, wallets, dst, counts, "wallets", core.Tx.Wallets, core.WalletRepo.Put)
			},
			func() error {
				return exportTable(ctx, t, topUps, dst, counts, "topups", core.Tx.TopUps, core.TopUpRepo.Put)
			},
			func() error {
				return exportTable(ctx, t, paymentMethods, dst, counts, "payment_methods", core.Tx.PaymentMethods, core.PaymentMethodRepo.Put)
			},
			func() error {
				return exportTable(ctx, t, notifications, dst, counts, "notifications", core.Tx.Notifications, core.NotificationRepo.Put)
			},
			func() error {
				return exportTable(ctx, t, idempotency, dst, counts, "idempotency", core.Tx.Idempotency, core.IdempotencyRepo.Put)
			},
			func() error {
				return exportTable(ctx, t, organizations, dst, counts, "organizations", core.Tx.Organizations, core.OrganizationRepo.Put)
			},
			func() error {
				return exportTable(ctx, t, coupons, dst, counts, "coupons", core.Tx.Coupons, core.CouponRepo.Put)
			},
			func() error {
				return exportTable(ctx, t, endpoints, dst, counts, "webhook_endpoints", core.Tx.WebhookEndpoints, core.WebhookEndpointRepo.Put)
			},
			func() error {
				return exportTable(ctx, t, figures, dst, counts, "daily_figures", core.Tx.Figures, core.FigureRepo.Put)
			},
			func() error {
				return exportTable(ctx, t, sessions, dst, counts, "web_sessions", core.Tx.Sessions, core.SessionRepo.Put)
			},
			func() error {
				return exportTable(ctx, t, portalLinks, dst, counts, "portal_links", core.Tx.PortalLinks, core.PortalLinkRepo.Put)
			},
			func() error { return exportRest(ctx, t, dst, counts) },
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
	return counts, err
}

// exportTable writes every record of tb to dst, a batch per transaction.
func exportTable[T any, R any](ctx context.Context, t *tx, tb *table[T], dst core.Store, counts map[string]int, kind string,
	repo func(core.Tx) R, put func(R, T) error) error {
	var batch []T
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := dst.Update(ctx, func(d core.Tx) error {
			r := repo(d)
			for _, v := range batch {
				if err := put(r, v); err != nil {
					return fmt.Errorf("%s %s: %w", tb.kind, tb.id(v), err)
				}
			}
			return nil
		})
		counts[kind] += len(batch)
		batch = batch[:0]
		return err
	}
	var ferr error
	if err := tb.all(t, nil, func(v T) bool {
		batch = append(batch, v)
		if len(batch) >= exportBatch {
			ferr = flush()
		}
		return ferr == nil
	}); err != nil {
		return err
	}
	if ferr != nil {
		return ferr
	}
	if err := flush(); err != nil {
		return err
	}
	if _, ok := counts[kind]; !ok {
		counts[kind] = 0
	}
	return nil
}

// exportRest writes what is not a table of records: wallet ledgers, the
// applied set of notification keys, undelivered events and the meta
// counters and times.
func exportRest(ctx context.Context, t *tx, dst core.Store, counts map[string]int) error {
	var ops []func(core.Tx) error
	add := func(kind string, op func(core.Tx) error) error {
		ops = append(ops, op)
		counts[kind]++
		if len(ops) < exportBatch {
			return nil
		}
		return flushOps(ctx, dst, &ops)
	}
	for _, kind := range []string{"wallet_entries", "webhook_applied", "outbox", "meta_times"} {
		counts[kind] += 0
	}
	if err := iterate(t.b(bWalletEntries), nil, nil, false, func(k, v []byte) (bool, error) {
		e, err := records.EntryFromRecord(v)
		if err != nil {
			return false, fmt.Errorf("bolt: decode wallet entry %x: %w", k, err)
		}
		return true, add("wallet_entries", func(d core.Tx) error { return d.Wallets().AppendEntry(e) })
	}); err != nil {
		return err
	}
	if err := iterate(t.b(bHookApplied), nil, nil, false, func(_, v []byte) (bool, error) {
		key := string(v)
		return true, add("webhook_applied", func(d core.Tx) error { _, err := d.WebhookLogs().MarkApplied(key, ""); return err })
	}); err != nil {
		return err
	}
	if err := (outboxRepo{t}).Scan(func(e core.Event) bool {
		err := add("outbox", func(d core.Tx) error { _, err := d.Outbox().Append(e); return err })
		return err == nil
	}); err != nil {
		return err
	}
	if err := flushOps(ctx, dst, &ops); err != nil {
		return err
	}
	// Counters last: the outbox appends above moved dst's own event counter.
	return iterate(t.b(bMeta), nil, nil, false, func(k, v []byte) (bool, error) {
		switch name := string(k); {
		case strings.HasPrefix(name, metaSeqPrefix):
			name = strings.TrimPrefix(name, metaSeqPrefix)
			if name == outboxCounter || len(v) != 8 {
				return true, nil
			}
			want := binary.BigEndian.Uint64(v)
			if want == 0 {
				return true, nil
			}
			return true, dst.Update(ctx, func(d core.Tx) error {
				for {
					n, err := d.Meta().NextSequence(name)
					if err != nil || n >= want {
						return err
					}
				}
			})
		case strings.HasPrefix(name, metaTimePrefix):
			var at time.Time
			if err := at.UnmarshalText(v); err != nil {
				return false, fmt.Errorf("bolt: meta time %q: %w", name, err)
			}
			counts["meta_times"]++
			name = strings.TrimPrefix(name, metaTimePrefix)
			return true, dst.Update(ctx, func(d core.Tx) error { return d.Meta().PutTime(name, at) })
		}
		return true, nil
	})
}

func flushOps(ctx context.Context, dst core.Store, ops *[]func(core.Tx) error) error {
	if len(*ops) == 0 {
		return nil
	}
	err := dst.Update(ctx, func(d core.Tx) error {
		for _, op := range *ops {
			if err := op(d); err != nil {
				return err
			}
		}
		return nil
	})
	*ops = (*ops)[:0]
	return err
}
