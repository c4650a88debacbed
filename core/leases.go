package core

import (
	"context"
	"fmt"
	"sync/atomic"
)

// Several instances on one store split the billing run between them:
//
//   - due subscriptions are claimed in batches (ClaimDue), so each is
//     advanced by one instance per run; a claim of an instance that died
//     expires after ClaimTTL and another instance takes the subscription;
//   - the jobs that must run once per run (reconciliation of open payments,
//     refund checks, stored notifications, overdue invoices, retention) run
//     only on the instance holding the leader lease, renewed on every run;
//     when its holder stops renewing, another instance takes it after
//     LeaderTTL.
//
// Neither is what keeps money right: every step is a unit of work the store
// serializes, and charges use deterministic order ids under a unique
// constraint, so two instances on one subscription still charge a cycle
// once. Claims and the lease keep the instances from doing the same work
// (and the same gateway calls) twice.

// leaderLease names the lease of the run-once jobs.
const leaderLease = "billing-leader"

// leadRun reports whether this instance runs the run-once jobs: always
// without Leases (the service is alone), else if it holds the leader lease.
func (s *Service) leadRun(ctx context.Context) (bool, error) {
	if s.leases == nil {
		return true, nil
	}
	ok, err := s.leases.AcquireLease(ctx, leaderLease, s.instance, s.now(), s.cfg.LeaderTTL)
	if err != nil {
		return false, fmt.Errorf("leader lease: %w", err)
	}
	return ok, nil
}

// Leader reports whether this instance held the leader lease at its last
// billing run (always true for an instance alone on its store).
func (s *Service) Leader() bool { return s.leases == nil || s.leader.Load() }

// Instance is the id this instance holds leases and claims under.
func (s *Service) Instance() string { return s.instance }

// releaseClaims ends this instance's claims once its run is through, so
// the next run (of any instance) may take the subscriptions still due.
func (s *Service) releaseClaims(ctx context.Context) error {
	if s.leases == nil {
		return nil
	}
	// Also after a cancelled run: claims left behind only delay the others.
	if err := s.leases.ReleaseClaims(context.WithoutCancel(ctx), s.instance); err != nil {
		return fmt.Errorf("release claims: %w", err)
	}
	return nil
}

// runLeaderJobs runs the run-once jobs that come before the subscriptions:
// the day's opening figures, stored but unapplied notifications,
// reconciliation and refund checks.
func (s *Service) runLeaderJobs(ctx context.Context, c *counter, errs *atomic.Int64, sum *RunSummary) error {
	if err := s.recordDailySnapshot(ctx); err != nil {
		return fmt.Errorf("daily figures: %w", err)
	}
	if n, err := s.RecoverNotifications(ctx); err != nil {
		return err
	} else if n > 0 {
		c.m["notifications_recovered"] = n
	}
	if err := s.reconcile(ctx, c, errs, sum); err != nil {
		return err
	}
	if s.gw != nil {
		if err := s.resendRefunds(ctx, c); err != nil {
			return err
		}
		if err := s.checkRefunds(ctx, c); err != nil {
			return err
		}
	}
	return nil
}
