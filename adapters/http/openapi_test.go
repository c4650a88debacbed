package http

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	nethttp "net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

var paramRE = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// normRoute makes fiber and OpenAPI paths comparable: ":id" → "{id}", no
// trailing slash.
func normRoute(p string) string {
	p = paramRE.ReplaceAllString(p, "{$1}")
	if len(p) > 1 {
		p = strings.TrimRight(p, "/")
	}
	return p
}

// liveAPIRoutes is "METHOD /api/path" for every endpoint registered under
// /api/ right now (HEAD, which fiber adds for each GET, left out).
func liveAPIRoutes(t *testing.T) map[string]bool {
	t.Helper()
	e := newEnv(t, false)
	out := map[string]bool{}
	for _, r := range e.srv.App().GetRoutes(true) {
		if r.Method == fiber_HEAD || !strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		out[r.Method+" "+normRoute(r.Path)] = true
	}
	return out
}

const fiber_HEAD = "HEAD"

func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI())
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	return doc
}

func documentedRoutes(doc *openapi3.T) map[string]bool {
	out := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			out[strings.ToUpper(method)+" "+normRoute(path)] = true
		}
	}
	return out
}

// TestOpenAPICoversRoutes reads the live route table: every /api/ route is
// documented and every documented operation exists.
func TestOpenAPICoversRoutes(t *testing.T) {
	live := liveAPIRoutes(t)
	if f := os.Getenv("LANGGANAN_DUMP_ROUTES"); f != "" {
		keys := make([]string, 0, len(live))
		for k := range live {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		_ = os.WriteFile(f, []byte(strings.Join(keys, "\n")+"\n"), 0o644)
	}
	docd := documentedRoutes(loadOpenAPI(t))
	var missing, stale []string
	for r := range live {
		if !docd[r] {
			missing = append(missing, r)
		}
	}
	for r := range docd {
		if !live[r] {
			stale = append(stale, r)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 {
		t.Errorf("routes missing from adapters/http/openapi.json:\n  %s", strings.Join(missing, "\n  "))
	}
	if len(stale) > 0 {
		t.Errorf("documented operations with no route:\n  %s", strings.Join(stale, "\n  "))
	}
}

func TestOpenAPIDocument(t *testing.T) {
	doc := loadOpenAPI(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableSchemaFormatValidation()); err != nil {
		t.Errorf("document invalid: %v", err)
	}
	for _, name := range []string{"basicAuth", "bearerAuth"} {
		if doc.Components.SecuritySchemes[name] == nil {
			t.Errorf("security scheme %s missing", name)
		}
	}
	errSchema := doc.Components.Schemas["Error"]
	if errSchema == nil || errSchema.Value.Properties["error"] == nil {
		t.Fatal("Error schema missing or without the error object")
	}
	inner := errSchema.Value.Properties["error"].Value
	for _, f := range []string{"code", "message", "fields"} {
		if inner.Properties[f] == nil {
			t.Errorf("Error.error lacks %s", f)
		}
	}
}

// validated runs one request through the app and validates the request and
// the response against the document.
func validated(t *testing.T, e *env, doc *openapi3.T, method, docPath string, params map[string]string, c call) (int, []byte) {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req := httptest.NewRequest(c.method, c.path, body)
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	item := doc.Paths.Value(docPath)
	if item == nil || item.GetOperation(method) == nil {
		t.Fatalf("%s %s not documented", method, docPath)
	}
	route := &routers.Route{Spec: doc, Path: docPath, PathItem: item, Method: method, Operation: item.GetOperation(method)}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		t.Errorf("%s %s: request does not match the document: %v", c.method, c.path, err)
	}
	// ValidateRequest consumed the body; give it back.
	if c.body != "" {
		req.Body = io.NopCloser(strings.NewReader(c.body))
	}
	resp, err := e.srv.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header, Options: opts}
	out.SetBodyBytes(b)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s → %d: response does not match the document: %v\n%s", c.method, c.path, resp.StatusCode, err, b)
	}
	return resp.StatusCode, b
}

// TestOpenAPIPlanBodies validates real plan requests and responses, errors
// included, against the document.
func TestOpenAPIPlanBodies(t *testing.T) {
	e := newEnv(t, false)
	doc := loadOpenAPI(t)
	create := `{"name":"Pro","slug":"pro","price":"149000.00","currency":"IDR","interval":1,"interval_unit":"month","trial_period_days":14,"features":{"max_users":5},"sort_order":2}`
	steps := []struct {
		method, docPath string
		params          map[string]string
		c               call
		want            int
	}{
		{"POST", "/api/plans/", nil, call{method: "POST", path: "/api/plans/", auth: asAdmin, body: create}, 201},
		{"POST", "/api/plans/", nil, call{method: "POST", path: "/api/plans/", auth: asAdmin, body: `{"name":"x"}`}, 400},
		{"POST", "/api/plans/", nil, call{method: "POST", path: "/api/plans/", auth: asUser, body: create}, 403},
		{"GET", "/api/plans/", nil, call{method: "GET", path: "/api/plans/?page_size=1"}, 200},
		{"GET", "/api/plans/{slug}/", map[string]string{"slug": "pro"}, call{method: "GET", path: "/api/plans/pro/"}, 200},
		{"GET", "/api/plans/{slug}/", map[string]string{"slug": "nope"}, call{method: "GET", path: "/api/plans/nope/"}, 404},
		{"PATCH", "/api/plans/{slug}/", map[string]string{"slug": "pro"}, call{method: "PATCH", path: "/api/plans/pro/", auth: asAdmin, body: `{"price":"159000","description":"More"}`}, 200},
		{"DELETE", "/api/plans/{slug}/", map[string]string{"slug": "pro"}, call{method: "DELETE", path: "/api/plans/pro/", auth: asAdmin}, 200},
		{"GET", "/api/me/", nil, call{method: "GET", path: "/api/me/", auth: asUser}, 200},
		{"POST", "/api/admin/users/", nil, call{method: "POST", path: "/api/admin/users/", auth: asAdmin, body: `{"username":"sari","password":"sari-pass-1234","email":"sari@example.com"}`}, 201},
		{"POST", "/api/auth/tokens/", nil, call{method: "POST", path: "/api/auth/tokens/", auth: asUser, body: `{"name":"ci"}`}, 201},
	}
	for _, s := range steps {
		code, b := validated(t, e, doc, s.method, s.docPath, s.params, s.c)
		if code != s.want {
			t.Errorf("%s %s = %d, want %d: %s", s.c.method, s.c.path, code, s.want, b)
		}
	}
}

func TestServeOpenAPIAndDocs(t *testing.T) {
	e := newEnv(t, false)
	resp, err := e.srv.App().Test(httptest.NewRequest("GET", "/api/openapi.json", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || !json.Valid(b) || !bytes.Equal(b, OpenAPI()) {
		t.Fatalf("GET /api/openapi.json = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, err = e.srv.App().Test(httptest.NewRequest("GET", "/api/docs", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	page := string(b)
	if resp.StatusCode != nethttp.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /api/docs = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(page, "/api/openapi.json") {
		t.Error("the docs page does not load /api/openapi.json")
	}
	// No CDN: nothing is loaded from another origin.
	if m := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//`).FindString(page); m != "" {
		t.Errorf("the docs page loads from another origin: %s", m)
	}
}
