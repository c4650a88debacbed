package core

import (
	"errors"
	"slices"
)

// orgIDsOf lists the organizations a user belongs to (any role).
func (s *Service) orgIDsOf(tx Tx, userID string) ([]string, error) {
	if userID == "" {
		return nil, nil
	}
	orgs, err := tx.Organizations().ListByMember(userID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(orgs))
	for _, o := range orgs {
		ids = append(ids, o.ID)
	}
	return ids, nil
}

// isMember reports whether userID is a member of organization orgID. An id
// that names no organization (a user id, say) has no members.
func (s *Service) isMember(tx Tx, orgID, userID string) (bool, error) {
	if orgID == "" || userID == "" {
		return false, nil
	}
	o, err := tx.Organizations().Get(orgID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	_, ok := o.member(userID)
	return ok, nil
}

// requireOrgManager checks that the actor is an owner or admin of orgID
// (site admins pass). Non-members get not-found, plain members forbidden.
func (s *Service) requireOrgManager(tx Tx, a Actor, orgID string) error {
	_, err := s.managedOrg(tx, a, orgID)
	return err
}

// managedOrg loads an organization the actor manages.
func (s *Service) managedOrg(tx Tx, a Actor, orgID string) (Organization, error) {
	o, err := s.visibleOrg(tx, a, orgID)
	if err != nil {
		return o, err
	}
	if a.IsAdmin {
		return o, nil
	}
	if m, _ := o.member(a.UserID); m.Role != RoleOwner && m.Role != RoleAdmin {
		return o, Forbiddenf("only an owner or admin of the organization may do this")
	}
	return o, nil
}

// visibleOrg loads an organization the actor belongs to (site admins see
// all); anything else is not found.
func (s *Service) visibleOrg(tx Tx, a Actor, orgID string) (Organization, error) {
	if orgID == "" {
		return Organization{}, NotFoundf("organization not found")
	}
	o, err := tx.Organizations().Get(orgID)
	if errors.Is(err, ErrNotFound) {
		return Organization{}, NotFoundf("organization not found")
	}
	if err != nil {
		return Organization{}, err
	}
	if a.IsAdmin {
		return o, nil
	}
	if _, ok := o.member(a.UserID); !ok || a.UserID == "" {
		return Organization{}, NotFoundf("organization not found")
	}
	return o, nil
}

// member finds a member by user id.
func (o Organization) member(userID string) (Member, bool) {
	i := slices.IndexFunc(o.Members, func(m Member) bool { return m.UserID == userID })
	if i < 0 {
		return Member{}, false
	}
	return o.Members[i], true
}

// orgOf loads the organization that owns ownerID's things, if ownerID is
// an organization.
func (s *Service) orgOf(tx Tx, ownerID string) (Organization, bool, error) {
	o, err := tx.Organizations().Get(ownerID)
	if errors.Is(err, ErrNotFound) {
		return Organization{}, false, nil
	}
	return o, err == nil, err
}

// seatLimit is the number of users the organization may have under sub on
// plan: the plan's max_users feature, and for per-seat plans also the
// subscription's quantity (seats paid for). -1 is unlimited.
func seatLimit(sub Subscription, plan Plan) int {
	limit := -1
	if n, ok := plan.MaxUsers(); ok {
		limit = n
	}
	if plan.PerSeat {
		q := billedSeats(plan, sub.Quantity)
		if limit < 0 || q < limit {
			limit = q
		}
	}
	return limit
}

// activeOrgSubscription is the organization's newest subscription in
// status active or trialing, with its plan; ok is false when there is none.
func (s *Service) activeOrgSubscription(tx Tx, orgID string) (Subscription, Plan, bool, error) {
	list, err := tx.Subscriptions().ListByOwner(orgID)
	if err != nil {
		return Subscription{}, Plan{}, false, err
	}
	var best *Subscription
	for i := range list {
		sub := &list[i]
		if sub.Status != SubActive && sub.Status != SubTrialing {
			continue
		}
		if best == nil || sub.CreatedAt.After(best.CreatedAt) {
			best = sub
		}
	}
	if best == nil {
		return Subscription{}, Plan{}, false, nil
	}
	plan, err := tx.Plans().Get(best.PlanID)
	if err != nil {
		return Subscription{}, Plan{}, false, err
	}
	return *best, plan, true, nil
}

// checkSeatsForPlan refuses a plan whose max_users is below the owner's
// member count (organizations only). The refusal is immediate (422); a
// plan change is never scheduled to work around it: remove members first.
func (s *Service) checkSeatsForPlan(tx Tx, sub Subscription, np Plan) error {
	o, ok, err := s.orgOf(tx, sub.OwnerID)
	if err != nil || !ok {
		return err
	}
	if n, ok := np.MaxUsers(); ok && n < len(o.Members) {
		return &Error{Kind: ErrUnprocessable, Code: "seat_limit",
			Message: seatMsg("plan %q allows at most %d users but the organization has %d members; remove members first", np.Slug, n, len(o.Members))}
	}
	return nil
}
