package vtl

import (
	"strings"
	"testing"
	"time"
)

// fuzzLimits keep each fuzzed render short.
var fuzzLimits = limits{maxIterations: MaxIterations, maxOutput: 1 << 20, maxMacroDepth: MaxMacroDepth, maxSteps: 200_000}

// FuzzRender parses arbitrary templates and renders the ones that parse
// against a fixed request: no panic (Render reports a recovered panic as an
// internal error, which fails here), and every render ends within a time
// budget.
func FuzzRender(f *testing.F) {
	seeds := []string{
		benchTemplate,
		lsTemplateJSON,
		`#set($a = [1..3])#foreach($x in $a)$x#if($foreach.hasNext),#end#end`,
		`#macro(m $a)[$a]#end#m("x")#m($input.path('$.items'))`,
		`#define($d)$input.json('$..sku')#end$d`,
		`$input.path('$').keySet() $input.params() $util.escapeJavaScript($input.body)`,
		`#set($s = "a,b")$s.split(",").get(0).replaceAll("(a)", "$1$1").matches("a+")`,
		`#if($x && !$y || 1 < 2)${z}#elseif(true)#else#end`,
		`\$x \#if ## c` + "\n" + `#* b *##[[ u ]]#`,
		`#set($context.responseOverride.header.X = "v")$context`,
		`{"k": $util.parseJson($input.json('$.customer')).name}`,
		`#foreach($i in [1..2000])#set($s = "$s$i")#end$s.length()`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	data := func() *Data {
		d := benchData()
		d.StageVariables = map[string]string{"a": "b"}
		d.Params.Header = map[string]string{"h": "v"}
		return d
	}
	f.Fuzz(func(t *testing.T, src string) {
		tp, err := Parse(src)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Parse error %T is not *Error", err)
			}
			return
		}
		start := time.Now()
		_, err = tp.render(data(), fuzzLimits)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("render took %v", d)
		}
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatalf("render panicked on %q", src)
		}
	})
}
