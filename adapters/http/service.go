package http

import (
	"context"
	"time"

	"github.com/langganan/langganan/core"
)

// The HTTP layer declares what it needs from core here, on the consumer
// side; *core.Service satisfies Service. Later areas (subscriptions,
// payments, invoices, wallet, notifications) add their own small interface
// and embed it in Service.

// PlanService is the plan catalog.
type PlanService interface {
	CreatePlan(ctx context.Context, a core.Actor, in core.PlanInput) (core.Plan, error)
	UpdatePlan(ctx context.Context, a core.Actor, slug string, in core.PlanInput) (core.Plan, error)
	ArchivePlan(ctx context.Context, a core.Actor, slug string) (core.Plan, error)
	GetPlan(ctx context.Context, a core.Actor, idOrSlug string) (core.Plan, error)
	ListPlans(ctx context.Context, a core.Actor, f core.PlanFilter) ([]core.Plan, int, error)
}

// AccountService is users, credentials and tokens.
type AccountService interface {
	CreateUser(ctx context.Context, a core.Actor, in core.NewUserInput) (core.User, error)
	Authenticate(ctx context.Context, username, password string) (core.User, error)
	AuthenticateToken(ctx context.Context, secret string) (core.User, error)
	CreateToken(ctx context.Context, a core.Actor, name string) (core.Token, string, error)
	DeleteToken(ctx context.Context, a core.Actor, id string) error
	ListTokens(ctx context.Context, a core.Actor) ([]core.Token, error)
	ChangePassword(ctx context.Context, a core.Actor, current, next string) error
	GetUser(ctx context.Context, id string) (core.User, error)
}

// BillingService runs due jobs.
type BillingService interface {
	RunDue(ctx context.Context) (core.RunSummary, error)
	// StaleAlert is the number of stale open payments found by the last
	// run when above the alert threshold, else 0.
	StaleAlert() int
}

// Service is everything the handlers call.
type Service interface {
	PlanService
	AccountService
	BillingService
	LifecycleService
	OrgService
	NotificationService
	ConsoleService
	PortalService
}

// nextDuer is optional: a service that can tell when its next job falls due
// lets clock advance step straight to it instead of in fixed steps.
type nextDuer interface {
	NextDue(ctx context.Context) (t time.Time, ok bool, err error)
}
