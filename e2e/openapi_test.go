//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	lhttp "github.com/langganan/langganan/adapters/http"
)

// The journeys' traffic is held to the published API description: every
// /api/ request and answer the suite exchanges with a real server is
// validated against the server's OpenAPI document.
var openAPI struct {
	once   sync.Once
	router routers.Router
	err    error
}

func apiRouter() (routers.Router, error) {
	openAPI.once.Do(func() {
		// Invoice documents (HTML, PDF) and the tax export (XML, CSV): their bodies are checked by
		// the journeys, only their media type here.
		openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.FileBodyDecoder)
		openapi3filter.RegisterBodyDecoder("application/pdf", openapi3filter.FileBodyDecoder)
		openapi3filter.RegisterBodyDecoder("text/csv", openapi3filter.FileBodyDecoder)
		openapi3filter.RegisterBodyDecoder("application/xml", openapi3filter.FileBodyDecoder)
		doc, err := openapi3.NewLoader().LoadFromData(lhttp.OpenAPI())
		if err != nil {
			openAPI.err = fmt.Errorf("load openapi.json: %w", err)
			return
		}
		doc.Servers = nil // match any host: the server listens on a random port
		openAPI.router, openAPI.err = legacy.NewRouter(doc)
	})
	return openAPI.router, openAPI.err
}

// checkOpenAPI validates one exchange; it returns a description of every
// mismatch, or "" when the exchange conforms (or is not an /api/ call).
func checkOpenAPI(req *http.Request, body []byte, status int, header http.Header, raw []byte) string {
	if !strings.Contains(req.URL.Path, "/api/") || status == 0 {
		return ""
	}
	router, err := apiRouter()
	if err != nil {
		return err.Error()
	}
	r := req.Clone(context.Background())
	if !strings.HasSuffix(r.URL.Path, "/") && !strings.HasSuffix(r.URL.Path, "openapi.json") && !strings.HasSuffix(r.URL.Path, "/docs") && !strings.HasSuffix(r.URL.Path, "/backup") {
		r.URL.Path += "/" // the trailing slash is optional on the wire; the document spells it
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := router.FindRoute(r)
	if err != nil {
		return fmt.Sprintf("%s %s: not in the OpenAPI document: %v", req.Method, req.URL.Path, err)
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: opts}
	var problems []string
	// Requests the server refused on purpose (400, 413, 415) may well break
	// the document: that is why they were refused.
	if status != 400 && status != 413 && status != 415 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			problems = append(problems, "request: "+err.Error())
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Options: opts}
	out.SetBodyBytes(raw)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		problems = append(problems, "response: "+err.Error())
	}
	if len(problems) == 0 {
		return ""
	}
	msg := strings.Join(problems, "; ")
	if len(msg) > 1500 {
		msg = msg[:1500] + "…"
	}
	return fmt.Sprintf("%s %s → %d breaks the OpenAPI document: %s", req.Method, req.URL.Path, status, msg)
}

// TestOpenAPICheckCatchesDrift proves the check can fail: an answer that
// breaks the document is reported.
func TestOpenAPICheckCatchesDrift(t *testing.T) {
	req, _ := http.NewRequest("GET", "http://127.0.0.1:1/api/plans/", nil)
	h := http.Header{"Content-Type": []string{"application/json"}}
	if p := checkOpenAPI(req, nil, 200, h, []byte(`{"count":"three","next":null,"previous":null,"results":[]}`)); p == "" {
		t.Fatal("a page whose count is a string passed the OpenAPI check")
	}
	if p := checkOpenAPI(req, nil, 200, h, []byte(`{"count":0,"next":null,"previous":null,"results":[]}`)); p != "" {
		t.Fatalf("a valid empty page failed the OpenAPI check: %s", p)
	}
}
