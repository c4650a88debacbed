//go:build e2e

package e2e

import (
	"testing"
	"time"
)

// TestHarness: both programs start, talk, and both clocks move together.
func TestHarness(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.must(s.do("GET", s.server.url+"/healthz", nil, anon, nil), 200)
	s.must(s.do("GET", s.server.url+"/readyz", nil, anon, nil), 200)
	s.plan("basic", "49000", nil)
	if got := s.must(s.api("GET", "/plans/", nil, anon), 200).results(); len(got) != 1 {
		t.Fatalf("plans: %v", got)
	}
	u := s.newUser("alice")
	s.must(s.api("GET", "/me/", nil, u.bearer), 200)
	start := s.now()
	s.advance(150 * time.Minute)
	if got := s.now().Sub(start); got != 150*time.Minute {
		t.Fatalf("server clock moved %v", got)
	}
	mock := parseTime(t, str(s.must(s.sim("GET", "/_sim/clock", nil), 200).obj(), "now"))
	if !mock.Equal(s.now()) {
		t.Fatalf("clocks apart: mock %v server %v", mock, s.now())
	}
}
