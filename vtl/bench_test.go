package vtl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"text/template"
)

// benchTemplate is a typical request template: a JSON body rewritten with
// $input.path, $input.json, #foreach over ~10 items and escapeJavaScript.
const benchTemplate = `#set($items = $input.path('$.items'))
{
  "orderId": "$input.path('$.id')",
  "customer": $input.json('$.customer'),
  "note": "$util.escapeJavaScript($input.path('$.note'))",
  "source": "$input.params('source')",
  "stage": "$context.stage",
  "items": [
#foreach($item in $items)
    {"sku": "$item.sku", "qty": $item.qty, "total": $item.price}#if($foreach.hasNext),#end
#end
  ],
  "count": $items.size()
}
`

// benchBaseline is benchTemplate as a text/template over the decoded body.
const benchBaseline = `{
  "orderId": "{{.body.id}}",
  "customer": {{json .body.customer}},
  "note": "{{escape .body.note}}",
  "source": "{{.source}}",
  "stage": "{{.stage}}",
  "items": [
{{- $n := len .body.items}}{{range $i, $item := .body.items}}
    {"sku": "{{$item.sku}}", "qty": {{$item.qty}}, "total": {{$item.price}}}{{if lt (inc $i) $n}},{{end}}
{{- end}}
  ],
  "count": {{len .body.items}}
}
`

func benchBody() []byte {
	var b strings.Builder
	b.WriteString(`{"id":"o-123","customer":{"email":"a@example.com","name":"Ann O'Neil"},"note":"Leave at the door, handle with \"care\"\nthanks","items":[`)
	for i := range 10 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"sku":"sku-%d","qty":%d,"price":%d.5}`, i, i+1, 10*i+3)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

func benchData() *Data {
	return &Data{
		Body:    benchBody(),
		Params:  Params{QueryString: map[string]string{"source": "web"}},
		Context: map[string]any{"stage": "prod"},
	}
}

// baselineRender decodes the body and runs the text/template.
func baselineRender(tb testing.TB, tt *template.Template, body []byte, buf *bytes.Buffer) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		tb.Fatal(err)
	}
	buf.Reset()
	if err := tt.Execute(buf, map[string]any{"body": doc, "source": "web", "stage": "prod"}); err != nil {
		tb.Fatal(err)
	}
}

func baselineTemplate() *template.Template {
	return template.Must(template.New("b").Funcs(template.FuncMap{
		"json": func(v any) (string, error) {
			b, err := json.Marshal(v)
			return string(b), err
		},
		"escape": func(s string) string { return escapeJavaScript(s, MaxOutput) },
		"inc":    func(i int) int { return i + 1 },
	}).Parse(benchBaseline))
}

// TestBenchmarkOutputsMatch keeps the two benchmarks honest: both produce
// the same text.
func TestBenchmarkOutputsMatch(t *testing.T) {
	got := mustRender(t, benchTemplate, benchData())
	var buf bytes.Buffer
	baselineRender(t, baselineTemplate(), benchBody(), &buf)
	if got != buf.String() {
		t.Errorf("vtl:\n%s\ntext/template:\n%s", got, buf.String())
	}
	var v any
	if err := json.Unmarshal([]byte(got), &v); err != nil {
		t.Errorf("output is not JSON: %v", err)
	}
}

func BenchmarkRender(b *testing.B) {
	tp, err := Parse(benchTemplate)
	if err != nil {
		b.Fatal(err)
	}
	data := benchData()
	b.ReportAllocs()
	for b.Loop() {
		data.Context = map[string]any{"stage": "prod"}
		if _, err := tp.Render(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderBaselineTextTemplate(b *testing.B) {
	tt := baselineTemplate()
	body := benchBody()
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		baselineRender(b, tt, body, &buf)
	}
}
