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

// FuzzCompileJavaRegexp translates arbitrary Java patterns: no panic, and a
// pattern that compiles also compiles anchored and runs.
func FuzzCompileJavaRegexp(f *testing.F) {
	for _, s := range []string{`\p{Alpha}+`, `(?<y>\d{4})-\k<y>`, `[a-z&&[^b]]`, `\Qa.b\E`, `(?i)x(?=y)`, `a{2,3}+`, `\0101\u0041\cA`, `[\h\v\S]`, `\R`, `(?x) a # c`, `[\P{Lower}]`} {
		f.Add(s, "Invalid input\nline 2")
	}
	f.Fuzz(func(t *testing.T, pattern, input string) {
		re, err := CompileJavaRegexp(pattern)
		if err != nil {
			return
		}
		whole, err := CompileJavaRegexpWhole(pattern)
		if err != nil {
			t.Fatalf("%q compiles but not anchored: %v", pattern, err)
		}
		if whole.MatchString(input) && !re.MatchString(input) {
			t.Fatalf("%q matches %q whole but not in part", pattern, input)
		}
		javaSplit(re, input, 0)
		if _, err := javaReplace(re, input, "$0", -1, 1<<20); err != nil {
			t.Fatalf("replace: %v", err)
		}
	})
}
