package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
	"github.com/shopspring/decimal"
)

// testOrgs covers organizations (round trip, the member index), coupons
// (round trip, case-insensitive unique codes) and webhook endpoints.
func testOrgs(t *testing.T, open func(t *testing.T) core.Store) {
	t.Run("OrganizationRoundTripAndMembers", func(t *testing.T) {
		s := open(t)
		owner, m1, m2 := newID(), newID(), newID()
		o := core.Organization{ID: newID(), Name: "Acme", OwnerID: owner,
			Members:   []core.Member{{UserID: owner, Role: core.RoleOwner, JoinedAt: at(0)}, {UserID: m1, Role: core.RoleAdmin, JoinedAt: at(time.Hour)}},
			CreatedAt: at(0), UpdatedAt: at(time.Hour)}
		other := core.Organization{ID: newID(), Name: "Other", OwnerID: m1,
			Members: []core.Member{{UserID: m1, Role: core.RoleOwner, JoinedAt: at(0)}}, CreatedAt: at(0), UpdatedAt: at(0)}
		update(t, s, func(tx core.Tx) error {
			if err := tx.Organizations().Put(o); err != nil {
				return err
			}
			return tx.Organizations().Put(other)
		})
		orgIDs := func(user string) map[string]bool {
			out := map[string]bool{}
			view(t, s, func(tx core.Tx) error {
				list, err := tx.Organizations().ListByMember(user)
				for _, x := range list {
					out[x.ID] = true
				}
				return err
			})
			return out
		}
		view(t, s, func(tx core.Tx) error {
			got, err := tx.Organizations().Get(o.ID)
			if err != nil {
				return err
			}
			same(t, "organization", got, o)
			if _, err := tx.Organizations().Get(newID()); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("missing organization: %v", err)
			}
			return nil
		})
		if got := orgIDs(m1); len(got) != 2 || !got[o.ID] || !got[other.ID] {
			t.Fatalf("m1's organizations: %v", got)
		}
		// Add m2, remove m1: the index follows.
		o.Members = []core.Member{o.Members[0], {UserID: m2, Role: core.RoleMember, JoinedAt: at(2 * time.Hour)}}
		update(t, s, func(tx core.Tx) error { return tx.Organizations().Put(o) })
		if got := orgIDs(m1); len(got) != 1 || !got[other.ID] {
			t.Fatalf("m1 after removal: %v", got)
		}
		if got := orgIDs(m2); len(got) != 1 || !got[o.ID] {
			t.Fatalf("m2 after adding: %v", got)
		}
		if got := orgIDs(newID()); len(got) != 0 {
			t.Fatalf("stranger: %v", got)
		}
	})
	t.Run("CouponCodes", func(t *testing.T) {
		s := open(t)
		pct := core.Coupon{ID: newID(), Code: "WELCOME10", PercentOff: decimal.RequireFromString("12.5"),
			Duration: core.CouponRepeating, DurationInCycles: 3, MaxRedemptions: 10, Redemptions: 2,
			RedeemBy: at(720 * time.Hour), AppliesToPlans: []string{newID()}, Active: true, Deleted: true,
			CreatedAt: at(0), UpdatedAt: at(time.Hour)}
		amt := core.Coupon{ID: newID(), Code: "FLAT", AmountOff: rp("20000"), Duration: core.CouponForever,
			Active: true, CreatedAt: at(0), UpdatedAt: at(0)}
		update(t, s, func(tx core.Tx) error {
			if err := tx.Coupons().Put(pct); err != nil {
				return err
			}
			return tx.Coupons().Put(amt)
		})
		view(t, s, func(tx core.Tx) error {
			got, err := tx.Coupons().Get(pct.ID)
			if err != nil {
				return err
			}
			same(t, "percent coupon", got, pct)
			got, err = tx.Coupons().GetByCode("welcome10")
			if err != nil {
				return err
			}
			same(t, "coupon by lower-case code", got, pct)
			got, err = tx.Coupons().GetByCode("Flat")
			if err != nil {
				return err
			}
			same(t, "amount coupon", got, amt)
			if _, err := tx.Coupons().GetByCode("NOPE"); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("missing code: %v", err)
			}
			list, err := tx.Coupons().List()
			if len(list) != 2 {
				t.Errorf("list has %d coupons", len(list))
			}
			return err
		})
		dup := amt
		dup.ID, dup.Code = newID(), "welcome10"
		if err := s.Update(ctx, func(tx core.Tx) error { return tx.Coupons().Put(dup) }); !errors.Is(err, core.ErrConflict) {
			t.Fatalf("duplicate code, other case: %v", err)
		}
		// Replacing a coupon under its own code is no conflict.
		pct.Redemptions = 3
		update(t, s, func(tx core.Tx) error { return tx.Coupons().Put(pct) })
	})
	t.Run("WebhookEndpoints", func(t *testing.T) {
		s := open(t)
		ep := core.WebhookEndpoint{ID: newID(), URL: "https://merchant.example/hooks", Events: []string{core.EvPaymentSucceeded},
			Secret: "whsec", Active: true, Description: "main", FailingSince: at(time.Hour), DisabledAt: at(2 * time.Hour),
			CreatedAt: at(0), UpdatedAt: at(time.Minute)}
		update(t, s, func(tx core.Tx) error { return tx.WebhookEndpoints().Put(ep) })
		view(t, s, func(tx core.Tx) error {
			got, err := tx.WebhookEndpoints().Get(ep.ID)
			if err != nil {
				return err
			}
			same(t, "endpoint", got, ep)
			list, err := tx.WebhookEndpoints().List()
			if len(list) != 1 {
				t.Errorf("list has %d endpoints", len(list))
			}
			return err
		})
		update(t, s, func(tx core.Tx) error { return tx.WebhookEndpoints().Delete(ep.ID) })
		view(t, s, func(tx core.Tx) error {
			if _, err := tx.WebhookEndpoints().Get(ep.ID); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("deleted endpoint: %v", err)
			}
			return nil
		})
	})
}
