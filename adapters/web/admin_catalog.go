package web

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

// Plans and coupons: list, create, change, archive or delete, through the
// catalog's use cases (the API's). A form the service refuses is shown
// again with what was typed and why.

// ---- plans

type plansView struct {
	adminBase
	Rows  []planRow
	Form  planForm
	Units []option
	Error string
}

type planRow struct {
	ID, Slug, Name, Price, Every, Status, StatusLabel string
	Trial, SortOrder                                  int
	PerSeat, TaxIncluded                              bool
}

// planForm is a plan as its form shows and sends it.
type planForm struct {
	Name, Slug, Description, Price, Interval, Unit, Trial, MaxCycles, SortOrder, Features, Status string
	PerSeat, TaxIncluded                                                                          bool
}

type planView struct {
	adminBase
	Plan     planRow
	Form     planForm
	Units    []option
	Statuses []option
	Error    string
}

func (p *Pages) planUnits(rq *request, sel string) []option {
	var out []option
	for _, u := range []core.IntervalUnit{core.Day, core.Week, core.Month, core.Year} {
		out = append(out, option{Value: string(u), Label: rq.t["adm_unit_"+string(u)], Selected: sel == string(u)})
	}
	return out
}

func (p *Pages) planRow(rq *request, pl core.Plan) planRow {
	return planRow{ID: pl.ID, Slug: pl.Slug, Name: pl.Name, Price: p.money(rq, pl.Price),
		Every: strconv.Itoa(pl.Interval) + " " + rq.t["adm_unit_"+string(pl.IntervalUnit)], Status: string(pl.Status),
		StatusLabel: rq.t["adm_plan_"+string(pl.Status)], Trial: pl.TrialPeriodDays, SortOrder: pl.SortOrder,
		PerSeat: pl.PerSeat, TaxIncluded: pl.PriceIncludesTax}
}

func (p *Pages) adminPlans(c *fiber.Ctx, rq *request) error {
	return p.renderPlans(c, rq, fiber.StatusOK, planForm{Interval: "1", Unit: string(core.Month), Trial: "0", MaxCycles: "0", SortOrder: "0"}, "")
}

func (p *Pages) renderPlans(c *fiber.Ctx, rq *request, status int, form planForm, msg string) error {
	plans, _, err := p.svc.ListPlans(c.UserContext(), admin(rq), core.PlanFilter{})
	if err != nil {
		return err
	}
	v := plansView{adminBase: adminBase{Nav: "plans"}, Form: form, Units: p.planUnits(rq, form.Unit), Error: msg}
	for _, pl := range plans {
		v.Rows = append(v.Rows, p.planRow(rq, pl))
	}
	return p.render(c, rq, status, "admin/plans", v)
}

// readPlanForm reads the plan form into the catalog's input; a field that
// does not read is reported the way the service reports its own.
func readPlanForm(c *fiber.Ctx, editing bool) (planForm, core.PlanInput, error) {
	f := planForm{Name: c.FormValue("name"), Slug: c.FormValue("slug"), Description: c.FormValue("description"),
		Price: c.FormValue("price"), Interval: c.FormValue("interval"), Unit: c.FormValue("interval_unit"),
		Trial: c.FormValue("trial_period_days"), MaxCycles: c.FormValue("max_cycles"), SortOrder: c.FormValue("sort_order"),
		Features: c.FormValue("features"), Status: c.FormValue("status"),
		PerSeat: c.FormValue("per_seat") == "on", TaxIncluded: c.FormValue("price_includes_tax") == "on"}
	in := core.PlanInput{Name: &f.Name, Description: &f.Description, Price: &f.Price, IntervalUnit: &f.Unit,
		PerSeat: &f.PerSeat, PriceIncludesTax: &f.TaxIncluded}
	if f.Slug != "" || editing {
		in.Slug = &f.Slug
	}
	if editing && f.Status != "" {
		in.Status = &f.Status
	}
	fields := map[string]string{}
	for _, n := range []struct {
		name, value string
		dst         **int
	}{{"interval", f.Interval, &in.Interval}, {"trial_period_days", f.Trial, &in.TrialPeriodDays},
		{"max_cycles", f.MaxCycles, &in.MaxCycles}, {"sort_order", f.SortOrder, &in.SortOrder}} {
		if strings.TrimSpace(n.value) == "" {
			continue
		}
		v, err := strconv.Atoi(strings.TrimSpace(n.value))
		if err != nil {
			fields[n.name] = "a whole number"
			continue
		}
		*n.dst = &v
	}
	if strings.TrimSpace(f.Features) != "" || editing {
		in.FeaturesSet, in.Features = true, map[string]any{}
		if strings.TrimSpace(f.Features) != "" {
			if err := json.Unmarshal([]byte(f.Features), &in.Features); err != nil || in.Features == nil {
				fields["features"] = `a JSON object, such as {"max_users": 5}`
			}
		}
	}
	if len(fields) > 0 {
		return f, in, &core.Error{Kind: core.ErrInvalid, Message: "invalid input", Fields: fields}
	}
	return f, in, nil
}

