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
	if doc.Components.Schemas["Object"] != nil {
		t.Error("the generic Object schema is back")
	}

	// Every operation: named schemas for JSON bodies, the error answers its
	// middleware can give, and strict request bodies.
	named := func(ref *openapi3.SchemaRef) bool {
		if ref == nil {
			return false
		}
		if ref.Ref != "" {
			return true
		}
		// A plain array of a named item (the unread list).
		return ref.Value != nil && ref.Value.Items != nil && ref.Value.Items.Ref != ""
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			if op.Responses.Value("5XX") == nil {
				t.Errorf("%s: no 5XX answer", name)
			}
			// No security list: the global one. An empty list: no credentials
			// are looked at (the webhook). Anything else reads them.
			if acceptsCredentials := op.Security == nil || len(*op.Security) > 0; acceptsCredentials && op.Responses.Value("401") == nil {
				t.Errorf("%s: reads credentials but documents no 401", name)
			}
			if rb := op.RequestBody; rb != nil {
				mt := rb.Value.Content.Get("application/json")
				if mt == nil || !named(mt.Schema) {
					t.Errorf("%s: request body without a named schema", name)
				} else if v := mt.Schema.Value; path != "/api/webhook/notification/" &&
					(v.AdditionalProperties.Has == nil || *v.AdditionalProperties.Has) {
					t.Errorf("%s: the handler refuses unknown fields but the schema allows them", name)
				}
				for _, code := range []string{"400", "413"} {
					if op.Responses.Value(code) == nil {
						t.Errorf("%s: takes a body but documents no %s", name, code)
					}
				}
			}
			if (method == "POST" || method == "PATCH") && path != "/api/webhook/notification/" && op.Responses.Value("415") == nil {
				t.Errorf("%s: documents no 415", name)
			}
			for code, resp := range op.Responses.Map() {
				if code[0] != '2' || path == "/api/openapi.json" {
					continue
				}
				if mt := resp.Value.Content.Get("application/json"); mt != nil && !named(mt.Schema) {
					t.Errorf("%s → %s: answer without a named schema", name, code)
				}
			}
		}
	}
}

// TestOpenAPIIdempotencyHeader checks the Idempotency-Key parameter against
// the live middleware: a key longer than 255 characters is refused naming
// the header exactly on the POSTs that honour it.
func TestOpenAPIIdempotencyHeader(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	doc := loadOpenAPI(t)
	long := strings.Repeat("k", 300)
	for path, item := range doc.Paths.Map() {
		op := item.Post
		if op == nil {
			continue
		}
		documented := false
		for _, p := range op.Parameters {
			if p.Value.In == "header" && p.Value.Name == "Idempotency-Key" {
				documented = true
			}
		}
		if documented {
			for code, resp := range op.Responses.Map() {
				if code[0] == '2' && resp.Value.Headers["Idempotent-Replayed"] == nil {
					t.Errorf("POST %s → %s: no Idempotent-Replayed header", path, code)
				}
			}
		}
		live := regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(path, "00000000-0000-4000-8000-999999999999")
		req := httptest.NewRequest("POST", live, strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", asAdmin)
		req.Header.Set("Idempotency-Key", long)
		resp, err := e.srv.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		_, fields := errCode(body)
		honoured := resp.StatusCode == 400 && fields["Idempotency-Key"] != nil
		if honoured != documented {
			t.Errorf("POST %s: Idempotency-Key documented %v, honoured %v (%d %v)", path, documented, honoured, resp.StatusCode, body)
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
