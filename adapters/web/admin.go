package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

// The admin console at /admin/: figures over time, subscriptions, one
// subscriber's history, the dunning queue, stale payments and alerts, the
// Midtrans notification log, outbound webhook deliveries, plans and
// coupons. Every page needs a signed-in administrator (anyone else gets
// 403); every action is a form POST carrying the CSRF token, through the
// core use case the API calls for the same thing.

// AdminService is what the console shows and does.
type AdminService interface {
	MRR(ctx context.Context) (map[string]string, error)
	SubscriptionsByStatus(ctx context.Context) (map[string]int, error)
	StaleAlert() int
	FiguresOverTime(ctx context.Context, a core.Actor, q core.FiguresQuery) ([]core.FigurePoint, error)

	ListSubscriptionsPage(ctx context.Context, a core.Actor, f core.SubscriptionFilter) ([]core.Subscription, int, error)
	OwnerNames(ctx context.Context, a core.Actor, ids []string) (map[string]string, error)
	SubscriberHistory(ctx context.Context, a core.Actor, ownerID string) (core.SubscriberHistory, error)
	DunningQueue(ctx context.Context, a core.Actor, offset, limit int) ([]core.DunningEntry, int, error)
	StalePayments(ctx context.Context, a core.Actor, offset, limit int) ([]core.Payment, int, error)
	ListNotifications(ctx context.Context, a core.Actor, f core.NotificationFilter) ([]core.Notification, int, error)
	MarkNotificationRead(ctx context.Context, a core.Actor, id string) (core.Notification, error)

	ListWebhookLogs(ctx context.Context, a core.Actor, f core.WebhookLogFilter) ([]core.WebhookLog, int, error)
	GetWebhookLog(ctx context.Context, a core.Actor, id string) (core.WebhookLog, error)
	ReapplyNotification(ctx context.Context, a core.Actor, id string) (core.WebhookLog, error)
	ListWebhookEndpoints(ctx context.Context, a core.Actor) ([]core.WebhookEndpoint, error)
	ListWebhookDeliveries(ctx context.Context, a core.Actor, endpointID string, offset, limit int) ([]core.Notification, int, error)
	ResendWebhookDelivery(ctx context.Context, a core.Actor, endpointID, deliveryID string) (core.Notification, error)

	ListPlans(ctx context.Context, a core.Actor, f core.PlanFilter) ([]core.Plan, int, error)
	GetPlan(ctx context.Context, a core.Actor, idOrSlug string) (core.Plan, error)
	GetPlanByID(ctx context.Context, id string) (core.Plan, error)
	CreatePlan(ctx context.Context, a core.Actor, in core.PlanInput) (core.Plan, error)
	UpdatePlan(ctx context.Context, a core.Actor, slug string, in core.PlanInput) (core.Plan, error)
	ArchivePlan(ctx context.Context, a core.Actor, slug string) (core.Plan, error)
	ListCoupons(ctx context.Context, a core.Actor, includeDeleted bool) ([]core.Coupon, error)
	GetCoupon(ctx context.Context, a core.Actor, idOrCode string) (core.Coupon, error)
	CreateCoupon(ctx context.Context, a core.Actor, in core.CouponInput) (core.Coupon, error)
	UpdateCoupon(ctx context.Context, a core.Actor, id string, in core.CouponInput) (core.Coupon, error)
	DeleteCoupon(ctx context.Context, a core.Actor, id string) (core.Coupon, error)
}

var _ AdminService = (*core.Service)(nil)

// The console's templates live in templates/admin/: each page is parsed
// on the site's layout together with admin/_parts.html (the console's
// navigation and shared parts), then served by the site's render.
//
//go:embed templates/admin/*.html
var adminFS embed.FS

var adminPages = mustParseAdmin(templateFS, adminFS)

func mustParseAdmin(site, admin fs.FS) map[string]*template.Template {
	layout := template.Must(template.New("layout.html").ParseFS(site, "templates/layout.html"))
	names, err := fs.Glob(admin, "templates/admin/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/admin/"), ".html")
		if strings.HasPrefix(base, "_") {
			continue
		}
		t := template.Must(template.Must(layout.Clone()).Funcs(adminFuncs).ParseFS(admin, "templates/admin/_parts.html", n))
		out["admin/"+base] = t
	}
	return out
}

