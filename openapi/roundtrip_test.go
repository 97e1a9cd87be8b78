package openapi

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/portico-gw/portico/config"
)

// tree is what a round trip keeps: resources by path with methods, minus IDs.
func rtTree(api config.RestAPI) map[string]any {
	out := map[string]any{}
	for _, r := range api.Resources {
		ms := map[string]any{}
		for k, m := range r.ResourceMethods {
			m.HTTPMethod = k
			b, _ := json.Marshal(m)
			var v any
			json.Unmarshal(b, &v)
			ms[k] = v
		}
		out[r.Path] = ms
	}
	return out
}

func rtShow(v any) string { b, _ := json.MarshalIndent(v, "", " "); return string(b) }

func TestExportReimportSamples(t *testing.T) {
	for _, file := range []string{"simplecalc.json", "reqvalidators.json"} {
		for _, spec := range []string{"oas30", "swagger"} {
			for _, y := range []bool{false, true} {
				a1, w, err := ImportREST(file, readTestdata(t, file), ImportOptions{})
				if err != nil {
					t.Fatal(err)
				}
				doc, err := ExportREST(a1, ExportOptions{Spec: spec, YAML: y, Extensions: []string{"apigateway"}, Stage: "prod"})
				if err != nil {
					t.Fatal(err)
				}
				a2, w2, err := ImportREST("export", doc, ImportOptions{})
				if err != nil {
					t.Fatalf("%s %s: %v\n%s", file, spec, err, doc)
				}
				t.Logf("%s %s yaml=%v warnings %v / %v", file, spec, y, len(w), w2)
				g, want := rtTree(a2), rtTree(a1)
				for p := range want {
					if !reflect.DeepEqual(g[p], want[p]) {
						t.Errorf("%s %s %s:\n got %s\nwant %s", file, spec, p, rtShow(g[p]), rtShow(want[p]))
					}
				}
				for p := range g {
					if _, ok := want[p]; !ok {
						t.Errorf("%s %s: extra %s", file, spec, p)
					}
				}
				for _, pair := range [][2]any{{a1.Authorizers, a2.Authorizers}, {a1.Models, a2.Models}, {a1.RequestValidators, a2.RequestValidators},
					{a1.GatewayResponses, a2.GatewayResponses}, {a1.BinaryMediaTypes, a2.BinaryMediaTypes}, {a1.APIKeySource, a2.APIKeySource}} {
					if !reflect.DeepEqual(pair[0], pair[1]) {
						t.Errorf("%s %s:\n got %s\nwant %s", file, spec, rtShow(pair[1]), rtShow(pair[0]))
					}
				}
			}
		}
	}
}

func TestExportReimportExportIsStable(t *testing.T) {
	for name, api := range map[string]config.RestAPI{"petstore": expPetStore(), "calc": expLambdaCalc(), "kinesis": expKinesisProxy()} {
		for _, spec := range []string{"oas30", "swagger"} {
			opt := ExportOptions{Spec: spec, Extensions: []string{"apigateway"}, Stage: "prod", Version: "v"}
			d1, err := ExportREST(api, opt)
			if err != nil {
				t.Fatal(err)
			}
			a2, w, err := ImportREST("x", d1, ImportOptions{})
			if err != nil {
				t.Fatalf("%s %s: %v", name, spec, err)
			}
			a2.RestAPIID = api.RestAPIID
			d2, err := ExportREST(a2, opt)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range expDiff("", expDecode(t, d2, false), expDecode(t, d1, false)) {
				t.Errorf("%s %s: %s", name, spec, d)
			}
			t.Logf("%s %s warnings %v", name, spec, w)
		}
	}
	h := expHTTPAPI()
	opt := ExportOptions{Extensions: []string{"apigateway"}, Stage: "prod", Version: "v"}
	d1, err := ExportHTTP(h, opt)
	if err != nil {
		t.Fatal(err)
	}
	h2, w, err := ImportHTTP("x", d1, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h2.APIID = h.APIID
	d2, err := ExportHTTP(h2, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range expDiff("", expDecode(t, d2, false), expDecode(t, d1, false)) {
		t.Errorf("http: %s", d)
	}
	t.Logf("http warnings %v", w)
}
