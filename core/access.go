package core

import (
	"slices"
	"strings"
)

// ownerIDs lists the owners whose things the actor may see: itself and the
// organizations it belongs to.
func (s *Service) ownerIDs(tx Tx, a Actor) ([]string, error) {
	ids := []string{a.UserID}
	orgs, err := s.orgIDsOf(tx, a.UserID)
	if err != nil {
		return nil, err
	}
	return append(ids, orgs...), nil
}

// authorize answers a not-found error (never forbidden: existence is not
// revealed) when the actor may not see what ownerID owns. Admins see all.
func (s *Service) authorize(tx Tx, a Actor, ownerID, what string) error {
	if a.IsAdmin || ownerID == a.UserID {
		return nil
	}
	ok, err := s.isMember(tx, ownerID, a.UserID)
	if err != nil {
		return err
	}
	if !ok {
		return NotFoundf("%s not found", what)
	}
	return nil
}

// sortBy sorts list by an ordering key from an allow-list ("field" or
// "-field"); an unknown key is invalid input.
func sortBy[T any](list []T, ordering, def string, keys map[string]func(a, b T) int) error {
	if ordering == "" {
		ordering = def
	}
	desc := strings.HasPrefix(ordering, "-")
	f, ok := keys[strings.TrimPrefix(ordering, "-")]
	if !ok {
		allowed := make([]string, 0, len(keys))
		for k := range keys {
			allowed = append(allowed, k)
		}
		slices.Sort(allowed)
		return (&Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{
			"ordering": "one of " + strings.Join(allowed, ", ") + " (prefix '-' for descending)"}})
	}
	slices.SortStableFunc(list, func(a, b T) int {
		if desc {
			return f(b, a)
		}
		return f(a, b)
	})
	return nil
}
