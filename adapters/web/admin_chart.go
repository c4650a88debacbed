package web

import (
	"math"
	"strconv"
	"strings"
)

// Charts are drawn on the server as SVG: no script, nothing the Content
// Security Policy has to allow (SVG presentation attributes are not inline
// styles), and readable with JavaScript off. Each chart comes with its
// figures as a table for screen readers and anyone who wants the numbers.

// chart geometry, in viewBox units.
const (
	chartW, chartH     = 480, 220
	chartL, chartR     = 88, 12 // left margin holds the value labels
	chartT, chartB     = 12, 40 // bottom margin holds the date labels
	chartMaxDateLabels = 6
)

type chartView struct {
	ID, Title, Latest string
	Width, Height     int
	// The plot area's edges.
	Left, Right, Top, Bottom float64
	Lines                    []string // polyline points, one per run of known values
	Dots                     []chartMark
	Bars                     []chartMark
	YTicks, XTicks           []chartTick
	Rows                     []chartRow
	Empty                    bool
}

type chartTick struct {
	Pos   float64
	Label string
}

// chartMark is a dot (X, Y) or a bar (X, Y, W, H) with its figure as a
// tooltip.
type chartMark struct {
	X, Y, W, H float64
	Label      string
}

type chartRow struct{ Label, Value string }

// series is one figure over the periods: its value per period, and
// whether it is known there (MRR without a snapshot is not).
type series struct {
	labels []string // the periods, as the date labels show them
	values []float64
	known  []bool
	format func(float64) string
	whole  bool // the values are counts
}

// buildChart lays series out as a line chart (bars false) or a bar chart.
func buildChart(id, title, none string, s series, bars bool) chartView {
	v := chartView{ID: id, Title: title, Width: chartW, Height: chartH,
		Left: chartL, Right: chartW - chartR, Top: chartT, Bottom: chartH - chartB}
	n := len(s.values)
	top := 0.0
	for i, x := range s.values {
		if s.known[i] {
			top = math.Max(top, x)
			v.Latest = s.format(x)
		}
	}
	if v.Latest == "" {
		v.Empty, v.Latest = true, none
	}
	top = niceCeil(top)
	if s.whole {
		// Counts: a top of at least 4, divisible by the 4 steps, keeps
		// every value label a whole number.
		top = math.Max(4, math.Ceil(top/4)*4)
	}
	plotW, plotH := v.Right-v.Left, v.Bottom-v.Top
	slot := plotW / float64(max(n, 1))
	x := func(i int) float64 { return round1(v.Left + slot*(float64(i)+0.5)) }
	y := func(val float64) float64 { return round1(v.Bottom - plotH*val/top) }
	for k := 0; k <= 4; k++ {
		val := top * float64(k) / 4
		v.YTicks = append(v.YTicks, chartTick{Pos: y(val), Label: s.format(val)})
	}
	step := max(1, int(math.Ceil(float64(n)/chartMaxDateLabels)))
	for i := 0; i < n; i += step {
		v.XTicks = append(v.XTicks, chartTick{Pos: x(i), Label: s.labels[i]})
	}
	var run []string
	flush := func() {
		if len(run) > 0 {
			v.Lines = append(v.Lines, strings.Join(run, " "))
			run = nil
		}
	}
	for i, val := range s.values {
		label, shown := s.labels[i]+": "+none, "—"
		if s.known[i] {
			shown = s.format(val)
			label = s.labels[i] + ": " + shown
		}
		v.Rows = append(v.Rows, chartRow{Label: s.labels[i], Value: shown})
		if !s.known[i] {
			flush()
			continue
		}
		if bars {
			w := round1(math.Max(1, slot*0.7))
			h := round1(v.Bottom - y(val))
			v.Bars = append(v.Bars, chartMark{X: round1(x(i) - w/2), Y: y(val), W: w, H: h, Label: label})
			continue
		}
		run = append(run, ftoa(x(i))+","+ftoa(y(val)))
		v.Dots = append(v.Dots, chartMark{X: x(i), Y: y(val), Label: label})
	}
	flush()
	return v
}

// niceCeil rounds a chart's top up to 1, 2 or 5 times a power of ten, so
// the value labels are round numbers.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	exp := math.Pow(10, math.Floor(math.Log10(v)))
	for _, f := range []float64{1, 2, 5, 10} {
		if v <= f*exp {
			return f * exp
		}
	}
	return 10 * exp
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
