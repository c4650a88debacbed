package sim

import (
	"reflect"
	"strings"
	"testing"
)

// TestStepsRoundTrip: a report's step list replays exactly those steps.
func TestStepsRoundTrip(t *testing.T) {
	steps := GenSteps(42, 200)
	back, err := DecodeSteps(EncodeSteps(steps))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(steps, back) {
		t.Fatal("steps changed on the way through EncodeSteps and DecodeSteps")
	}
	if !reflect.DeepEqual(GenSteps(42, 200), steps) {
		t.Fatal("GenSteps is not a function of its seed")
	}
}

func TestParseRegressions(t *testing.T) {
	regs, err := ParseRegressions(strings.NewReader("# comment\n\n12 150 # a bug\n"))
	if err != nil || len(regs) != 1 || regs[0] != (Regression{Seed: 12, Steps: 150, Comment: "a bug"}) {
		t.Fatalf("got %v, %v", regs, err)
	}
	if _, err := ParseRegressions(strings.NewReader("12\n")); err == nil {
		t.Fatal("a line without steps was accepted")
	}
}
