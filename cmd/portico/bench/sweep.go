package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// A sweep runs one scenario at several sizes (--conns values) and keeps
// each size's report: how a ratio moves with the load. `portico bench
// --sweep` writes the points as JSON and draws each sweep's metric against
// the size as an SVG chart (gonum.org/v1/plot, vg/vgsvg).

// defaultSweeps are the sizes a sweep takes when none are given.
var defaultSweeps = map[string][]int{
	"idle":              {1000, 5000, 10000, 15000},
	"broadcast-latency": {1000, 5000, 10000},
	// Not 10,000: post's clients live in the bench process, and with the
	// server's sockets 10,000 of them pass the 20,000 descriptors one
	// process has here.
	"post": {100, 1000, 5000},
}

// SweepSpec is one sweep to run: a scenario and its sizes.
type SweepSpec struct {
	Scenario string
	Sizes    []int
}

// ParseSweep reads a --sweep value: SCENARIO=N,N,... or SCENARIO alone for
// its default sizes (idle, broadcast-latency and post have some).
func ParseSweep(s string) (SweepSpec, error) {
	name, list, hasSizes := strings.Cut(s, "=")
	if !slices.Contains(Names(), name) {
		return SweepSpec{}, fmt.Errorf("unknown scenario %q; known: %s", name, strings.Join(Names(), ", "))
	}
	if !hasSizes {
		sizes, ok := defaultSweeps[name]
		if !ok {
			return SweepSpec{}, fmt.Errorf("%s has no default sizes; give them, as %s=100,1000", name, name)
		}
		return SweepSpec{Scenario: name, Sizes: slices.Clone(sizes)}, nil
	}
	var sizes []int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return SweepSpec{}, fmt.Errorf("%q is not a positive number of connections", f)
		}
		sizes = append(sizes, n)
	}
	return SweepSpec{Scenario: name, Sizes: sizes}, nil
}

// Sweep is one scenario's reports at each size.
type Sweep struct {
	Scenario string `json:"scenario"`
	// Metric is the metric the ratio is taken on, the chart's y axis.
	Metric string       `json:"metric"`
	Budget string       `json:"budget"`
	Points []SweepPoint `json:"points"`
}

// SweepPoint is the report of one size.
type SweepPoint struct {
	Conns  int     `json:"conns"`
	Report *Report `json:"report"`
}

// RunSweep runs spec's scenario once per size, with o's other options.
// When a size fails it returns the sweep of the sizes before it with the
// error.
func RunSweep(ctx context.Context, spec SweepSpec, o Options) (*Sweep, error) {
	sc := find(spec.Scenario)
	if sc == nil {
		return nil, fmt.Errorf("unknown scenario %q; known: %s", spec.Scenario, strings.Join(Names(), ", "))
	}
	sw := &Sweep{Scenario: sc.name, Metric: sc.metric, Budget: sc.budget}
	for _, n := range spec.Sizes {
		o.Conns = n
		r, err := Run(ctx, sc.name, o)
		if err != nil {
			return sw, fmt.Errorf("sweep %s at %d: %w", sc.name, n, err)
		}
		sw.Points = append(sw.Points, SweepPoint{Conns: n, Report: r})
	}
	return sw, nil
}

// WriteSweepsJSON writes the sweeps as one indented JSON document,
// {"sweeps": [...]}.
func WriteSweepsJSON(w io.Writer, sweeps []*Sweep) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Sweeps []*Sweep `json:"sweeps"`
	}{sweeps})
}

// WriteSVG draws the sweep's metric against the connections, one line per
// side (the gateway and, unless the scenario has none, its baseline), and
// writes it as SVG. The x axis is logarithmic when the sizes span a factor
// of ten or more.
func (sw *Sweep) WriteSVG(w io.Writer) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("portico bench %s: %s by connections", sw.Scenario, sw.Metric)
	p.X.Label.Text = "connections"
	p.Y.Label.Text = sw.Metric
	p.Add(plotter.NewGrid())
	var gw, base plotter.XYs
	for _, pt := range sw.Points {
		gw = append(gw, plotter.XY{X: float64(pt.Conns), Y: pt.Report.Gateway[sw.Metric]})
		if v, ok := pt.Report.Baseline[sw.Metric]; ok {
			base = append(base, plotter.XY{X: float64(pt.Conns), Y: v})
		}
	}
	var ticks []plot.Tick // one labelled tick per size
	if len(gw) > 0 {
		lo, hi := gw[0].X, gw[0].X
		for _, xy := range gw {
			lo, hi = min(lo, xy.X), max(hi, xy.X)
			ticks = append(ticks, plot.Tick{Value: xy.X, Label: strconv.FormatFloat(xy.X, 'f', -1, 64)})
		}
		if hi >= 10*lo {
			p.X.Scale = plot.LogScale{}
		}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	series := []any{"gateway", gw}
	if len(base) > 0 {
		series = append(series, "baseline", base)
	}
	if err := plotutil.AddLinePoints(p, series...); err != nil {
		return err
	}
	p.Y.Min = min(p.Y.Min, 0) // from zero, so that the gap between the lines reads as it is
	if p.Y.Max > 0 {
		p.Y.Max *= 1.2 // room for the legend above the lines
	}
	p.Legend.Top = true
	p.Legend.Left = true
	c := vgsvg.New(7*vg.Inch, 4.5*vg.Inch)
	p.Draw(draw.New(c))
	_, err := c.WriteTo(w)
	return err
}

// find returns the scenario named name, or nil.
func find(name string) *scenario {
	for i := range scenarios {
		if scenarios[i].name == name {
			return &scenarios[i]
		}
	}
	return nil
}
