package sim

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// OpenDefect is a violation the simulator finds that is not fixed yet:
// seed and invariant. The regular and regression tests log it instead of
// failing, and TestOpenDefectsStillFail fails once it no longer happens,
// so that a fixed one moves to the regression seeds. The list keeps
// known money defects visible without keeping every run red.
type OpenDefect struct {
	Seed      uint64
	Invariant string
	Comment   string
}

// ParseOpenDefects reads "seed invariant # comment" lines; blank lines and
// lines starting with # are skipped.
func ParseOpenDefects(r io.Reader) ([]OpenDefect, error) {
	var out []OpenDefect
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		text, comment, _ := strings.Cut(line, "#")
		f := strings.Fields(text)
		if len(f) != 2 {
			return nil, fmt.Errorf("line %d: want \"seed invariant # comment\"", n)
		}
		seed, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: seed: %w", n, err)
		}
		out = append(out, OpenDefect{Seed: seed, Invariant: f[1], Comment: strings.TrimSpace(comment)})
	}
	return out, sc.Err()
}
