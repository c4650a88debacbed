package http

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

func (s *Server) runBilling(c *fiber.Ctx) error {
	sum, err := s.svc.RunDue(c.UserContext())
	if err != nil {
		return fmt.Errorf("billing run: %w", err)
	}
	return c.JSON(runSummaryJSON{StartedAt: sum.StartedAt, FinishedAt: sum.FinishedAt, Counts: sum.Counts,
		Errors: sum.Errors, StaleOpen: sum.StaleOpen})
}

type runSummaryJSON struct {
	StartedAt  time.Time      `json:"started_at"`
	FinishedAt time.Time      `json:"finished_at"`
	Counts     map[string]int `json:"counts" oa:"null" doc:"Items handled, by kind of job"`
	Errors     int            `json:"errors"`
	StaleOpen  int            `json:"stale_open_payments"`
}

type clockJSON struct {
	Now string `json:"now" oa:"format=date-time"`
}

type advanceRequest struct {
	Duration string `json:"duration" validate:"required" oa:"example=720h|30d" doc:"A Go duration (\"720h\") or whole days (\"30d\"), at most ten years"`
}

// maxAdvance refuses durations that would step for minutes on end.
const maxAdvance = 10 * 366 * 24 * time.Hour

// advanceStep is the largest single step: jobs that fall due inside a step
// run at its end, so steps bound how late a job can run in simulated time.
const advanceStep = time.Hour

// advanceClock moves the manual clock forward in steps, running due jobs
// after each step so they happen in time order, and answers once drained.
func (s *Server) advanceClock(c *fiber.Ctx) error {
	if s.clock == nil {
		return fmt.Errorf("%w: the clock is real; start with LANGGANAN_CLOCK=manual", errNotManualClock)
	}
	var req advanceRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	d, err := parseDuration(req.Duration)
	if err != nil {
		return err
	}
	s.advanceMu.Lock()
	defer s.advanceMu.Unlock()
	ctx := c.UserContext()
	target := s.clock.Now().Add(d)
	for now := s.clock.Now(); now.Before(target); now = s.clock.Now() {
		step := min(advanceStep, target.Sub(now))
		if nd, ok := s.svc.(nextDuer); ok {
			if t, ok, err := nd.NextDue(ctx); err != nil {
				return fmt.Errorf("next due: %w", err)
			} else if ok && t.After(now) && t.Sub(now) < step {
				step = t.Sub(now)
			}
		}
		s.clock.Advance(step)
		if err := s.drain(ctx); err != nil {
			return err
		}
	}
	if d == 0 {
		// Nothing moved, but "advance 0" still means "run what is due now".
		if err := s.drain(ctx); err != nil {
			return err
		}
	}
	return c.JSON(clockJSON{Now: s.clock.Now().UTC().Format(time.RFC3339)})
}

func (s *Server) drain(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("clock advance interrupted: %w", err)
	}
	if _, err := s.svc.RunDue(ctx); err != nil {
		return fmt.Errorf("run due jobs: %w", err)
	}
	if s.afterAdvance != nil {
		if err := s.afterAdvance(ctx); err != nil {
			return fmt.Errorf("after clock advance: %w", err)
		}
	}
	return nil
}

// parseDuration accepts Go durations ("720h", "90m") and whole days ("30d").
func parseDuration(s string) (time.Duration, error) {
	bad := func() (time.Duration, error) {
		return 0, invalid("invalid duration", map[string]string{
			"duration": fmt.Sprintf("a non-negative duration such as \"720h\" or \"30d\", at most %dh", int(maxAdvance.Hours()))})
	}
	s = strings.TrimSpace(s)
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > int(maxAdvance/(24*time.Hour)) {
			return bad()
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return bad()
		}
	}
	if d < 0 || d > maxAdvance {
		return bad()
	}
	return d, nil
}
