package config

import (
	"os"
	"strings"
	"testing"
)

func TestInFlightLimits(t *testing.T) {
	data, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f := mustParse(t, string(data), map[string]string{"PORTICO_SECRET_KEY": "x"})
	if l := f.Limits; l.MaxInFlightMessages == nil || *l.MaxInFlightMessages != 10000 ||
		l.MaxInFlightBytes == nil || *l.MaxInFlightBytes != 256<<20 {
		t.Errorf("node limits = %+v", l)
	}
	if m := mustParse(t, minimal+"    limits:\n      maxInFlight: 4\n", nil).APIs[0].Limits.MaxInFlight; m == nil || *m != 4 {
		t.Errorf("apis[0].limits.maxInFlight = %v", m)
	}
	doc := "limits:\n  maxInFlightMessages: 0\n  maxInFlightBytes: -1\n" + minimal + "    limits:\n      maxInFlight: 0\n"
	list := parseErrors(t, doc, nil).Error()
	for _, want := range []string{
		"limits.maxInFlightMessages: 0: must be positive",
		"limits.maxInFlightBytes: -1: must be positive",
		"apis[0].limits.maxInFlight: 0: must be positive",
	} {
		if !strings.Contains(list, want) {
			t.Errorf("errors:\n%s\nwant a line with %q", list, want)
		}
	}
}
