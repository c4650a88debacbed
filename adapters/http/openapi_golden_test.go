package http

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite openapi.json from the route table and DTOs")

// TestOpenAPIGolden fails when the committed openapi.json (what the server
// serves) is not what the route table and DTO types generate. After a
// change to either: go test ./adapters/http -run TestOpenAPIGolden -update
func TestOpenAPIGolden(t *testing.T) {
	got, err := buildOpenAPIJSON()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("openapi.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, OpenAPI()) {
		t.Fatal("openapi.json differs from what the route table and DTOs generate; run: go test ./adapters/http -run TestOpenAPIGolden -update")
	}
}
