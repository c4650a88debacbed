package bolt

import (
	"strings"

	"github.com/langganan/langganan/adapters/internal/records"

	"github.com/langganan/langganan/core"
)

// ---- organizations

// Membership is a multi-valued index (one key per member), which the
// table's one-key-per-index model cannot express, so orgRepo keeps
// idx_org_member itself, in the same transaction as the record.
var organizations = &table[core.Organization]{
	kind: "organization", bucket: bOrgs, encode: records.OrgToRecord, decode: records.OrgFromRecord,
	id: func(o core.Organization) string { return o.ID },
}

type orgRepo struct{ t *tx }

func (r orgRepo) Get(id string) (core.Organization, error) { return organizations.get(r.t, id) }

func (r orgRepo) Put(o core.Organization) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	pk := organizations.pk(o.ID)
	old, had, err := organizations.load(r.t, pk)
	if err != nil {
		return err
	}
	if err := organizations.put(r.t, &o); err != nil {
		return err
	}
	idx := r.t.b(bOrgMember)
	if had {
		for _, m := range old.Members {
			if err := idx.Delete(cat(idKey(m.UserID), pk)); err != nil {
				return err
			}
		}
	}
	for _, m := range o.Members {
		if err := idx.Put(cat(idKey(m.UserID), pk), pk); err != nil {
			return err
		}
	}
	return nil
}

func (r orgRepo) ListByMember(userID string) ([]core.Organization, error) {
	return organizations.list(r.t, bOrgMember, idKey(userID), func(o *core.Organization) bool {
		for _, m := range o.Members {
			if m.UserID == userID {
				return true
			}
		}
		return false
	})
}

// ---- coupons

var coupons = &table[core.Coupon]{
	kind: "coupon", bucket: bCoupons, encode: records.CouponToRecord, decode: records.CouponFromRecord,
	id: func(c core.Coupon) string { return c.ID },
	indexes: []index[core.Coupon]{
		{name: "code", bucket: bCouponCode, unique: true, key: func(c *core.Coupon, _ []byte) []byte {
			return nonEmpty(c.Code, func() []byte { return hashKey(strings.ToUpper(c.Code)) })
		}},
	},
}

type couponRepo struct{ t *tx }

func (r couponRepo) Get(id string) (core.Coupon, error) { return coupons.get(r.t, id) }
func (r couponRepo) Put(c core.Coupon) error            { return coupons.put(r.t, &c) }

func (r couponRepo) GetByCode(code string) (core.Coupon, error) {
	up := strings.ToUpper(code)
	return coupons.getUnique(r.t, bCouponCode, hashKey(up), "with code "+code,
		func(c core.Coupon) bool { return strings.ToUpper(c.Code) == up })
}

func (r couponRepo) List() ([]core.Coupon, error) {
	var out []core.Coupon
	err := coupons.all(r.t, nil, func(c core.Coupon) bool { out = append(out, c); return true })
	return out, err
}

// ---- webhook endpoints

var endpoints = &table[core.WebhookEndpoint]{
	kind: "webhook endpoint", bucket: bEndpoints, encode: records.EndpointToRecord, decode: records.EndpointFromRecord,
	id: func(e core.WebhookEndpoint) string { return e.ID },
}

type endpointRepo struct{ t *tx }

func (r endpointRepo) Get(id string) (core.WebhookEndpoint, error) { return endpoints.get(r.t, id) }
func (r endpointRepo) Put(e core.WebhookEndpoint) error            { return endpoints.put(r.t, &e) }
func (r endpointRepo) Delete(id string) error                      { return endpoints.del(r.t, id) }

func (r endpointRepo) List() ([]core.WebhookEndpoint, error) {
	var out []core.WebhookEndpoint
	err := endpoints.all(r.t, nil, func(e core.WebhookEndpoint) bool { out = append(out, e); return true })
	return out, err
}

// ---- daily figures

// Figures are keyed by their day as text ("2006-01-02"), which sorts as
// the days do, so a range of days is a range of keys.
var figures = &table[core.DailyFigures]{
	kind: "daily figures", bucket: bFigures, encode: records.FiguresToRecord, decode: records.FiguresFromRecord,
	id:   func(f core.DailyFigures) string { return f.Day },
	pkOf: func(day string) []byte { return []byte(day) },
}

type figureRepo struct{ t *tx }

func (r figureRepo) Get(day string) (core.DailyFigures, error) { return figures.get(r.t, day) }

func (r figureRepo) Put(f core.DailyFigures) error {
	if err := f.Valid(); err != nil {
		return err
	}
	return figures.put(r.t, &f)
}

func (r figureRepo) List(from, to string) ([]core.DailyFigures, error) {
	var out []core.DailyFigures
	err := figures.all(r.t, []byte(from), func(f core.DailyFigures) bool {
		if f.Day > to {
			return false
		}
		out = append(out, f)
		return true
	})
	return out, err
}
