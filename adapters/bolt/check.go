package bolt

import (
	"bytes"
	"errors"
	"fmt"
)

const maxProblems = 20

// check verifies both directions: every record's index keys exist and
// point back at it, and every index entry points at a record that still
// yields that key.
func (tb *table[T]) check(t *tx) error {
	var problems []error
	report := func(format string, args ...any) bool {
		problems = append(problems, fmt.Errorf(format, args...))
		return len(problems) < maxProblems
	}
	err := iterate(t.b(tb.bucket), nil, nil, false, func(pk, raw []byte) (bool, error) {
		v, err := tb.decode(raw)
		if err != nil {
			return report("%s %x: undecodable: %v", tb.kind, pk, err), nil
		}
		if want := tb.pk(tb.id(v)); !bytes.Equal(want, pk) {
			return report("%s %q stored under key %x, want %x", tb.kind, tb.id(v), pk, want), nil
		}
		for _, ix := range tb.indexes {
			k := ix.key(&v, pk)
			if k == nil {
				continue
			}
			if got := t.b(ix.bucket).Get(k); !bytes.Equal(got, pk) {
				if !report("%s %q: %s index entry %x missing or points at %x", tb.kind, tb.id(v), bucketNames[ix.bucket], k, got) {
					return false, nil
				}
			}
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, ix := range tb.indexes {
		if len(problems) >= maxProblems {
			break
		}
		err := iterate(t.b(ix.bucket), nil, nil, false, func(k, pk []byte) (bool, error) {
			v, ok, err := tb.load(t, pk)
			switch {
			case err != nil:
				return report("%s: entry %x points at undecodable %s: %v", bucketNames[ix.bucket], k, tb.kind, err), nil
			case !ok:
				return report("%s: entry %x points at missing %s %x", bucketNames[ix.bucket], k, tb.kind, pk), nil
			case !bytes.Equal(ix.key(&v, pk), k):
				return report("%s: stale entry %x for %s %q", bucketNames[ix.bucket], k, tb.kind, tb.id(v)), nil
			}
			return true, nil
		})
		if err != nil {
			return err
		}
	}
	return errors.Join(problems...)
}