func (p *Pages) adminCreatePlan(c *fiber.Ctx, rq *request) error {
	form, in, err := readPlanForm(c, false)
	if err == nil {
		_, err = p.svc.CreatePlan(c.UserContext(), admin(rq), in)
	}
	if status, msg, ok := formError(err); ok {
		return p.renderPlans(c, rq, status, form, msg)
	}
	if err != nil {
		return err
	}
	return done(c, "/admin/plans", "adm_plan_created")
}

func planFormOf(pl core.Plan) planForm {
	f := planForm{Name: pl.Name, Slug: pl.Slug, Description: pl.Description, Price: pl.Price.String(),
		Interval: strconv.Itoa(pl.Interval), Unit: string(pl.IntervalUnit), Trial: strconv.Itoa(pl.TrialPeriodDays),
		MaxCycles: strconv.Itoa(pl.MaxCycles), SortOrder: strconv.Itoa(pl.SortOrder), Status: string(pl.Status),
		PerSeat: pl.PerSeat, TaxIncluded: pl.PriceIncludesTax}
	if len(pl.Features) > 0 {
		if b, err := json.Marshal(pl.Features); err == nil {
			f.Features = string(b)
		}
	}
	return f
}

func (p *Pages) adminPlan(c *fiber.Ctx, rq *request) error {
	pl, err := p.svc.GetPlan(c.UserContext(), admin(rq), c.Params("slug"))
	if err != nil {
		return err
	}
	return p.renderPlan(c, rq, fiber.StatusOK, pl, planFormOf(pl), "")
}

func (p *Pages) renderPlan(c *fiber.Ctx, rq *request, status int, pl core.Plan, form planForm, msg string) error {
	v := planView{adminBase: adminBase{Nav: "plans"}, Plan: p.planRow(rq, pl), Form: form, Units: p.planUnits(rq, form.Unit), Error: msg}
	for _, st := range []core.PlanStatus{core.PlanActive, core.PlanInactive} {
		v.Statuses = append(v.Statuses, option{Value: string(st), Label: rq.t["adm_plan_"+string(st)], Selected: form.Status == string(st)})
	}
	return p.render(c, rq, status, "admin/plan", v)
}

func (p *Pages) adminUpdatePlan(c *fiber.Ctx, rq *request) error {
	ctx, a := c.UserContext(), admin(rq)
	pl, err := p.svc.GetPlan(ctx, a, c.Params("slug"))
	if err != nil {
		return err
	}
	form, in, err := readPlanForm(c, true)
	if form.Status == string(core.PlanArchived) {
		in.Status = nil // archiving is its own action
	}
	var saved core.Plan
	if err == nil {
		saved, err = p.svc.UpdatePlan(ctx, a, pl.Slug, in)
	}
	if status, msg, ok := formError(err); ok {
		return p.renderPlan(c, rq, status, pl, form, msg)
	}
	if err != nil {
		return err
	}
	return done(c, "/admin/plans/"+saved.Slug, "adm_saved")
}

func (p *Pages) adminArchivePlan(c *fiber.Ctx, rq *request) error {
	if _, err := p.svc.ArchivePlan(c.UserContext(), admin(rq), c.Params("slug")); err != nil {
		return err
	}
	return done(c, "/admin/plans", "adm_plan_archived")
}

// ---- coupons

type couponsView struct {
	adminBase
	Rows      []couponRow
	Form      couponForm
	Durations []option
	Plans     []option
	Error     string
}

type couponRow struct {
	ID, Code, Discount, Duration, Redemptions, RedeemBy, Plans, Status string
	Active, Deleted                                                    bool
}

type couponForm struct {
	Code, PercentOff, AmountOff, Duration, Cycles, MaxRedemptions, RedeemBy string
	Plans                                                                   []string
	Active                                                                  bool
}

type couponView struct {
	adminBase
	Coupon couponRow
	Form   couponForm
	Plans  []option
	Error  string
}

