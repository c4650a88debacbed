package bolt

import (
	"bytes"
	"fmt"

	"github.com/langganan/langganan/adapters/internal/records"
)

// migrateV3 (2 → 3) indexes every stored webhook log by the order it
// names, so an order's notifications are found without reading them all.
func migrateV3(t *tx) error {
	byOrder := t.b(bHookOrder)
	return iterate(t.b(bHooks), nil, nil, false, func(pk, raw []byte) (bool, error) {
		w, err := records.HookFromRecord(raw)
		if err != nil {
			return false, fmt.Errorf("decode webhook log %x: %w", pk, err)
		}
		if k := hookOrderKey(&w, bytes.Clone(pk)); k != nil {
			return true, byOrder.Put(k, bytes.Clone(pk))
		}
		return true, nil
	})
}
