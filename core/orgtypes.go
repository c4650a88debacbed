package core

import "time"

// Role is a member's role in an organization.
type Role string

const (
	RoleOwner  Role = "owner"
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
)

// Member is one seat of an organization.
type Member struct {
	UserID   string
	Role     Role
	JoinedAt time.Time
}

// Organization owns subscriptions and a wallet on behalf of its members.
// The owner is a member and holds a seat.
type Organization struct {
	ID        string
	Name      string
	OwnerID   string
	Members   []Member
	CreatedAt time.Time
	UpdatedAt time.Time
}

// WebhookEndpoint is a merchant URL that receives signed event deliveries.
type WebhookEndpoint struct {
	ID          string
	URL         string
	Events      []string // empty: every event
	Secret      string   // HMAC key; shown once at creation
	Active      bool
	Description string
	// FailingSince is the first failed delivery of the current failure
	// streak; an endpoint failing for three days is disabled.
	FailingSince time.Time
	DisabledAt   time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}