func (p *Pages) couponRow(rq *request, cp core.Coupon, planNames map[string]string) couponRow {
	r := couponRow{ID: cp.ID, Code: cp.Code, Active: cp.Active, Deleted: cp.Deleted, RedeemBy: p.dateSet(rq, cp.RedeemBy)}
	if cp.AmountOff.Valid() {
		r.Discount = p.money(rq, cp.AmountOff)
	} else {
		r.Discount = cp.PercentOff.String() + "%"
	}
	r.Duration = rq.t["adm_dur_"+string(cp.Duration)]
	if cp.Duration == core.CouponRepeating {
		r.Duration += " (" + strconv.Itoa(cp.DurationInCycles) + ")"
	}
	r.Redemptions = strconv.Itoa(cp.Redemptions)
	if cp.MaxRedemptions > 0 {
		r.Redemptions += " / " + strconv.Itoa(cp.MaxRedemptions)
	}
	var names []string
	for _, id := range cp.AppliesToPlans {
		if n := planNames[id]; n != "" {
			names = append(names, n)
		} else {
			names = append(names, id)
		}
	}
	r.Plans = strings.Join(names, ", ")
	if r.Plans == "" {
		r.Plans = rq.t["adm_all_plans"]
	}
	switch {
	case cp.Deleted:
		r.Status = rq.t["adm_coupon_deleted"]
	case cp.Active:
		r.Status = rq.t["adm_coupon_active"]
	default:
		r.Status = rq.t["adm_coupon_inactive"]
	}
	return r
}

// planChoices are the plans a coupon may be limited to, by slug.
func (p *Pages) planChoices(c *fiber.Ctx, rq *request, selected []string) ([]option, map[string]string, error) {
	plans, _, err := p.svc.ListPlans(c.UserContext(), admin(rq), core.PlanFilter{})
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	var out []option
	for _, pl := range plans {
		names[pl.ID] = pl.Name
		out = append(out, option{Value: pl.Slug, Label: pl.Name, Selected: slices.Contains(selected, pl.Slug) || slices.Contains(selected, pl.ID)})
	}
	return out, names, nil
}

func (p *Pages) adminCoupons(c *fiber.Ctx, rq *request) error {
	return p.renderCoupons(c, rq, fiber.StatusOK, couponForm{Duration: string(core.CouponOnce)}, "")
}

func (p *Pages) renderCoupons(c *fiber.Ctx, rq *request, status int, form couponForm, msg string) error {
	list, err := p.svc.ListCoupons(c.UserContext(), admin(rq), true)
	if err != nil {
		return err
	}
	plans, names, err := p.planChoices(c, rq, form.Plans)
	if err != nil {
		return err
	}
	v := couponsView{adminBase: adminBase{Nav: "coupons"}, Form: form, Plans: plans, Error: msg}
	for _, d := range []core.CouponDuration{core.CouponOnce, core.CouponRepeating, core.CouponForever} {
		v.Durations = append(v.Durations, option{Value: string(d), Label: rq.t["adm_dur_"+string(d)], Selected: form.Duration == string(d)})
	}
	for _, cp := range list {
		v.Rows = append(v.Rows, p.couponRow(rq, cp, names))
	}
	return p.render(c, rq, status, "admin/coupons", v)
}

// readRedeemBy reads a date: the coupon may be redeemed until the end of
// that day in the billing zone.
func (p *Pages) readRedeemBy(s string, in *core.CouponInput, fields map[string]string) {
	if strings.TrimSpace(s) == "" {
		return
	}
	d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), p.loc)
	if err != nil {
		fields["redeem_by"] = "a date such as 2026-12-31"
		return
	}
	end := d.AddDate(0, 0, 1).Add(-time.Second)
	in.RedeemBy = &end
}

// readInt reads an optional whole number field into dst.
func readInt(fields map[string]string, name, value string, dst **int) {
	if strings.TrimSpace(value) == "" {
		return
	}
	n, err := strconv.Atoi(strings.TrimSpace(value))
	if err != nil {
		fields[name] = "a whole number"
		return
	}
	*dst = &n
}

