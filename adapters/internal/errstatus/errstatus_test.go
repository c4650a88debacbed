package errstatus

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/langganan/langganan/core"
)

func TestOf(t *testing.T) {
	own := Kind{Err: errors.New("not ready"), Status: http.StatusServiceUnavailable, Code: "not_ready"}
	for _, c := range []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"a core error", core.NotFoundf("no plan x"), 404, "not_found"},
		{"wrapped", fmt.Errorf("refund: %w", core.ErrGatewayUnavailable), 503, "gateway_unavailable"},
		{"an adapter's own kind", fmt.Errorf("%w: %w", own.Err, core.ErrConflict), 503, "not_ready"},
		{"a declined payment", fmt.Errorf("%w: insufficient funds", core.ErrPaymentDeclined), 422, "payment_declined"},
	} {
		k, ok := Of(c.err, own)
		if !ok || k.Status != c.status || k.Code != c.code {
			t.Errorf("%s: Of(%v) = %d %q %v, want %d %q", c.name, c.err, k.Status, k.Code, ok, c.status, c.code)
		}
	}
	if k, ok := Of(errors.New("disk full")); ok {
		t.Errorf("a fault mapped to %d %q", k.Status, k.Code)
	}
}
