package bolt

import (
	"bytes"
	"fmt"

	"github.com/langganan/langganan/adapters/internal/records"
)

// migrateV4 (3 → 4) re-keys the invoice and credit-note number indexes
// from sha256(number) to the number itself (numberKey), one record at a
// time: each entry is moved, none is kept in memory.
func migrateV4(t *tx) error {
	rekey := func(bucket, index bucketID, kind string, number func([]byte) (string, error)) error {
		ix := t.b(index)
		return iterate(t.b(bucket), nil, nil, false, func(pk, raw []byte) (bool, error) {
			n, err := number(raw)
			if err != nil {
				return false, fmt.Errorf("decode %s %x: %w", kind, pk, err)
			}
			if n == "" {
				return true, nil
			}
			if err := ix.Delete(hashKey(n)); err != nil {
				return false, err
			}
			return true, ix.Put(numberKey(n), bytes.Clone(pk))
		})
	}
	if err := rekey(bInvs, bInvNumber, "invoice", func(raw []byte) (string, error) {
		v, err := records.InvFromRecord(raw)
		return v.Number, err
	}); err != nil {
		return err
	}
	return rekey(bCreditNotes, bCNNumber, "credit note", func(raw []byte) (string, error) {
		n, err := records.CreditNoteFromRecord(raw)
		return n.Number, err
	})
}
