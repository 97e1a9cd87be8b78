package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `portico bench --sweep`, scaled down, writes sweep.json with one point
// per size and an SVG chart per scenario that parses as XML, and prints
// each point's table.
func TestBenchSweepWritesFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("starts gateway nodes")
	}
	dir := filepath.Join(t.TempDir(), "out")
	var out, errb bytes.Buffer
	code := run([]string{"bench", "--sweep", "http-proxy=2,3", "--duration", "200ms", "--pairs", "1", "--out", dir}, &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out.String(), errb.String())
	}
	for _, want := range []string{"== http-proxy at 2 connections", "== http-proxy at 3 connections", "wrote " + filepath.Join(dir, "sweep-http-proxy.svg") + " and " + filepath.Join(dir, "sweep.json")} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out.String())
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "sweep.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Sweeps []struct {
			Scenario string
			Points   []struct{ Conns int }
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil || len(doc.Sweeps) != 1 || doc.Sweeps[0].Scenario != "http-proxy" ||
		len(doc.Sweeps[0].Points) != 2 || doc.Sweeps[0].Points[1].Conns != 3 {
		t.Fatalf("sweep.json (%v): %s", err, data)
	}
	svg, err := os.ReadFile(filepath.Join(dir, "sweep-http-proxy.svg"))
	if err != nil {
		t.Fatal(err)
	}
	var root struct{ XMLName xml.Name }
	if err := xml.Unmarshal(svg, &root); err != nil || root.XMLName.Local != "svg" {
		t.Fatalf("the SVG does not parse as XML with an svg root (%v, root %q)", err, root.XMLName.Local)
	}
	if !bytes.Contains(svg, []byte(">gateway<")) || !bytes.Contains(svg, []byte(">baseline<")) {
		t.Errorf("the SVG's legend lacks gateway or baseline")
	}
}
