package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/langganan/langganan/core"
)

// tracer hashes every line of a run's trace (and writes it, if asked).
// Lines hold operations and their observable results only (statuses,
// amounts, error kinds), written in a fixed order, so two runs of one seed
// hash the same exactly when they behaved the same.
type tracer struct {
	h   hash.Hash
	out io.Writer
	n   int
}

func newTracer(out io.Writer) *tracer { return &tracer{h: sha256.New(), out: out} }

func (t *tracer) line(format string, args ...any) {
	s := fmt.Sprintf(format, args...) + "\n"
	_, _ = io.WriteString(t.h, s)
	t.n++
	if t.out != nil {
		_, _ = io.WriteString(t.out, s)
	}
}

func (t *tracer) sum() string { return hex.EncodeToString(t.h.Sum(nil)) }

// errKind names an error by its kind, for the trace: "ok", or the core
// error kind and code, or "crashed" / "error".
func errKind(err error) string {
	if err == nil {
		return "ok"
	}
	if errors.Is(err, errCrashed) {
		return "crashed"
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		if ce.Code != "" {
			return ce.Kind.Error() + "/" + ce.Code
		}
		return ce.Kind.Error()
	}
	for _, k := range []error{core.ErrGatewayUnavailable, core.ErrPaymentDeclined, core.ErrGatewayRejected, core.ErrGatewayNotFound, core.ErrDuplicateOrder, core.ErrNotFound, core.ErrConflict} {
		if errors.Is(err, k) {
			return "gateway:" + k.Error()
		}
	}
	return "error"
}
