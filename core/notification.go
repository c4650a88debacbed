package core

import "time"

// Channel is a notification channel.
type Channel string

const (
	ChannelEmail   Channel = "email"
	ChannelWebhook Channel = "webhook"
	ChannelInApp   Channel = "in_app"
)

// NotificationStatus is queued, sent, failed or read.
type NotificationStatus string

const (
	NotifQueued NotificationStatus = "queued"
	NotifSent   NotificationStatus = "sent"
	NotifFailed NotificationStatus = "failed"
	NotifRead   NotificationStatus = "read"
)

// Notification is one delivery of one event on one channel.
type Notification struct {
	ID            string
	EventID       string
	UserID        string // the recipient user, for in-app listing
	Type          string // the event type
	Channel       Channel
	Recipient     string // email address, URL, or user id
	Subject       string
	Body          string
	Payload       map[string]any
	Status        NotificationStatus
	Attempts      int
	LastError     string
	NextAttemptAt time.Time
	// LeasedUntil is when a claimed delivery may be taken by another run,
	// on the wall clock (see Config.DeliveryLease): a manual service clock that
	// jumps ahead must not hand a send still in flight to a second sender.
	LeasedUntil time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	SentAt      time.Time
	ReadAt      time.Time
}

// IdempotencyRecord replays the first answer to a POST with the same
// Idempotency-Key (scoped per user) for 24 hours.
type IdempotencyRecord struct {
	Key         string // scope + key
	RequestHash string
	Status      int
	Body        []byte
	CreatedAt   time.Time
	ExpiresAt   time.Time
}
