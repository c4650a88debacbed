package core_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

// memStore is a tiny map-backed core.Store holding plans, users and tokens:
// enough for the plan and account use-cases until adapters/bolt's memory
// store can serve these tests. fn works on copies committed only on success.
type memStore struct {
	mu     sync.Mutex
	plans  map[string]core.Plan
	users  map[string]core.User
	tokens map[string]core.Token
}

func newMemStore() *memStore {
	return &memStore{plans: map[string]core.Plan{}, users: map[string]core.User{}, tokens: map[string]core.Token{}}
}

func (m *memStore) Update(_ context.Context, fn func(core.Tx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	tx := &memTx{plans: maps.Clone(m.plans), users: maps.Clone(m.users), tokens: maps.Clone(m.tokens)}
	if err := fn(tx); err != nil {
		return err
	}
	m.plans, m.users, m.tokens = tx.plans, tx.users, tx.tokens
	return nil
}

func (m *memStore) View(_ context.Context, fn func(core.Tx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return fn(&memTx{plans: maps.Clone(m.plans), users: maps.Clone(m.users), tokens: maps.Clone(m.tokens)})
}

type memTx struct {
	core.Tx // unused repositories panic
	plans   map[string]core.Plan
	users   map[string]core.User
	tokens  map[string]core.Token
}

func (t *memTx) Plans() core.PlanRepo   { return memPlans{t} }
func (t *memTx) Users() core.UserRepo   { return memUsers{t} }
func (t *memTx) Tokens() core.TokenRepo { return memTokens{t} }

// Sessions holds none: these tests open no browser sessions, but a
// password reset revokes a user's sessions along with the tokens.
func (t *memTx) Sessions() core.SessionRepo { return noSessions{} }

type noSessions struct{ core.SessionRepo }

func (noSessions) ListByUser(string) ([]core.Session, error) { return nil, nil }

type memPlans struct{ t *memTx }

func (r memPlans) Get(id string) (core.Plan, error) {
	if p, ok := r.t.plans[id]; ok {
		return p, nil
	}
	return core.Plan{}, core.ErrNotFound
}

func (r memPlans) GetBySlug(slug string) (core.Plan, error) {
	for _, p := range r.t.plans {
		if p.Slug == slug {
			return p, nil
		}
	}
	return core.Plan{}, core.ErrNotFound
}

func (r memPlans) Put(p core.Plan) error {
	if o, err := r.GetBySlug(p.Slug); err == nil && o.ID != p.ID {
		return fmt.Errorf("slug: %w", core.ErrConflict)
	}
	r.t.plans[p.ID] = p
	return nil
}

func (r memPlans) List() ([]core.Plan, error) {
	out := make([]core.Plan, 0, len(r.t.plans))
	for _, p := range r.t.plans {
		out = append(out, p)
	}
	return out, nil
}

type memUsers struct{ t *memTx }

func (r memUsers) Get(id string) (core.User, error) {
	if u, ok := r.t.users[id]; ok {
		return u, nil
	}
	return core.User{}, core.ErrNotFound
}

func (r memUsers) GetByUsername(name string) (core.User, error) {
	for _, u := range r.t.users {
		if core.NormalizeUsername(u.Username) == core.NormalizeUsername(name) {
			return u, nil
		}
	}
	return core.User{}, core.ErrNotFound
}

func (r memUsers) Put(u core.User) error {
	if o, err := r.GetByUsername(u.Username); err == nil && o.ID != u.ID {
		return core.ErrConflict
	}
	r.t.users[u.ID] = u
	return nil
}

func (r memUsers) Count() (int, error) { return len(r.t.users), nil }

func (r memUsers) ListAdmins() ([]core.User, error) {
	var out []core.User
	for _, u := range r.t.users {
		if u.IsAdmin {
			out = append(out, u)
		}
	}
	return out, nil
}

type memTokens struct{ t *memTx }

func (r memTokens) Get(id string) (core.Token, error) {
	if t, ok := r.t.tokens[id]; ok {
		return t, nil
	}
	return core.Token{}, core.ErrNotFound
}

func (r memTokens) GetByHash(h string) (core.Token, error) {
	for _, t := range r.t.tokens {
		if t.Hash == h {
			return t, nil
		}
	}
	return core.Token{}, core.ErrNotFound
}

func (r memTokens) Put(t core.Token) error { r.t.tokens[t.ID] = t; return nil }
func (r memTokens) Delete(id string) error { delete(r.t.tokens, id); return nil }
func (r memTokens) ListByUser(userID string) ([]core.Token, error) {
	var out []core.Token
	for _, t := range r.t.tokens {
		if t.UserID == userID {
			out = append(out, t)
		}
	}
	return out, nil
}

// plainHasher stands in for bcrypt: tests check use-case logic, not hashing.
type plainHasher struct{}

func (plainHasher) Hash(pw string) (string, error) { return "h:" + pw, nil }
func (plainHasher) Compare(h, pw string) bool      { return h == "h:"+pw }

// seqIDs mints predictable UUIDs.
type seqIDs struct {
	mu sync.Mutex
	n  int
}

func (s *seqIDs) Secret(n int) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(s.n + i)
	}
	return b, nil
}

