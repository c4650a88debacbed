package postgres

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/langganan/langganan/adapters/internal/records"
	"github.com/langganan/langganan/core"
)

// column is one indexed column of a table, derived from the record.
type column[T any] struct {
	name  string
	value func(v *T) any
}

// unique is a uniqueness the ports promise beyond the id. Put checks it
// with a query before writing: a violated unique index would abort the
// whole transaction, and a caller may handle ErrConflict and carry on.
// Under SERIALIZABLE a concurrent transaction taking the same value makes
// one of the two fail with a serialization failure (then retried), so the
// check cannot miss.
type unique[T any] struct {
	what  string           // "slug", for the conflict message
	where string           // "slug = $1"
	args  func(v *T) []any // nil: the value is empty, nothing to check
}

// table is one aggregate: a row per record, id, the derived columns and
// the record as jsonb.
type table[T any] struct {
	name    string // SQL table
	pk      string // the primary key column; "" is id
	kind    string // "plan", for messages
	id      func(v *T) string
	encode  func(v *T) any            // the adapter-local record
	decode  func(b []byte) (T, error) // record bytes → aggregate
	cols    []column[T]
	uniques []unique[T]
	upsert  string // built by init
}

func (tb *table[T]) init() *table[T] {
	if tb.pk == "" {
		tb.pk = "id"
	}
	names := []string{tb.pk}
	params := []string{"$1"}
	sets := []string{}
	for i, c := range tb.cols {
		names = append(names, c.name)
		params = append(params, fmt.Sprintf("$%d", i+2))
		sets = append(sets, c.name+" = EXCLUDED."+c.name)
	}
	names = append(names, "record")
	params = append(params, fmt.Sprintf("$%d", len(tb.cols)+2))
	sets = append(sets, "record = EXCLUDED.record")
	tb.upsert = fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s) ON CONFLICT (%s) DO UPDATE SET %s",
		tb.name, strings.Join(names, ", "), strings.Join(params, ", "), tb.pk, strings.Join(sets, ", "))
	return tb
}

func notFound(kind, what string) error { return core.NotFoundf("%s %s not found", kind, what) }

// encodeRecord marshals a record; jsonb cannot hold \u0000, so such a
// record is refused as invalid input before anything is sent.
func encodeRecord(kind, id string, rec any) ([]byte, error) {
	raw, err := records.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("%w: encode %s %s: %v", core.ErrInvalid, kind, id, err)
	}
	if hasNULEscape(raw) {
		return nil, core.Invalidf("%s %s: text with a NUL character cannot be stored", kind, id)
	}
	return raw, nil
}

// hasNULEscape reports a \u0000 escape in JSON; an escaped backslash
// followed by the text "u0000" is no such escape.
func hasNULEscape(raw []byte) bool {
	for off := 0; ; {
		i := bytes.Index(raw[off:], []byte(`\u0000`))
		if i < 0 {
			return false
		}
		i += off
		n := 0 // backslashes before the match
		for j := i - 1; j >= 0 && raw[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			return true
		}
		off = i + 1
	}
}

// storableValue reports whether a column value can be sent (see storable).
func storableValue(v any) bool {
	switch x := v.(type) {
	case string:
		return storable(x)
	case []string:
		for _, s := range x {
			if !storable(s) {
				return false
			}
		}
	}
	return true
}

func (tb *table[T]) decodeRow(id string, raw []byte) (T, error) {
	v, err := tb.decode(raw)
	if err != nil {
		return v, fmt.Errorf("postgres: decode %s %s: %w", tb.kind, id, err)
	}
	return v, nil
}

func (tb *table[T]) get(t *tx, id string) (T, error) {
	var zero T
	if !storable(id) {
		return zero, notFound(tb.kind, id)
	}
	var raw []byte
	err := t.queryRow(tb.kind+" "+id, "SELECT record FROM "+tb.name+" WHERE "+tb.pk+" = $1", []any{id}, &raw)
	if err != nil {
		return zero, err
	}
	return tb.decodeRow(id, raw)
}

