package web

import (
	"strconv"
	"strings"
	"testing"
)

func TestNiceCeil(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{0, 1}, {-3, 1}, {0.7, 1}, {1, 1}, {1.2, 2}, {3, 5}, {7, 10}, {10, 10}, {49000, 50000}, {98000, 100000}, {120001, 200000},
	} {
		if got := niceCeil(c.in); got != c.want {
			t.Errorf("niceCeil(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestBuildChart(t *testing.T) {
	labels := []string{"1", "2", "3", "4", "5"}
	itoa := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	for _, c := range []struct {
		name             string
		values           []float64
		known            []bool
		bars, whole      bool
		lines, dots, bar int
		latest           string
		yLabels          string
		empty            bool
	}{
		{"a line over every period", []float64{1, 2, 3, 4, 5}, []bool{true, true, true, true, true}, false, true, 1, 5, 0, "5", "0 2 4 6 8", false},
		{"a gap breaks the line", []float64{10, 20, 0, 30, 40}, []bool{true, true, false, true, true}, false, false, 2, 4, 0, "40", "0 12.5 25 37.5 50", false},
		{"bars for counts", []float64{0, 1, 0, 2, 0}, []bool{true, true, true, true, true}, true, true, 0, 0, 5, "0", "0 1 2 3 4", false},
		{"nothing known", []float64{0, 0, 0, 0, 0}, []bool{false, false, false, false, false}, false, false, 0, 0, 0, "none", "0 0.25 0.5 0.75 1", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := buildChart("x", "X", "none", series{labels, c.values, c.known, itoa, c.whole}, c.bars)
			if len(v.Lines) != c.lines || len(v.Dots) != c.dots || len(v.Bars) != c.bar || v.Latest != c.latest || v.Empty != c.empty {
				t.Errorf("lines %d dots %d bars %d latest %q empty %v", len(v.Lines), len(v.Dots), len(v.Bars), v.Latest, v.Empty)
			}
			var ys []string
			for _, tk := range v.YTicks {
				ys = append(ys, tk.Label)
			}
			if got := strings.Join(ys, " "); got != c.yLabels {
				t.Errorf("value labels %q, want %q", got, c.yLabels)
			}
			if len(v.Rows) != len(labels) {
				t.Errorf("%d table rows, want one per period", len(v.Rows))
			}
			for _, m := range append(v.Dots, v.Bars...) {
				if m.X < v.Left || m.X > v.Right || m.Y < v.Top || m.Y > v.Bottom {
					t.Errorf("mark %+v outside the plot", m)
				}
			}
			for _, b := range v.Bars {
				if b.Y+b.H != v.Bottom && b.Y+b.H-v.Bottom > 0.11 {
					t.Errorf("bar %+v does not stand on the axis at %v", b, v.Bottom)
				}
			}
		})
	}
	// Many periods: at most six date labels.
	many := make([]string, 31)
	vals, known := make([]float64, 31), make([]bool, 31)
	for i := range many {
		many[i], known[i] = strconv.Itoa(i+1), true
	}
	if v := buildChart("x", "X", "none", series{many, vals, known, itoa, true}, true); len(v.XTicks) > chartMaxDateLabels {
		t.Errorf("%d date labels for 31 days", len(v.XTicks))
	}
}
