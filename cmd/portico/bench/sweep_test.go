package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseSweep(t *testing.T) {
	for _, tc := range []struct {
		in, err string
		want    []int
	}{
		{in: "idle", want: []int{1000, 5000, 10000, 15000}},
		{in: "broadcast-latency", want: []int{1000, 5000, 10000}},
		{in: "post", want: []int{100, 1000, 5000}},
		{in: "http-proxy=2, 8,32", want: []int{2, 8, 32}},
		{in: "connect", err: "connect has no default sizes"},
		{in: "nosuch=1", err: `unknown scenario "nosuch"`},
		{in: "post=100,x", err: `"x" is not a positive number`},
		{in: "post=0", err: `"0" is not a positive number`},
		{in: "post=", err: `"" is not a positive number`},
	} {
		spec, err := ParseSweep(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseSweep(%q) = %v, %v; want an error with %q", tc.in, spec, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(spec.Sizes, tc.want) {
			t.Errorf("ParseSweep(%q) = %v, %v; want sizes %v", tc.in, spec, err, tc.want)
		}
	}
}

// A scaled-down sweep gives one report per size, written as JSON that reads
// back with the points, and an SVG chart that parses as XML and has the
// title and both series in its legend.
func TestSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("starts gateway nodes")
	}
	sw, err := RunSweep(context.Background(), SweepSpec{Scenario: "http-proxy", Sizes: []int{2, 4}}, Options{Duration: 200 * time.Millisecond, Pairs: 1})
	if err != nil {
		t.Fatal(err)
	}
	var js bytes.Buffer
	if err := WriteSweepsJSON(&js, []*Sweep{sw}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Sweeps []struct {
			Scenario, Metric string
			Points           []struct {
				Conns  int
				Report struct {
					Scenario          string
					Gateway, Baseline map[string]float64
				}
			}
		}
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatalf("sweep JSON: %v\n%s", err, js.String())
	}
	if len(doc.Sweeps) != 1 || doc.Sweeps[0].Scenario != "http-proxy" || doc.Sweeps[0].Metric != "requests_per_sec" || len(doc.Sweeps[0].Points) != 2 {
		t.Fatalf("sweep JSON: %s", js.String())
	}
	for i, pt := range doc.Sweeps[0].Points {
		if pt.Conns != []int{2, 4}[i] || pt.Report.Scenario != "http-proxy" ||
			pt.Report.Gateway["requests_per_sec"] <= 0 || pt.Report.Baseline["requests_per_sec"] <= 0 || pt.Report.Gateway["failed"] != 0 {
			t.Errorf("point %d: %+v", i, pt)
		}
	}

	var svg bytes.Buffer
	if err := sw.WriteSVG(&svg); err != nil {
		t.Fatal(err)
	}
	texts := svgTexts(t, svg.Bytes())
	for _, want := range []string{"portico bench http-proxy: requests_per_sec by connections", "connections", "gateway", "baseline"} {
		if !slices.Contains(texts, want) {
			t.Errorf("SVG has no text %q; texts: %q", want, texts)
		}
	}
}

// svgTexts parses doc as XML, checks that its root is <svg>, and returns the
// content of its <text> elements.
func svgTexts(t *testing.T, doc []byte) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var texts []string
	root, inText := "", false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse as XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
			inText = tok.Name.Local == "text"
		case xml.CharData:
			if inText {
				texts = append(texts, strings.TrimSpace(string(tok)))
			}
		case xml.EndElement:
			inText = false
		}
	}
	if root != "svg" {
		t.Fatalf("SVG root element %q", root)
	}
	return texts
}