func (s *seqIDs) NewID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", s.n)
}

var t0 = time.Date(2026, 1, 31, 3, 0, 0, 0, time.UTC)

func newService(t *testing.T) (*core.Service, *core.ManualClock) {
	t.Helper()
	clk := core.NewManualClock(t0)
	svc, err := core.NewService(core.Deps{Store: newMemStore(), Clock: clk, IDs: &seqIDs{}, Hasher: plainHasher{}}, core.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return svc, clk
}

var (
	admin = core.Actor{UserID: "admin-id", IsAdmin: true}
	user  = core.Actor{UserID: "user-id"}
)

func ptr[T any](v T) *T { return &v }

func planIn(name, price string) core.PlanInput {
	return core.PlanInput{Name: ptr(name), Price: ptr(price), IntervalUnit: ptr("month")}
}

func TestCreatePlan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		actor    core.Actor
		in       core.PlanInput
		wantKind error
		wantSlug string
		field    string
	}{
		{name: "ok", actor: admin, in: planIn("Basic Plan", "49000"), wantSlug: "basic-plan"},
		{name: "explicit slug", actor: admin, in: core.PlanInput{Name: ptr("Pro"), Slug: ptr("pro_1"), Price: ptr("99000.00"), IntervalUnit: ptr("year")}, wantSlug: "pro_1"},
		{name: "non-admin", actor: user, in: planIn("Basic", "49000"), wantKind: core.ErrForbidden},
		{name: "missing price", actor: admin, in: core.PlanInput{Name: ptr("X"), IntervalUnit: ptr("month")}, wantKind: core.ErrInvalid, field: "price"},
		{name: "negative price", actor: admin, in: planIn("X", "-1"), wantKind: core.ErrInvalid, field: "price"},
		{name: "fractional sen", actor: admin, in: planIn("X", "1.005"), wantKind: core.ErrInvalid, field: "price"},
		{name: "sen on rupiah", actor: admin, in: planIn("X", "1.50"), wantKind: core.ErrInvalid, field: "price"},
		{name: "absurd price", actor: admin, in: planIn("X", "1e30"), wantKind: core.ErrInvalid, field: "price"},
		{name: "bad unit", actor: admin, in: core.PlanInput{Name: ptr("X"), Price: ptr("1"), IntervalUnit: ptr("fortnight")}, wantKind: core.ErrInvalid, field: "interval_unit"},
		{name: "bad slug", actor: admin, in: core.PlanInput{Name: ptr("X"), Slug: ptr("Bad Slug"), Price: ptr("1"), IntervalUnit: ptr("day")}, wantKind: core.ErrInvalid, field: "slug"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			svc, _ := newService(t)
			p, err := svc.CreatePlan(context.Background(), tc.actor, tc.in)
			if tc.wantKind != nil {
				if !errors.Is(err, tc.wantKind) {
					t.Fatalf("CreatePlan() error = %v, want %v", err, tc.wantKind)
				}
				var ce *core.Error
				if tc.field != "" && (!errors.As(err, &ce) || ce.Fields[tc.field] == "") {
					t.Errorf("CreatePlan() error = %v, want a message for field %q", err, tc.field)
				}
				return
			}
			if err != nil {
				t.Fatalf("CreatePlan() error = %v", err)
			}
			if p.Slug != tc.wantSlug || p.Status != core.PlanActive || !p.CreatedAt.Equal(t0) || p.ID == "" {
				t.Errorf("CreatePlan() = %+v, want slug %q, active, created %v", p, tc.wantSlug, t0)
			}
			got, err := svc.GetPlan(context.Background(), user, p.Slug)
			if err != nil || got.ID != p.ID {
				t.Errorf("GetPlan(%q) = %v, %v", p.Slug, got.ID, err)
			}
		})
	}
}

