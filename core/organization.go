package core

// orgIDsOf lists the organizations a user belongs to. Organizations arrive
// with their own issue; until then a user belongs to none.
func (s *Service) orgIDsOf(tx Tx, userID string) ([]string, error) { return nil, nil }

// isMember reports whether userID is a member of organization orgID.
func (s *Service) isMember(tx Tx, orgID, userID string) (bool, error) { return false, nil }

// requireOrgManager checks that the actor is an owner or admin of orgID.
func (s *Service) requireOrgManager(tx Tx, a Actor, orgID string) error {
	return NotFoundf("organization not found")
}
