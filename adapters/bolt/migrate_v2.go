package bolt

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/langganan/langganan/adapters/internal/records"

	"github.com/langganan/langganan/core"
)

// usernameKey is the username index key: usernames are unique in their
// lower-case form, so "ALICE" and "alice" are one key.
func usernameKey(username string) []byte { return hashKey(core.NormalizeUsername(username)) }

// migrateV2 (1 → 2) rebuilds the username index under lower-cased keys
// and indexes every token by its user. Two users whose names differ only
// in case cannot both keep a unique lower-case key: the migration then
// fails, naming them, and the file stays at version 1 until one is renamed
// with an older build.
func migrateV2(t *tx) error {
	names := t.b(bUserName)
	var old [][]byte
	if err := iterate(names, nil, nil, false, func(k, _ []byte) (bool, error) {
		old = append(old, bytes.Clone(k))
		return true, nil
	}); err != nil {
		return err
	}
	for _, k := range old {
		if err := names.Delete(k); err != nil {
			return err
		}
	}
	holders := map[string]string{}
	var clashes []string
	if err := iterate(t.b(bUsers), nil, nil, false, func(pk, raw []byte) (bool, error) {
		u, err := records.UserFromRecord(raw)
		if err != nil {
			return false, fmt.Errorf("decode user %x: %w", pk, err)
		}
		if u.Username == "" {
			return true, nil
		}
		low := core.NormalizeUsername(u.Username)
		if prev, ok := holders[low]; ok {
			clashes = append(clashes, fmt.Sprintf("%q and %q", prev, u.Username))
			return true, nil
		}
		holders[low] = u.Username
		return true, names.Put(usernameKey(u.Username), bytes.Clone(pk))
	}); err != nil {
		return err
	}
	if len(clashes) > 0 {
		return fmt.Errorf("usernames are now case-insensitive, and these differ only in case: %s; rename all but one first",
			strings.Join(clashes, ", "))
	}
	byUser := t.b(bTokenUser)
	return iterate(t.b(bTokens), nil, nil, false, func(pk, raw []byte) (bool, error) {
		tk, err := records.TokenFromRecord(raw)
		if err != nil {
			return false, fmt.Errorf("decode token %x: %w", pk, err)
		}
		if tk.UserID == "" {
			return true, nil
		}
		return true, byUser.Put(ownerTimeKey(tk.UserID, tk.CreatedAt, pk), bytes.Clone(pk))
	})
}