func TestPlanSlugConflict(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _ := newService(t)
	if _, err := svc.CreatePlan(ctx, admin, planIn("Basic", "49000")); err != nil {
		t.Fatal(err)
	}
	_, err := svc.CreatePlan(ctx, admin, planIn("Basic", "1000"))
	var ce *core.Error
	if !errors.Is(err, core.ErrConflict) || !errors.As(err, &ce) || ce.Fields["slug"] == "" {
		t.Fatalf("second CreatePlan() error = %v, want a slug conflict", err)
	}
	if _, err := svc.CreatePlan(ctx, admin, planIn("Pro", "99000")); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdatePlan(ctx, admin, "pro", core.PlanInput{Slug: ptr("basic")}); !errors.Is(err, core.ErrConflict) {
		t.Errorf("UpdatePlan(slug → taken) error = %v, want conflict", err)
	}
	if p, err := svc.UpdatePlan(ctx, admin, "pro", core.PlanInput{Slug: ptr("pro")}); err != nil || p.Slug != "pro" {
		t.Errorf("UpdatePlan(same slug) = %v, %v", p.Slug, err)
	}
}

func TestUpdateAndArchivePlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, clk := newService(t)
	p, err := svc.CreatePlan(ctx, admin, planIn("Basic", "49000"))
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	tests := []struct {
		name     string
		actor    core.Actor
		slug     string
		in       core.PlanInput
		wantKind error
		check    func(core.Plan) bool
	}{
		{name: "price", actor: admin, slug: "basic", in: core.PlanInput{Price: ptr("59000.00")}, check: func(p core.Plan) bool { return p.Price.String() == "59000.00" && p.UpdatedAt.Equal(t0.Add(time.Hour)) }},
		{name: "features", actor: admin, slug: "basic", in: core.PlanInput{Features: map[string]any{"max_users": 3.0}, FeaturesSet: true}, check: func(p core.Plan) bool { n, ok := p.MaxUsers(); return ok && n == 3 }},
		{name: "by id", actor: admin, slug: p.ID, in: core.PlanInput{SortOrder: ptr(5)}, check: func(p core.Plan) bool { return p.SortOrder == 5 }},
		{name: "invalid", actor: admin, slug: "basic", in: core.PlanInput{Interval: ptr(0)}, wantKind: core.ErrInvalid},
		{name: "missing", actor: admin, slug: "nope", in: core.PlanInput{}, wantKind: core.ErrNotFound},
		{name: "non-admin", actor: user, slug: "basic", in: core.PlanInput{}, wantKind: core.ErrForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := svc.UpdatePlan(ctx, tc.actor, tc.slug, tc.in)
			if tc.wantKind != nil {
				if !errors.Is(err, tc.wantKind) {
					t.Fatalf("UpdatePlan() error = %v, want %v", err, tc.wantKind)
				}
				return
			}
			if err != nil || !tc.check(got) {
				t.Fatalf("UpdatePlan() = %+v, %v", got, err)
			}
		})
	}
	if _, err := svc.ArchivePlan(ctx, user, "basic"); !errors.Is(err, core.ErrForbidden) {
		t.Errorf("ArchivePlan(non-admin) error = %v, want forbidden", err)
	}
	a, err := svc.ArchivePlan(ctx, admin, "basic")
	if err != nil || a.Status != core.PlanArchived {
		t.Fatalf("ArchivePlan() = %v, %v", a.Status, err)
	}
	if _, err := svc.GetPlan(ctx, user, "basic"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("GetPlan(archived, non-admin) error = %v, want not found", err)
	}
	if got, err := svc.GetPlan(ctx, admin, "basic"); err != nil || got.Status != core.PlanArchived {
		t.Errorf("GetPlan(archived, admin) = %v, %v", got.Status, err)
	}
	if _, err := svc.ArchivePlan(ctx, admin, "basic"); err != nil {
		t.Errorf("ArchivePlan() twice error = %v, want nil", err)
	}
}