func (p *Pages) adminCreateCoupon(c *fiber.Ctx, rq *request) error {
	args := c.Request().PostArgs()
	f := couponForm{Code: c.FormValue("code"), PercentOff: strings.TrimSpace(c.FormValue("percent_off")),
		AmountOff: strings.TrimSpace(c.FormValue("amount_off")), Duration: c.FormValue("duration"), Cycles: c.FormValue("duration_in_cycles"),
		MaxRedemptions: c.FormValue("max_redemptions"), RedeemBy: c.FormValue("redeem_by")}
	for _, v := range args.PeekMulti("applies_to_plans") {
		f.Plans = append(f.Plans, string(v))
	}
	in := core.CouponInput{Code: &f.Code, Duration: &f.Duration, AppliesToPlans: f.Plans, AppliesToSet: len(f.Plans) > 0}
	if f.PercentOff != "" {
		in.PercentOff = &f.PercentOff
	}
	if f.AmountOff != "" {
		in.AmountOff = &f.AmountOff
	}
	fields := map[string]string{}
	readInt(fields, "duration_in_cycles", f.Cycles, &in.DurationInCycles)
	readInt(fields, "max_redemptions", f.MaxRedemptions, &in.MaxRedemptions)
	p.readRedeemBy(f.RedeemBy, &in, fields)
	var err error
	if len(fields) > 0 {
		err = &core.Error{Kind: core.ErrInvalid, Message: "invalid input", Fields: fields}
	} else {
		_, err = p.svc.CreateCoupon(c.UserContext(), admin(rq), in)
	}
	if status, msg, ok := formError(err); ok {
		return p.renderCoupons(c, rq, status, f, msg)
	}
	if err != nil {
		return err
	}
	return done(c, "/admin/coupons", "adm_coupon_created")
}

func (p *Pages) adminCoupon(c *fiber.Ctx, rq *request) error {
	cp, err := p.svc.GetCoupon(c.UserContext(), admin(rq), c.Params("id"))
	if err != nil {
		return err
	}
	f := couponForm{MaxRedemptions: strconv.Itoa(cp.MaxRedemptions), Active: cp.Active}
	if !cp.RedeemBy.IsZero() {
		f.RedeemBy = cp.RedeemBy.In(p.loc).Format(time.DateOnly)
	}
	f.Plans = cp.AppliesToPlans
	return p.renderCoupon(c, rq, fiber.StatusOK, cp, f, "")
}

func (p *Pages) renderCoupon(c *fiber.Ctx, rq *request, status int, cp core.Coupon, f couponForm, msg string) error {
	plans, names, err := p.planChoices(c, rq, f.Plans)
	if err != nil {
		return err
	}
	v := couponView{adminBase: adminBase{Nav: "coupons"}, Coupon: p.couponRow(rq, cp, names), Form: f, Plans: plans, Error: msg}
	return p.render(c, rq, status, "admin/coupon", v)
}

// adminUpdateCoupon changes what stays changeable once a coupon is out:
// whether it is active, its redemption limit and date, and its plans (its
// discount and duration are fixed once redeemed; the API says the same).
func (p *Pages) adminUpdateCoupon(c *fiber.Ctx, rq *request) error {
	ctx, a := c.UserContext(), admin(rq)
	cp, err := p.svc.GetCoupon(ctx, a, c.Params("id"))
	if err != nil {
		return err
	}
	f := couponForm{MaxRedemptions: c.FormValue("max_redemptions"), RedeemBy: c.FormValue("redeem_by"), Active: c.FormValue("active") == "on"}
	for _, v := range c.Request().PostArgs().PeekMulti("applies_to_plans") {
		f.Plans = append(f.Plans, string(v))
	}
	in := core.CouponInput{Active: &f.Active, AppliesToPlans: f.Plans, AppliesToSet: true, RedeemBySet: true}
	fields := map[string]string{}
	zero := 0
	in.MaxRedemptions = &zero
	readInt(fields, "max_redemptions", f.MaxRedemptions, &in.MaxRedemptions)
	p.readRedeemBy(f.RedeemBy, &in, fields)
	if len(fields) > 0 {
		err = &core.Error{Kind: core.ErrInvalid, Message: "invalid input", Fields: fields}
	} else {
		_, err = p.svc.UpdateCoupon(ctx, a, cp.ID, in)
	}
	if status, msg, ok := formError(err); ok {
		return p.renderCoupon(c, rq, status, cp, f, msg)
	}
	if err != nil {
		return err
	}
	return done(c, "/admin/coupons/"+cp.ID, "adm_saved")
}

func (p *Pages) adminDeleteCoupon(c *fiber.Ctx, rq *request) error {
	if _, err := p.svc.DeleteCoupon(c.UserContext(), admin(rq), c.Params("id")); err != nil {
		return err
	}
	return done(c, "/admin/coupons", "adm_coupon_deleted")
}
