package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

func seatMsg(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// CreateOrganization creates an organization; the caller becomes its owner
// and first member (the owner holds a seat).
func (s *Service) CreateOrganization(ctx context.Context, a Actor, name string) (Organization, error) {
	name = strings.TrimSpace(name)
	fe := FieldErrors{}
	switch {
	case name == "":
		fe.Add("name", "required")
	case len(name) > 100:
		fe.Add("name", "at most 100 characters")
	}
	checkText(fe, "name", name, false)
	if a.UserID == "" {
		return Organization{}, &Error{Kind: ErrUnauthenticated, Message: "authentication required"}
	}
	if err := fe.Err(); err != nil {
		return Organization{}, err
	}
	var o Organization
	err := s.store.Update(ctx, func(tx Tx) error {
		now := s.now()
		o = Organization{ID: s.ids.NewID(), Name: name, OwnerID: a.UserID,
			Members:   []Member{{UserID: a.UserID, Role: RoleOwner, JoinedAt: now}},
			CreatedAt: now, UpdatedAt: now}
		return tx.Organizations().Put(o)
	})
	return o, err
}

// ListOrganizations lists the organizations the actor is a member of.
func (s *Service) ListOrganizations(ctx context.Context, a Actor) ([]Organization, error) {
	var out []Organization
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Organizations().ListByMember(a.UserID)
		return err
	})
	slices.SortStableFunc(out, func(x, y Organization) int { return x.CreatedAt.Compare(y.CreatedAt) })
	return out, err
}

// GetOrganization answers not-found to non-members.
func (s *Service) GetOrganization(ctx context.Context, a Actor, id string) (Organization, error) {
	var o Organization
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		o, err = s.visibleOrg(tx, a, id)
		return err
	})
	return o, err
}

// AddMember adds a user as a plain member (owner or admin only).
func (s *Service) AddMember(ctx context.Context, a Actor, orgID, username string) (Organization, error) {
	return s.AddMemberRole(ctx, a, orgID, username, RoleMember)
}

// AddMemberRole adds a user with role member or admin. The organization's
// seat limit is checked in the same transaction, so concurrent additions
// cannot overshoot it; beyond the limit the answer is 422 seat_limit.
func (s *Service) AddMemberRole(ctx context.Context, a Actor, orgID, username string, role Role) (Organization, error) {
	if role == "" {
		role = RoleMember
	}
	fe := FieldErrors{}
	if strings.TrimSpace(username) == "" {
		fe.Add("username", "required")
	}
	if role != RoleMember && role != RoleAdmin {
		fe.Add("role", "member or admin")
	}
	if err := fe.Err(); err != nil {
		return Organization{}, err
	}
	var o Organization
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if o, err = s.managedOrg(tx, a, orgID); err != nil {
			return err
		}
		// The seat limit is checked before the username is looked up, so
		// a full organization answers seat_limit alike for unknown and
		// existing usernames: membership cannot be used to enumerate users.
		final := len(o.Members) + 1
		allowed, limit, _, err := s.canAddUsers(tx, o, final)
		if err != nil {
			return err
		}
		if !allowed {
			return seatLimitError(limit, len(o.Members), final)
		}
		u, err := tx.Users().GetByUsername(strings.TrimSpace(username))
		if errors.Is(err, ErrNotFound) {
			return &Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{"username": "no such user"}}
		}
		if err != nil {
			return err
		}
		if _, ok := o.member(u.ID); ok {
			return Conflictf("%s is already a member of the organization", u.Username)
		}
		now := s.now()
		o.Members = append(o.Members, Member{UserID: u.ID, Role: role, JoinedAt: now})
		o.UpdatedAt = now
		return tx.Organizations().Put(o)
	})
	return o, err
}

func seatLimitError(limit, current, final int) error {
	if limit < 0 {
		limit = 0
	}
	msg := fmt.Sprintf("the organization's plan allows at most %d users; it has %d and would have %d", limit, current, final)
	if limit == 0 {
		msg = fmt.Sprintf("the organization has no active subscription, so no users can be added (it has %d)", current)
	}
	return &Error{Kind: ErrUnprocessable, Code: "seat_limit", Message: msg,
		Fields: map[string]string{"limit": fmt.Sprint(limit)}}
}

// RemoveMember removes a member (owner or admin, or a member leaving on
// its own). The owner cannot be removed.
func (s *Service) RemoveMember(ctx context.Context, a Actor, orgID, userID string) error {
	return s.store.Update(ctx, func(tx Tx) error {
		o, err := s.visibleOrg(tx, a, orgID)
		if err != nil {
			return err
		}
		if userID != a.UserID || a.UserID == "" {
			if o, err = s.managedOrg(tx, a, orgID); err != nil {
				return err
			}
		}
		m, ok := o.member(userID)
		if !ok {
			return NotFoundf("member not found")
		}
		if m.Role == RoleOwner || userID == o.OwnerID {
			return UnprocessableCode("owner_not_removable", "the owner cannot be removed from the organization")
		}
		o.Members = slices.DeleteFunc(o.Members, func(x Member) bool { return x.UserID == userID })
		o.UpdatedAt = s.now()
		return tx.Organizations().Put(o)
	})
}

// CheckCanAddUsers is check_can_add_user: may the organization have
// finalUsersAmount users in total (owner included)? limit is -1 when
// unlimited and 0 when it has no active (active or trialing) subscription.
func (s *Service) CheckCanAddUsers(ctx context.Context, a Actor, orgID string, finalUsersAmount int) (allowed bool, limit int, current int, err error) {
	if finalUsersAmount < 1 {
		return false, 0, 0, &Error{Kind: ErrInvalid, Message: "invalid input", Fields: map[string]string{"count": "a whole number of at least 1"}}
	}
	err = s.store.View(ctx, func(tx Tx) error {
		o, err := s.visibleOrg(tx, a, orgID)
		if err != nil {
			return err
		}
		allowed, limit, current, err = s.canAddUsers(tx, o, finalUsersAmount)
		return err
	})
	return allowed, limit, current, err
}

func (s *Service) canAddUsers(tx Tx, o Organization, final int) (bool, int, int, error) {
	current := len(o.Members)
	sub, plan, ok, err := s.activeOrgSubscription(tx, o.ID)
	if err != nil || !ok {
		return false, 0, current, err
	}
	limit := seatLimit(sub, plan)
	return limit < 0 || final <= limit, limit, current, nil
}