func TestListPlans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, clk := newService(t)
	for _, in := range []core.PlanInput{
		{Name: ptr("Basic"), Price: ptr("49000"), IntervalUnit: ptr("month"), SortOrder: ptr(2), Description: ptr("for starters")},
		{Name: ptr("Pro"), Price: ptr("99000"), IntervalUnit: ptr("month"), SortOrder: ptr(1)},
		{Name: ptr("Yearly"), Price: ptr("990000"), IntervalUnit: ptr("year"), SortOrder: ptr(3), Description: ptr("PRO features, yearly")},
		{Name: ptr("Old"), Price: ptr("1000"), IntervalUnit: ptr("day"), Status: ptr("inactive")},
	} {
		if _, err := svc.CreatePlan(ctx, admin, in); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
	}
	tests := []struct {
		name     string
		actor    core.Actor
		f        core.PlanFilter
		want     string // slugs in order
		total    int
		wantKind error
	}{
		{name: "public default order", actor: user, want: "pro,basic,yearly", total: 3},
		{name: "admin sees all", actor: admin, want: "old,pro,basic,yearly", total: 4},
		{name: "admin status filter", actor: admin, f: core.PlanFilter{Status: "inactive"}, want: "old", total: 1},
		{name: "public asks inactive", actor: user, f: core.PlanFilter{Status: "inactive"}, want: "", total: 0},
		{name: "interval unit", actor: user, f: core.PlanFilter{IntervalUnit: "month"}, want: "pro,basic", total: 2},
		{name: "currency", actor: user, f: core.PlanFilter{Currency: "idr"}, want: "pro,basic,yearly", total: 3},
		{name: "search case-insensitive", actor: user, f: core.PlanFilter{Search: "pRo"}, want: "pro,yearly", total: 2},
		{name: "search description", actor: user, f: core.PlanFilter{Search: "starters"}, want: "basic", total: 1},
		{name: "price asc", actor: user, f: core.PlanFilter{Ordering: "price"}, want: "basic,pro,yearly", total: 3},
		{name: "price desc", actor: user, f: core.PlanFilter{Ordering: "-price"}, want: "yearly,pro,basic", total: 3},
		{name: "created desc", actor: user, f: core.PlanFilter{Ordering: "-created_at"}, want: "yearly,pro,basic", total: 3},
		{name: "page", actor: user, f: core.PlanFilter{Ordering: "price", Offset: 1, Limit: 1}, want: "pro", total: 3},
		{name: "past the end", actor: user, f: core.PlanFilter{Offset: 10, Limit: 5}, want: "", total: 3},
		{name: "bad ordering", actor: user, f: core.PlanFilter{Ordering: "name"}, wantKind: core.ErrInvalid},
		{name: "bare minus", actor: user, f: core.PlanFilter{Ordering: "-"}, wantKind: core.ErrInvalid},
		{name: "bad status", actor: user, f: core.PlanFilter{Status: "gone"}, wantKind: core.ErrInvalid},
		{name: "bad unit", actor: user, f: core.PlanFilter{IntervalUnit: "hour"}, wantKind: core.ErrInvalid},
		{name: "bad currency", actor: user, f: core.PlanFilter{Currency: "USD"}, wantKind: core.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, total, err := svc.ListPlans(ctx, tc.actor, tc.f)
			if tc.wantKind != nil {
				if !errors.Is(err, tc.wantKind) {
					t.Fatalf("ListPlans() error = %v, want %v", err, tc.wantKind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			slugs := make([]string, len(got))
			for i, p := range got {
				slugs[i] = p.Slug
			}
			if s := strings.Join(slugs, ","); s != tc.want || total != tc.total {
				t.Errorf("ListPlans() = %q (total %d), want %q (total %d)", s, total, tc.want, tc.total)
			}
		})
	}
}
