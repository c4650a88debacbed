package bolt

import (
	"strings"
	"time"

	"github.com/langganan/langganan/core"
	"github.com/shopspring/decimal"
)

// ---- organizations

// Membership is a multi-valued index (one key per member), which the
// table's one-key-per-index model cannot express, so orgRepo keeps
// idx_org_member itself, in the same transaction as the record.
var organizations = &table[core.Organization]{
	kind: "organization", bucket: bOrgs, encode: orgToRecord, decode: orgFromRecord,
	id: func(o *core.Organization) string { return o.ID },
}

type memberRec struct {
	UserID   string    `json:"user_id"`
	Role     core.Role `json:"role"`
	JoinedAt time.Time `json:"joined_at,omitzero"`
}

type orgRec struct {
	V         int         `json:"v"`
	ID        string      `json:",omitzero"`
	Name      string      `json:",omitzero"`
	OwnerID   string      `json:",omitzero"`
	Members   []memberRec `json:",omitzero"`
	CreatedAt time.Time   `json:",omitzero"`
	UpdatedAt time.Time   `json:",omitzero"`
}

func orgToRecord(o *core.Organization) any {
	r := &orgRec{V: recordV, ID: o.ID, Name: o.Name, OwnerID: o.OwnerID, CreatedAt: utc(o.CreatedAt), UpdatedAt: utc(o.UpdatedAt)}
	for _, m := range o.Members {
		r.Members = append(r.Members, memberRec{UserID: m.UserID, Role: m.Role, JoinedAt: utc(m.JoinedAt)})
	}
	return r
}

func orgFromRecord(b []byte) (core.Organization, error) {
	r, err := decodeRec(b, func(r *orgRec) int { return r.V })
	o := core.Organization{ID: r.ID, Name: r.Name, OwnerID: r.OwnerID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	for _, m := range r.Members {
		o.Members = append(o.Members, core.Member{UserID: m.UserID, Role: m.Role, JoinedAt: m.JoinedAt})
	}
	return o, err
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
	kind: "coupon", bucket: bCoupons, encode: couponToRecord, decode: couponFromRecord,
	id: func(c *core.Coupon) string { return c.ID },
	indexes: []index[core.Coupon]{
		{name: "code", bucket: bCouponCode, unique: true, key: func(c *core.Coupon, _ []byte) []byte {
			return nonEmpty(c.Code, func() []byte { return hashKey(strings.ToUpper(c.Code)) })
		}},
	},
}

type couponRec struct {
	V                int                 `json:"v"`
	ID               string              `json:",omitzero"`
	Code             string              `json:",omitzero"`
	PercentOff       string              `json:",omitzero"`
	AmountOff        money               `json:",omitzero"`
	Duration         core.CouponDuration `json:",omitzero"`
	DurationInCycles int                 `json:",omitzero"`
	MaxRedemptions   int                 `json:",omitzero"`
	Redemptions      int                 `json:",omitzero"`
	RedeemBy         time.Time           `json:",omitzero"`
	AppliesToPlans   []string            `json:",omitzero"`
	Active           bool                `json:",omitzero"`
	Deleted          bool                `json:",omitzero"`
	CreatedAt        time.Time           `json:",omitzero"`
	UpdatedAt        time.Time           `json:",omitzero"`
}

func couponToRecord(c *core.Coupon) any {
	r := &couponRec{V: recordV, ID: c.ID, Code: c.Code, AmountOff: money(c.AmountOff), Duration: c.Duration,
		DurationInCycles: c.DurationInCycles, MaxRedemptions: c.MaxRedemptions, Redemptions: c.Redemptions,
		RedeemBy: utc(c.RedeemBy), AppliesToPlans: c.AppliesToPlans, Active: c.Active, Deleted: c.Deleted,
		CreatedAt: utc(c.CreatedAt), UpdatedAt: utc(c.UpdatedAt)}
	if !c.PercentOff.IsZero() {
		r.PercentOff = c.PercentOff.String()
	}
	return r
}

func couponFromRecord(b []byte) (core.Coupon, error) {
	r, err := decodeRec(b, func(r *couponRec) int { return r.V })
	c := core.Coupon{ID: r.ID, Code: r.Code, AmountOff: core.Money(r.AmountOff), Duration: r.Duration,
		DurationInCycles: r.DurationInCycles, MaxRedemptions: r.MaxRedemptions, Redemptions: r.Redemptions,
		RedeemBy: r.RedeemBy, AppliesToPlans: r.AppliesToPlans, Active: r.Active, Deleted: r.Deleted,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.PercentOff != "" && err == nil {
		c.PercentOff, err = decimal.NewFromString(r.PercentOff)
	}
	return c, err
}

type couponRepo struct{ t *tx }

func (r couponRepo) Get(id string) (core.Coupon, error) { return coupons.get(r.t, id) }
func (r couponRepo) Put(c core.Coupon) error            { return coupons.put(r.t, &c) }

func (r couponRepo) GetByCode(code string) (core.Coupon, error) {
	up := strings.ToUpper(code)
	return coupons.getUnique(r.t, bCouponCode, hashKey(up), "with code "+code,
		func(c *core.Coupon) bool { return strings.ToUpper(c.Code) == up })
}

func (r couponRepo) List() ([]core.Coupon, error) {
	var out []core.Coupon
	err := coupons.all(r.t, nil, func(c core.Coupon) bool { out = append(out, c); return true })
	return out, err
}

// ---- webhook endpoints

var endpoints = &table[core.WebhookEndpoint]{
	kind: "webhook endpoint", bucket: bEndpoints, encode: endpointToRecord, decode: endpointFromRecord,
	id: func(e *core.WebhookEndpoint) string { return e.ID },
}

type endpointRec struct {
	V            int       `json:"v"`
	ID           string    `json:",omitzero"`
	URL          string    `json:",omitzero"`
	Events       []string  `json:",omitzero"`
	Secret       string    `json:",omitzero"`
	Active       bool      `json:",omitzero"`
	Description  string    `json:",omitzero"`
	FailingSince time.Time `json:",omitzero"`
	DisabledAt   time.Time `json:",omitzero"`
	CreatedAt    time.Time `json:",omitzero"`
	UpdatedAt    time.Time `json:",omitzero"`
}

func endpointToRecord(e *core.WebhookEndpoint) any {
	return &endpointRec{V: recordV, ID: e.ID, URL: e.URL, Events: e.Events, Secret: e.Secret, Active: e.Active,
		Description: e.Description, FailingSince: utc(e.FailingSince), DisabledAt: utc(e.DisabledAt),
		CreatedAt: utc(e.CreatedAt), UpdatedAt: utc(e.UpdatedAt)}
}

func endpointFromRecord(b []byte) (core.WebhookEndpoint, error) {
	r, err := decodeRec(b, func(r *endpointRec) int { return r.V })
	return core.WebhookEndpoint{ID: r.ID, URL: r.URL, Events: r.Events, Secret: r.Secret, Active: r.Active,
		Description: r.Description, FailingSince: r.FailingSince, DisabledAt: r.DisabledAt,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}, err
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
