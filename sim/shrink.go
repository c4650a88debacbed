package sim

import (
	"context"
	"fmt"
	"strings"
)

// Shrink drops steps from a failing run while the same invariant still
// fails: halves first, then ever smaller chunks, down to single steps. It
// stops after maxRuns replays and answers the shortest failing list found
// and its result.
func Shrink(ctx context.Context, opts Options, failing []Step, invariant string, maxRuns int) ([]Step, Result) {
	opts.Trace = nil
	best := failing
	var bestRes Result
	if maxRuns <= 0 {
		return best, bestRes
	}
	runs := 0
	fails := func(steps []Step) (bool, Result) {
		runs++
		res, err := RunSteps(ctx, opts, steps)
		if err != nil || res.Violation == nil || res.Violation.Invariant != invariant {
			return false, res
		}
		return true, res
	}
	if ok, res := fails(best); ok {
		best, bestRes = res.Failing, res
	}
	for chunk := max(len(best)/2, 1); chunk >= 1 && runs < maxRuns && ctx.Err() == nil; {
		removed := false
		for start := 0; start < len(best) && runs < maxRuns; {
			end := min(start+chunk, len(best))
			try := append(append([]Step{}, best[:start]...), best[end:]...)
			if len(try) == 0 {
				start = end
				continue
			}
			if ok, res := fails(try); ok {
				best, bestRes, removed = res.Failing, res, true
				continue // the same start now names the next chunk
			}
			start = end
		}
		if !removed {
			if chunk == 1 {
				break
			}
			chunk /= 2
		}
	}
	return best, bestRes
}

// Report is what a person needs to act on a violation of the run opts
// describe (its seed, planted defects and store).
func Report(opts Options, v *Violation, steps []Step) string {
	seed := opts.Seed
	var b strings.Builder
	fmt.Fprintf(&b, "simulator violation, seed %d\n", seed)
	fmt.Fprintf(&b, "invariant: %s\n%s\n", v.Invariant, v.Detail)
	where := fmt.Sprintf("after step %d", v.Step)
	if v.Step < 0 {
		where = "in the final drain"
	}
	fmt.Fprintf(&b, "found %s; %d steps lead to it:\n%s", where, len(steps), FormatSteps(steps))
	flags := ""
	if len(opts.Defects) > 0 {
		names := make([]string, len(opts.Defects))
		for i, d := range opts.Defects {
			names[i] = string(d)
		}
		flags = " -plant " + strings.Join(names, ",")
	}
	if opts.DatabaseURL != "" {
		flags += " -store postgres"
	}
	fmt.Fprintf(&b, "replay: go run ./sim/cmd/simulate -seed %d -steps-list '%s'%s -trace\n", seed, EncodeSteps(steps), flags)
	return b.String()
}

// EncodeSteps writes steps compactly: op:arg[:fault:at] separated by commas.
func EncodeSteps(steps []Step) string {
	parts := make([]string, len(steps))
	for i, s := range steps {
		parts[i] = fmt.Sprintf("%d:%x", s.Op, s.Arg)
		if s.Fault.Kind != FaultNone {
			parts[i] += fmt.Sprintf(":%d:%d", s.Fault.Kind, s.Fault.At)
		}
	}
	return strings.Join(parts, ",")
}

// DecodeSteps reads what EncodeSteps wrote.
func DecodeSteps(s string) ([]Step, error) {
	var out []Step
	for _, p := range strings.Split(strings.TrimSpace(s), ",") {
		if p == "" {
			continue
		}
		var st Step
		var op, fk, at int
		n, _ := fmt.Sscanf(strings.ReplaceAll(p, ":", " "), "%d %x %d %d", &op, &st.Arg, &fk, &at)
		if n != 2 && n != 4 {
			return nil, fmt.Errorf("step %q: want op:arg or op:arg:fault:at", p)
		}
		st.Op, st.Fault = Op(op), Fault{Kind: FaultKind(fk), At: at}
		out = append(out, st)
	}
	return out, nil
}