// adminFuncs lets a page hand a shared part what it needs: (args "Rows"
// .Data.Rows "T" .T) is a map of those names to those values.
var adminFuncs = template.FuncMap{"args": func(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("args: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("args: name %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}}

// adminPageSize is how many rows a console list shows at once.
const adminPageSize = 25

// mountAdmin registers the console under /admin/.
func (p *Pages) mountAdmin(r fiber.Router) {
	for k, t := range adminPages {
		p.pages[k] = t
	}
	get := func(path string, h handler) { r.Get(path, p.handle(signedIn, adminOnly(h))) }
	post := func(path string, h handler) { r.Post(path, p.handle(signedIn, adminOnly(h))) }
	get("/admin", p.adminDashboard)
	get("/admin/subscriptions", p.adminSubscriptions)
	get("/admin/subscribers/:id", p.adminSubscriber)
	get("/admin/dunning", p.adminDunning)
	get("/admin/payments", p.adminPayments)
	post("/admin/alerts/:id/read", p.adminAlertRead)
	get("/admin/notifications", p.adminNotifications)
	get("/admin/notifications/:id", p.adminNotification)
	post("/admin/notifications/:id/reapply", p.adminReapply)
	get("/admin/webhooks", p.adminWebhooks)
	post("/admin/webhooks/:endpoint/deliveries/:id/resend", p.adminResend)
	get("/admin/plans", p.adminPlans)
	post("/admin/plans", p.adminCreatePlan)
	get("/admin/plans/:slug", p.adminPlan)
	post("/admin/plans/:slug", p.adminUpdatePlan)
	post("/admin/plans/:slug/archive", p.adminArchivePlan)
	get("/admin/coupons", p.adminCoupons)
	post("/admin/coupons", p.adminCreateCoupon)
	get("/admin/coupons/:id", p.adminCoupon)
	post("/admin/coupons/:id", p.adminUpdateCoupon)
	post("/admin/coupons/:id/delete", p.adminDeleteCoupon)
	// Anything else under /admin/ is a console page that does not exist.
	r.All("/admin/*", p.handle(signedIn, adminOnly(func(*fiber.Ctx, *request) error { return errNotFoundPage })))
}

// adminOnly refuses (403) a signed-in user who is not an administrator.
func adminOnly(h handler) handler {
	return func(c *fiber.Ctx, rq *request) error {
		if rq.user == nil || !rq.user.IsAdmin {
			return core.Forbiddenf("the admin console is for administrators")
		}
		return h(c, rq)
	}
}

// admin is the core actor of a console request (adminOnly checked it).
func admin(rq *request) core.Actor { return core.Actor{UserID: rq.user.ID, IsAdmin: true} }

// adminBase is what every console page's view carries: the navigation
// entry marked current.
type adminBase struct{ Nav string }

// text looks a console text up in the request's language.
func (rq *request) text(key string, args ...any) string {
	s := rq.t[key]
	if len(args) > 0 {
		s = fmt.Sprintf(s, args...)
	}
	return s
}

// whenSet and dateSet are the site's when and date for times that may be
// unset: an unset time is shown as nothing.
func (p *Pages) whenSet(rq *request, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return p.when(rq, t)
}

func (p *Pages) dateSet(rq *request, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return p.date(rq, t)
}

// pager is a list's paging: the page shown and links to its neighbours,
// keeping the other query parameters.
type pager struct {
	Page, Pages, Total int
	Prev, Next         string
}

// pageNumber reads ?page= (1 when absent or not a positive number).
func pageNumber(c *fiber.Ctx) int {
	n, err := strconv.Atoi(c.Query("page"))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, 1_000_000)
}

func newPager(c *fiber.Ctx, page, total int) pager {
	pg := pager{Page: page, Total: total, Pages: max(1, (total+adminPageSize-1)/adminPageSize)}
	link := func(n int) string {
		q := url.Values{}
		c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) { q.Add(string(k), string(v)) })
		q.Del("done") // a notice belongs to the page the action led to
		q.Set("page", strconv.Itoa(n))
		return c.Path() + "?" + q.Encode()
	}
	if page > 1 {
		pg.Prev = link(min(page-1, pg.Pages))
	}
	if page < pg.Pages {
		pg.Next = link(page + 1)
	}
	return pg
}

// option is one choice of a select.
type option struct {
	Value, Label string
	Selected     bool
}

// formError is a client's mistake as a form shows it: the status (the
// one mapping's, statusOf), the message and each field's problem; false
// for any other error (which becomes the error page).
func formError(err error) (int, string, bool) {
	var ce *core.Error
	if !errors.As(err, &ce) || ce.Kind != core.ErrInvalid && ce.Kind != core.ErrConflict && ce.Kind != core.ErrUnprocessable {
		return 0, "", false
	}
	msg := ce.Message
	for _, f := range sortedKeys(ce.Fields) {
		msg += " " + f + ": " + ce.Fields[f] + "."
	}
	status, _ := statusOf(err)
	return status, msg, true
}