// first answers the first record matching where in order.
func (tb *table[T]) first(t *tx, what, where, order string, args ...any) (T, error) {
	var zero T
	for _, a := range args {
		if !storableValue(a) {
			return zero, notFound(tb.kind, what)
		}
	}
	var id string
	var raw []byte
	err := t.queryRow(tb.kind+" "+what, "SELECT "+tb.pk+", record FROM "+tb.name+" WHERE "+where+" ORDER BY "+order+" LIMIT 1", args, &id, &raw)
	if err != nil {
		return zero, err
	}
	return tb.decodeRow(id, raw)
}

// list answers every record matching where, in order.
func (tb *table[T]) list(t *tx, where, order string, args ...any) ([]T, error) {
	for _, a := range args {
		if !storableValue(a) {
			return nil, nil
		}
	}
	q := "SELECT record FROM " + tb.name
	if where != "" {
		q += " WHERE " + where
	}
	raws, err := t.rows("list "+tb.kind, q+" ORDER BY "+order, args...)
	if err != nil {
		return nil, err
	}
	var out []T
	for _, raw := range raws {
		v, err := tb.decodeRow("", raw)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// scan visits the records matching where in order through a cursor (see
// tx.scan). keep, if set, filters on the decoded record: columns hold
// microseconds, records nanoseconds, and the ports' bounds are exact.
// A record the callback's writes may have changed is read again (and
// skipped if it is gone), so fn never sees a stale copy.
func (tb *table[T]) scan(t *tx, where, order string, args []any, keep func(*T) bool, fn func(T) bool) error {
	q := "SELECT " + tb.pk + ", record FROM " + tb.name
	if where != "" {
		q += " WHERE " + where
	}
	return t.scan("scan "+tb.kind, q+" ORDER BY "+order, args, func(id string, raw []byte, stale bool) (bool, error) {
		v, err := tb.decodeRow(id, raw)
		if err != nil {
			return false, err
		}
		if keep != nil && !keep(&v) {
			return true, nil
		}
		if stale {
			v, err = tb.get(t, id)
			if errors.Is(err, core.ErrNotFound) {
				return true, nil
			}
			if err != nil {
				return false, err
			}
		}
		return fn(v), nil
	})
}

func (tb *table[T]) put(t *tx, v *T) error {
	if err := t.writable(); err != nil {
		return err
	}
	id := tb.id(v)
	if id == "" {
		return core.Invalidf("%s without an id", tb.kind)
	}
	if !storable(id) {
		return core.Invalidf("%s id %q is not storable text", tb.kind, id)
	}
	raw, err := encodeRecord(tb.kind, id, tb.encode(v))
	if err != nil {
		return err
	}
	args := make([]any, 0, len(tb.cols)+2)
	args = append(args, id)
	for _, c := range tb.cols {
		val := c.value(v)
		if !storableValue(val) {
			return core.Invalidf("%s %s: %s is not storable text", tb.kind, id, c.name)
		}
		args = append(args, val)
	}
	args = append(args, raw)
	for _, u := range tb.uniques {
		uargs := u.args(v)
		if uargs == nil {
			continue
		}
		var taken bool
		q := fmt.Sprintf("SELECT EXISTS (SELECT 1 FROM %s WHERE %s AND %s <> $%d)", tb.name, u.where, tb.pk, len(uargs)+1)
		if err := t.queryRow("check "+tb.kind+" "+u.what, q, append(uargs, id), &taken); err != nil {
			return err
		}
		if taken {
			return core.Conflictf("%s %s is already taken", tb.kind, u.what)
		}
	}
	_, err = t.exec("put "+tb.kind+" "+id, tb.upsert, args...)
	return err
}

func (tb *table[T]) del(t *tx, id string) error {
	if err := t.writable(); err != nil {
		return err
	}
	if !storable(id) {
		return notFound(tb.kind, id)
	}
	tag, err := t.exec("delete "+tb.kind+" "+id, "DELETE FROM "+tb.name+" WHERE "+tb.pk+" = $1", id)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return notFound(tb.kind, id)
	}
	return nil
}

// Column values: "" and the zero time are NULL where the column is
// optional; times are UTC microseconds (what timestamptz holds).

func optText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func optTS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}
