package vtl

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
)

// renderCase is one template, its data and the exact expected output.
type renderCase struct {
	name string
	tmpl string
	data *Data
	want string
}

func runCases(t *testing.T, cases []renderCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := mustRender(t, c.tmpl, c.data)
			if got != c.want {
				t.Errorf("template %q\n got %q\nwant %q", c.tmpl, got, c.want)
			}
		})
	}
}

func mustRender(tb testing.TB, tmpl string, data *Data) string {
	tb.Helper()
	tp, err := Parse(tmpl)
	if err != nil {
		tb.Fatalf("Parse(%q): %v", tmpl, err)
	}
	out, err := tp.Render(data)
	if err != nil {
		tb.Fatalf("Render(%q): %v", tmpl, err)
	}
	return out
}

func body(s string) *Data { return &Data{Body: []byte(s)} }

// TestReferenceExamples holds the template examples of
// shared/reference/rest-apis.md and http-and-rest-apis.md with AWS's
// documented inputs and outputs.
func TestReferenceExamples(t *testing.T) {
	runCases(t, []renderCase{
		{"input.path size of an object (APIGW-DG $input example)",
			`"total": "$input.path('$.things').size()"`,
			body(`{"things": {"1": {}, "2": {}, "3": {}}}`), `"total": "3"`},
		{"input.path size of an array",
			`"$input.path('$.things').size()"`,
			body(`{"things": [{}, {}, {}]}`), `"3"`},
		{"input.json is JSON text",
			`$input.json('$.pets[0]')`,
			body(`{"pets": [{"id": 1, "type": "dog", "price": 249.99}]}`), `{"id":1,"type":"dog","price":249.99}`},
		{"escapeJavaScript then replaceAll as the AWS doc shows",
			`"$util.escapeJavaScript($input.path('$.msg')).replaceAll("\\'","'")"`,
			body(`{"msg": "it's \"q\""}`), `"it's \"q\""`},
		{"escapeJavaScript escapes ' as \\'",
			`$util.escapeJavaScript("it's")`, nil, `it\'s`},
		{"parseJson gives dot access (APIGW-DG $util example)",
			`#set($obj = $util.parseJson($input.path('$.json')))$obj.key2.arr[0] $obj.key1`,
			body(`{"json": "{\"key1\":\"var1\",\"key2\":{\"arr\":[1,2,3]}}"}`), `1 var1`},
		{"urlEncode is form encoding", `$util.urlEncode("x=a+b c")`, nil, `x%3Da%2Bb+c`},
		{"urlDecode is form decoding", `$util.urlDecode("x=a+b")`, nil, `x=a b`},
		{"base64", `$util.base64Encode("hello")|$util.base64Decode("aGVsbG8=")`, nil, `aGVsbG8=|hello`},
		{"MOCK request template", `{"statusCode": 200}`, nil, `{"statusCode": 200}`},
		{"gateway response default body",
			`{"message":$context.error.messageString}`,
			&Data{Context: map[string]any{"error": map[string]any{"messageString": `"Missing Authentication Token"`}}},
			`{"message":"Missing Authentication Token"}`},
		{"stage variables, three spellings",
			`$stageVariables.url $stageVariables['url'] ${stageVariables['url']}`,
			&Data{StageVariables: map[string]string{"url": "example.com"}}, `example.com example.com example.com`},
		{"params by name: path, then query string, then header",
			`$input.params('a') $input.params('b') $input.params('c') [$input.params('none')]`,
			&Data{Params: Params{
				Path:        map[string]string{"a": "path"},
				QueryString: map[string]string{"a": "qs", "b": "qs"},
				Header:      map[string]string{"a": "h", "b": "h", "c": "h"},
			}}, `path qs h []`},
		{"map from input.path prints Java-style, lists inside as JSON",
			`$input.path('$')`, body(`{"a":1,"b":[{"c":5}]}`), `{a=1, b=[{"c":5}]}`},
		{"list from input.path prints as compact JSON",
			`$input.path('$.l')`, body(`{"l":[1, "x", {"k": true}]}`), `[1,"x",{"k":true}]`},
		{"undefined renders empty", `[$nothing][$!nothing][${nothing}][$nothing.more()]`, nil, `[][][][]`},
		{"input.json of a missing path is empty", `[$input.json('$.missing')]`, body(`{"a":1}`), `[]`},
		{"input.json on a non-JSON body is empty", `[$input.json('$.a')][$input.path('$.a')]`, body(`not json`), `[][]`},
		{"input.body of an empty body is {}", `$input.body|$input.json('$')`, nil, `{}|{}`},
		{"input.body is the raw payload", `$input.body`, body(`<x>1</x>`), `<x>1</x>`},
		{"authorizer values are strings the caller gives",
			`$context.authorizer.principalId $context.authorizer.claims.sub`,
			&Data{Context: map[string]any{"authorizer": map[string]any{"principalId": "u1", "claims": map[string]string{"sub": "abc"}}}}, `u1 abc`},
	})
}

// TestLocalStackVectors holds LocalStack's published template-mapping test
// cases (tests/unit/services/apigateway/test_template_mapping.py) as facts.
// Where LocalStack contradicts AWS's documentation, AWS wins and the case
// says so.
func TestLocalStackVectors(t *testing.T) {
	esc := []struct{ in, want string }{
		{"0010", "0010"},
		{"true", "true"},
		{"True", "True"},
		{"1.021", "1.021"},
		{`""`, `\"\"`},
		{`"""`, `\"\"\"`},
		{`{"foo": 123}`, `{\"foo\": 123}`},
		{`{"foo"": 123}`, `{\"foo\"\": 123}`},
		// LocalStack leaves ' alone; AWS documents \' (reference §2.3 item 6).
		{"it's", `it\'s`},
	}
	var cases []renderCase
	for _, e := range esc {
		cases = append(cases, renderCase{"escapeJavaScript " + e.in, `$util.escapeJavaScript($v)`,
			&Data{Vars: map[string]any{"v": e.in}}, e.want})
	}
	cases = append(cases,
		renderCase{"escapeJavaScript of a number", `$util.escapeJavaScript(1)`, nil, "1"},
		// LocalStack prints "null" for None; a Java null result renders as "" in API Gateway.
		renderCase{"escapeJavaScript of null", `[$util.escapeJavaScript($none)]`, nil, "[]"},
		renderCase{"urlEncode", `$util.urlEncode("x=a+b")`, nil, "x%3Da%2Bb"},
		renderCase{"urlDecode", `$util.urlDecode("x=a+b")`, nil, "x=a b"},
		renderCase{"parseJson array", `$util.parseJson("[1,2,3]")[0]`, nil, "1"},
		renderCase{"parseJson object", `#set($o = $util.parseJson('{"key1":"var1","key2":{"arr":[1,2,3]}}'))$o.key2.arr[0]`, nil, "1"},
		renderCase{"parseJson string", `$util.parseJson('"string"')`, nil, "string"},
		renderCase{"parseJson number", `#set($n = $util.parseJson("1"))#if($n == 1)one#end`, nil, "one"},
		renderCase{"parseJson boolean", `#if($util.parseJson("true"))yes#end`, nil, "yes"},
		renderCase{"parseJson empty array", `$util.parseJson("[]").size()`, nil, "0"},
		renderCase{"escapeJavaScript of input.json",
			`$util.escapeJavaScript($input.json('$.message'))`,
			body(`{"action":"$default","message":"foobar"}`), `\"foobar\"`},
		// LocalStack renders "[]" here; a definite path that finds nothing is
		// empty in our reading of the reference (http-and-rest-apis.md §VTL).
		renderCase{"no JSON payload", `$util.escapeJavaScript($input.json('$.message'))`, body(`"#foobar123"`), ""},
		renderCase{"booleans in JSON from a string", `{"mybool": $boolTrue}`, &Data{Vars: map[string]any{"boolTrue": "true"}}, `{"mybool": true}`},
		renderCase{"booleans in JSON from a bool", `{"mybool": $boolTrue}`, &Data{Vars: map[string]any{"boolTrue": true}}, `{"mybool": true}`},
		renderCase{"literal false", `{"mybool": false}`, nil, `{"mybool": false}`},
	)
	runCases(t, cases)
}

const lsTemplateJSON = `

#set( $body = $input.json("$") )
#define( $loop )
{
    #foreach($e in $map.keySet())
       #set( $k = $e )
       #set( $v = $map.get($k))
       "$k": "$v"
       #if( $foreach.hasNext ) , #end
    #end
}
#end
  {
    "body": $body,
    "method": "$context.httpMethod",
    "principalId": "$context.authorizer.principalId",
    "stage": "$context.stage",
    "cognitoPoolClaims" : {
       "sub": "$context.authorizer.claims.sub"
    },
    #set( $map = $context.authorizer )
    "enhancedAuthContext": $loop,

    #set( $map = $input.params().header )
    "headers": $loop,

    #set( $map = $input.params().querystring )
    "query": $loop,

    #set( $map = $input.params().path )
    "path": $loop,

    #set( $map = $context.identity )
    "identity": $loop,

    #set( $map = $stageVariables )
    "stageVariables": $loop,

    "requestPath": "$context.resourcePath"
}

#set($context.requestOverride.header.oHeader = "1header")
#set($context.requestOverride.header.multivalue = ["1header", "2header"])
#set($context.requestOverride.path.proxy = "proxy")
#set($context.requestOverride.querystring.query = "query")
`

// TestLocalStackCustomTemplate is LocalStack's test_render_custom_template
// (JSON flavour): the output parses as JSON with these members, and the
// request overrides come back in the context.
func TestLocalStackCustomTemplate(t *testing.T) {
	data := &Data{
		Body: []byte(`{"spam": "eggs"}`),
		Params: Params{
			Path:        map[string]string{"proxy": "path"},
			QueryString: map[string]string{"baz": "test"},
			Header:      map[string]string{"content-type": "application/json", "accept": "application/json"},
		},
		Context: map[string]any{
			"httpMethod":   "POST",
			"stage":        "local",
			"authorizer":   map[string]any{"principalId": "12233"},
			"identity":     map[string]any{"accountId": "00000", "apiKey": "11111"},
			"resourcePath": "/{proxy}",
		},
		StageVariables: map[string]string{"stageVariable1": "value1", "stageVariable2": "value2"},
	}
	out := mustRender(t, lsTemplateJSON, data)
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	want := map[string]any{
		"body":                map[string]any{"spam": "eggs"},
		"method":              "POST",
		"principalId":         "12233",
		"stage":               "local",
		"cognitoPoolClaims":   map[string]any{"sub": ""},
		"enhancedAuthContext": map[string]any{"principalId": "12233"},
		"headers":             map[string]any{"content-type": "application/json", "accept": "application/json"},
		"query":               map[string]any{"baz": "test"},
		"path":                map[string]any{"proxy": "path"},
		"identity":            map[string]any{"accountId": "00000", "apiKey": "11111"},
		"stageVariables":      map[string]any{"stageVariable1": "value1", "stageVariable2": "value2"},
		"requestPath":         "/{proxy}",
	}
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("got  %s\nwant %s", gotJSON, wantJSON)
	}
	// A multi-value header is a list literal; the caller reads it as []any.
	o, _ := json.Marshal(data.Context["requestOverride"])
	if want := `{"header":{"multivalue":["1header","2header"],"oHeader":"1header"},"path":{"proxy":"proxy"},"querystring":{"query":"query"}}`; string(o) != want {
		t.Errorf("requestOverride = %s\nwant              %s", o, want)
	}
}

func TestLanguage(t *testing.T) {
	runCases(t, []renderCase{
		{"set and reference", `#set($a = "x")$a${a}$!a$!{a}`, nil, "xxxx"},
		{"set null keeps the old value (Velocity 1.7)", `#set($a = 1)#set($a = $nothing)$a`, nil, "1"},
		{"if elseif else", `#foreach($i in [1..3])#if($i == 1)one#elseif($i == 2)two#else other#end;#end`, nil, "one;two; other;"},
		{"word operators", `#if(1 lt 2 and not false or 1 eq 2)y#end#if(2 ge 2 && 3 le 3 && 1 ne 2 && 3 gt 2)z#end`, nil, "yz"},
		{"empty string is true (Velocity 1.7)", `#if("")t#else f#end #if($missing)t#else f#end`, nil, "t  f"},
		{"integer arithmetic", `#set($x = 7 / 2)$x #set($y = 7 % 3)$y #set($z = 2 * 3 + 1 - 4)$z`, nil, "3 1 3"},
		{"decimal arithmetic", `#set($x = 7.0 / 2)$x #set($y = 1 + 0.5)$y`, nil, "3.5 1.5"},
		{"string concatenation with +", `#set($s = "a" + 1 + 2)$s`, nil, "a12"},
		{"string plus null concatenates the reference's text (Velocity 1.7)", `#set($s = "a" + $nothing)$s #set($t = $no.thing + "b")$t`, nil, "a$nothing $no.thing" + "b"},
		{"number plus null is null", `#set($n = 1)#set($n = 1 + $nothing)$n`, nil, "1"},
		{"division by zero is null", `#set($x = 1)#set($x = 1 / 0)$x`, nil, "1"},
		{"range down", `#foreach($i in [3..1])$i#end`, nil, "321"},
		{"list and map literals", `#set($l = [1, "a", true])$l $l.size() #set($m = {"k": 1, "j": [1, 2]})$m $m.k`, nil, "[1, a, true] 3 {k=1, j=[1, 2]} 1"},
		{"foreach state", `#foreach($x in ["a","b","c"])$foreach.index$foreach.count$velocityCount$x#if($foreach.hasNext),#end#end`, nil, "011a,122b,233c"},
		{"foreach first last", `#foreach($x in [1,2])$foreach.first$foreach.last #end`, nil, "truefalse falsetrue "},
		{"foreach over a map walks values", `#foreach($v in $input.path('$'))$v#end`, body(`{"b":1,"a":2}`), "12"},
		{"nested foreach and parent", `#foreach($a in [1,2])#foreach($b in [1,2])$foreach.parent.count$b #end#end`, nil, "11 12 21 22 "},
		{"break", `#foreach($i in [1..5])#if($i == 3)#break#end$i#end.`, nil, "12."},
		{"stop", `a#stop b`, nil, "a"},
		{"foreach restores its variable", `#set($i = "x")#foreach($i in [1])$i#end$i`, nil, "1x"},
		{"foreach stops silently at 1000", `#set($n = 0)#foreach($i in [1..1500])#set($n = $n + 1)#end$n`, nil, "1000"},
		{"macro", `#macro(greet $who $p)Hello $who$p#end#greet("you" "!") #greet("me", ".")`, nil, "Hello you! Hello me."},
		{"macro used before its definition", `#tag("x")#macro(tag $v)<$v>#end`, nil, "<x>"},
		{"define", `#define($d)[$x]#end#set($x = 1)$d#set($x = 2)$d`, nil, "[1][2]"},
		{"line comment", "a## comment\nb", nil, "ab"},
		{"block comment", "a#* multi\nline *#b", nil, "ab"},
		{"unparsed block", `#[[$notref #if]]#`, nil, "$notref #if"},
		{"escaped reference and directive", `\$a \#if \\$a`, &Data{Vars: map[string]any{"a": "v"}}, `$a #if \v`},
		{"backslashes elsewhere stay", `"\\d+" "\n" \x`, nil, `"\\d+" "\n" \x`},
		{"unknown directive is text", `#foo #1 # $ $1 a#b`, nil, `#foo #1 # $ $1 a#b`},
		{"dollar amounts stay", `costs $5.00 or $ 3`, nil, `costs $5.00 or $ 3`},
		{"a trailing dot is text", `$a.`, &Data{Vars: map[string]any{"a": "v"}}, `v.`},
		{"formal reference before text", `${a}b $a-b`, &Data{Vars: map[string]any{"a": "v", "a-b": "h"}}, `vb h`},
		{"hyphen in property names", `$input.params().header.x-api-key`, &Data{Params: Params{Header: map[string]string{"x-api-key": "k"}}}, `k`},
		{"interpolated and literal strings", `#set($n = "w")#set($s = "hi $n ${n}!")$s #set($t = 'hi $n')$t`, nil, "hi w w! hi $n"},
		{"doubled quotes", `#set($s = "say ""hi""")$s #set($t = 'it''s')$t`, nil, `say "hi" it's`},
		{"unicode escape in a string", `#set($s = "\u0041")$s`, nil, "A"},
		{"index and bracket access", `$input.path('$.l')[1] $input.path('$')["k"] $input.path('$.l').get(0)`, body(`{"k":"v","l":[1,2]}`), "2 v 1"},
		{"out of range index is null", `[$input.path('$.l')[5]]`, body(`{"l":[1]}`), "[]"},
		{"comparison of strings", `#if("a" == "a" && "a" != "b" && "a" < "b")y#end`, nil, "y"},
		{"numbers compare across kinds", `#if(1 == 1.0 && 2 > 1.5)y#end`, nil, "y"},
		{"floats print as Java doubles", `$input.path('$.a') $input.path('$.b') $input.path('$.c') $input.path('$.d')`, body(`{"a":1.0,"b":1e21,"c":0.0001,"d":12345678.9}`), "1.0 1.0E21 1.0E-4 1.23456789E7"},
		{"big integers stay integers", `$input.path('$.n')`, body(`{"n":9007199254740993}`), "9007199254740993"},
		{"quiet method on null", `[$!x.y()]`, nil, "[]"},
		{"not", `#if(!$x)a#end#if(! true)b#end`, nil, "a"},
		{"negative numbers", `#set($x = -2)$x #set($y = 1 - -2)$y #set($z = -$x)$z`, nil, "-2 3 2"},
		{"formal directives", `#{if}(true)a#{else}b#{end}`, nil, "a"},
	})
}

func TestWhitespace(t *testing.T) {
	runCases(t, []renderCase{
		{"directive lines vanish", "a\n#set($x = 1)\nb\n", nil, "a\nb\n"},
		{"indented directive lines vanish", "{\n  #if(true)\n  \"a\": 1\n  #end\n}", nil, "{\n  \"a\": 1\n}"},
		{"two directives on a line", "a\n  #set($x = 1) #set($y = 2)\nb", nil, "a\nb"},
		{"text beside a directive keeps the line", "a #set($x = 1)\nb", nil, "a \nb"},
		{"inline if keeps the line", "[#if(true) , #end]\n", nil, "[ , ]\n"},
		{"foreach body lines", "#foreach($i in [1,2])\n  $i\n#end\n", nil, "  1\n  2\n"},
		{"CRLF", "a\r\n#set($x = 1)\r\nb", nil, "a\r\nb"},
		{"comment line", "a\n  ## note\nb", nil, "a\nb"},
		{"first line", "#set($x = 1)\n$x", nil, "1"},
		{"last line without newline", "a\n#set($x = 1)", nil, "a\n"},
	})
}

func TestMethods(t *testing.T) {
	vars := &Data{Vars: map[string]any{"s": " Hello World ", "e": ""}}
	runCases(t, []renderCase{
		{"string basics", `$s.trim().toLowerCase()|$s.toUpperCase()|$s.length()|$e.isEmpty()|$s.isEmpty()`, vars, "hello world| HELLO WORLD |13|true|false"},
		{"contains starts ends", `$s.contains("World") $s.trim().startsWith("He") $s.trim().endsWith("ld") $s.startsWith("H", 1)`, vars, "true true true true"},
		{"indexOf substring", `$s.indexOf("o") $s.indexOf("o", 6) $s.lastIndexOf("o") $s.substring(1, 6) $s.trim().substring(6)`, vars, "5 8 8 Hello World"},
		{"replace is literal", `#set($r = "a.b.c")$r.replace(".", "-")`, nil, "a-b-c"},
		{"replaceAll with groups", `#set($r = "2024-01-31")$r.replaceAll("(\d+)-(\d+)-(\d+)", "$3/$2/$1")`, nil, "31/01/2024"},
		{"replaceAll named group and escaped dollar", `#set($r = "ab")$r.replaceAll("(?<x>a)", "\$\${x}")`, nil, "$ab"},
		{"replaceFirst", `#set($r = "aaa")$r.replaceFirst("a", "b")`, nil, "baa"},
		{"matches is whole-string", `#set($r = "Invalid input")$r.matches("Invalid*") $r.matches("Invalid.*")`, nil, "false true"},
		{"split drops trailing empties", `#set($r = "a,b,,c,,")$r.split(",") $r.split(",").size() $r.split(",", -1).size()`, nil, "[a, b, , c] 4 6"},
		{"split with a POSIX class", `#set($r = "a1b22c")$r.split("\p{Digit}+")`, nil, "[a, b, c]"},
		{"equals", `#set($r = "a")$r.equals("a") $r.equalsIgnoreCase("A") $r.concat("b") $r.charAt(0)`, nil, "true true ab a"},
		{"toString", `$input.path('$.n').toString()`, body(`{"n":5}`), "5"},
		{"list methods", `#set($l = [1, "b"])$l.size() $l.get(1) $l.contains("b") $l.contains(2) $l.isEmpty() $l.add(3) $l`, nil, "2 b true false false true [1, b, 3]"},
		{"map methods", `#set($m = {"a": 1})$m.put("b", 2)$m.size() $m.containsKey("b") $m.get("a") $m.keySet() $m.values() $m.entrySet() $m.isEmpty()`, nil, "2 true 1 [a, b] [1, 2] [a=1, b=2] false"},
		{"entries", `#foreach($e in $input.path('$').entrySet())$e.key=$e.value;$e.getKey()#end`, body(`{"x":1,"y":"z"}`), "x=1;xy=z;y"},
		{"getter sugar", `#set($l = [])$l.empty`, nil, "true"},
		{"keySet keeps JSON order", `#foreach($k in $input.path('$').keySet())$k#end`, body(`{"z":1,"a":2,"m":3}`), "zam"},
		{"unknown method is null", `[$s.noSuchMethod()][$input.path('$').nope()]`, vars, "[][]"},
		{"put on a JSON object", `#set($o = $input.path('$'))#set($dummy = $o.put("n", 2))$input.json('$')`, body(`{"a":1}`), `{"a":1,"n":2}`},
		{"set a JSON member", `#set($o = $input.path('$'))#set($o.a = "x")$o`, body(`{"a":1}`), `{a=x}`},
		{"int value", `$input.path('$.f').intValue()`, body(`{"f":2.7}`), "2"},
	})
}

func TestJSONPath(t *testing.T) {
	doc := body(`{"store":{"book":[{"t":"a","p":8},{"t":"b","p":12}],"bike":{"p":19}},"k y":{"z":1}}`)
	runCases(t, []renderCase{
		{"definite path yields the value", `$input.json('$.store.book[1].t')`, doc, `"b"`},
		{"wildcard yields a list", `$input.json('$.store.book[*].t')`, doc, `["a","b"]`},
		{"recursive descent in document order", `$input.json('$..p')`, doc, `[8,12,19]`},
		{"filter", `$input.json('$.store.book[?(@.p > 10)].t')`, doc, `["b"]`},
		{"filter without parentheses", `$input.json('$.store.book[?@.p < 10].t')`, doc, `["a"]`},
		{"bracketed name", `$input.json("$['k y'].z")`, doc, `1`},
		{"path without $ is relative to the root", `$input.json('store.bike')`, doc, `{"p":19}`},
		{"indefinite path with no match is an empty list", `$input.json('$.nothing[*]')`, doc, `[]`},
		{"input.path indefinite is a list", `$input.path('$.store.book[*].p').size()`, doc, `2`},
		{"wildcard on an object keeps its order", `$input.json('$.store.*')`, doc, `[[{"t":"a","p":8},{"t":"b","p":12}],{"p":19}]`},
		{"whole document in order", `$input.json('$')`, body(`{"z":1,"a":[true,null,"s\n"]}`), `{"z":1,"a":[true,null,"s\n"]}`},
		{"path from a variable", `#set($p = '$.store.bike.p')$input.json($p)`, doc, `19`},
	})
}

func TestOverrides(t *testing.T) {
	data := &Data{}
	out := mustRender(t, `#set($context.responseOverride.status = 400)
#set($context.responseOverride.header.X-Err = "bad")
#set($context.requestOverride.querystring.q = "v")
#set($context.requestOverride.path.id = 7)
done`, data)
	if out != "done" {
		t.Errorf("out = %q", out)
	}
	b, _ := json.Marshal(data.Context)
	want := `{"requestOverride":{"path":{"id":7},"querystring":{"q":"v"}},"responseOverride":{"header":{"X-Err":"bad"},"status":400}}`
	if string(b) != want {
		t.Errorf("context = %s\nwant      %s", b, want)
	}
	// Existing context values stay; overrides are added next to them.
	data = &Data{Context: map[string]any{"stage": "prod", "responseOverride": map[string]any{}}}
	mustRender(t, `#set($context.responseOverride.status = 201)$context.responseOverride.status`, data)
	if data.Context["responseOverride"].(map[string]any)["status"] != int64(201) || data.Context["stage"] != "prod" {
		t.Errorf("context = %v", data.Context)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		tmpl      string
		line, col int
		msg       string
	}{
		{"#if($a)\nx", 1, 1, "#if without #end"},
		{"a\n#end", 2, 1, "#end without"},
		{"a\n  #set($a 1)", 2, 11, "expected '='"},
		{"#else", 1, 1, "#else without #if"},
		{"x $a.replaceAll(\"(?=a)\", \"\")", 1, 6, "look-ahead"},
		{"x\n$s.matches('(a)\\1')", 2, 4, "backreferences"},
		{"$s.split('a++')", 1, 4, "possessive"},
		{"$input.json('$.[')", 1, 8, "invalid JSONPath"},
		{"#foreach($x of $y)#end", 1, 13, "expected 'in'"},
		{"#set($a = 'x)", 1, 11, "unterminated string"},
		{"#* open", 1, 1, "unterminated #*"},
		{"é#if(", 1, 6, "expected an expression"},
	}
	for _, c := range cases {
		_, err := Parse(c.tmpl)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q) = %v, want *Error", c.tmpl, err)
			continue
		}
		if e.Line != c.line || e.Col != c.col || !strings.Contains(e.Msg, c.msg) {
			t.Errorf("Parse(%q) = %d:%d %q, want %d:%d %q", c.tmpl, e.Line, e.Col, e.Msg, c.line, c.col, c.msg)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	cases := []struct {
		name, tmpl, msg string
		l               limits
	}{
		{"substring out of range", "\n$s.substring(5)", "2:4", defaultLimits},
		{"runtime regexp", `#set($p = "(?<=a)b")$s.replaceAll($p, "")`, "look-behind", defaultLimits},
		{"output limit", `#foreach($i in [1..100])0123456789#end`, "exceeds", limits{1000, 500, 20, 1e6}},
		{"doubling strings", `#set($s = "ab")#foreach($i in [1..60])#set($s = "$s$s")#end`, "exceeds", limits{1000, 1 << 20, 20, 1e6}},
		{"steps", `#foreach($a in [1..1000])#foreach($b in [1..1000])#end#end`, "budget", limits{1000, 1 << 20, 20, 100000}},
		{"macro recursion", `#macro(r)#r()#end#r()`, "nested too deeply", defaultLimits},
		{"define recursion", `#define($d)$d#end$d`, "nested too deeply", defaultLimits},
		{"self-containing list", `#set($l = [])#set($x = $l.add($l))$l`, "too deeply", defaultLimits},
		{"parseJson of bad JSON", `$util.parseJson("{")`, "not valid JSON", defaultLimits},
		{"bad replacement", `$s.replaceAll("a", "$2")`, "no group 2", defaultLimits},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tp, err := Parse(c.tmpl)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tp.render(&Data{Vars: map[string]any{"s": "abc"}}, c.l)
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("err = %v, want *Error containing %q", err, c.msg)
			}
		})
	}
}

func TestEscapeJavaScript(t *testing.T) {
	cases := map[string]string{
		"a'b\"c\\d/e":    `a\'b\"c\\d\/e`,
		"\b\f\n\r\t\x01": `\b\f\n\r\t\u0001`,
		"é€😀":            `\u00E9\u20AC\uD83D\uDE00`,
	}
	for in, want := range cases {
		if got := escapeJavaScript(in, MaxOutput); got != want {
			t.Errorf("escapeJavaScript(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestJavaRegexp(t *testing.T) {
	ok := []struct{ pattern, input, want string }{
		{`\p{Alpha}+`, "ab1", "ab"},
		{`[\p{Alpha}_]+`, "a_b1", "a_b"},
		{`\P{Digit}+`, "ab1", "ab"},
		{`\h+`, " \t x", " \t "},
		{`(?<year>\d{4})`, "in 2024", "2024"},
		{`\Qa.b\E`, "xa.b", "a.b"},
		{`[a-c&]+`, "&ab", "&ab"},
		{`\u0041\x42\0103`, "ABC", "ABC"},
		{`(?i)abc`, "ABC", "ABC"},
		{`(?d)a.c`, "abc", "abc"},
		{`\s+`, "a \x0b b", " \x0b "},
		{`a{2}`, "aaa", "aa"},
		{`\p{L}+`, "héllo", "héllo"},
		{`\p{IsLatin}+`, "héllo", "héllo"},
	}
	for _, c := range ok {
		re, err := CompileJavaRegexp(c.pattern)
		if err != nil {
			t.Errorf("CompileJavaRegexp(%q): %v", c.pattern, err)
			continue
		}
		if got := re.FindString(c.input); got != c.want {
			t.Errorf("%q on %q = %q, want %q", c.pattern, c.input, got, c.want)
		}
	}
	bad := map[string]string{
		`(?=a)`:        "look-ahead",
		`(?!a)`:        "look-ahead",
		`(?<=a)`:       "look-behind",
		`(?<!a)`:       "look-behind",
		`(a)\1`:        "backreferences",
		`(?<n>a)\k<n>`: "backreferences",
		`(?>a)`:        "atomic",
		`a*+`:          "possessive",
		`a{1,2}+`:      "possessive",
		`[a-z&&[^b]]`:  "intersections",
		`(?x) a`:       "comments mode",
		`\p{InGreek}`:  "Unicode blocks",
		`a\Z`:          `\Z`,
		`\G`:           `\G`,
		`(`:            "invalid regular expression",
	}
	for pattern, want := range bad {
		_, err := CompileJavaRegexp(pattern)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CompileJavaRegexp(%q) = %v, want an error containing %q", pattern, err, want)
		}
	}
}

// TestSelectionPatterns pins the whole-string match rules of
// selectionPattern (rest-apis.md §1.3).
func TestSelectionPatterns(t *testing.T) {
	cases := []struct {
		pattern, input string
		want           bool
	}{
		{"Invalid*", "Invalid input", false},
		{"Invalid.*", "Invalid input", true},
		{".+", "line1\nline2", false},
		{"(\\n|.)*", "line1\nline2", true},
		{"(\\n|.)*", "", true},
		{"4\\d{2}", "404", true},
		{"4\\d{2}", "4040", false},
		{"2\\d{2}|302", "302", true},
		{".*", "", true},
	}
	for _, c := range cases {
		re, err := CompileJavaRegexpWhole(c.pattern)
		if err != nil {
			t.Fatalf("CompileJavaRegexpWhole(%q): %v", c.pattern, err)
		}
		if got := re.MatchString(c.input); got != c.want {
			t.Errorf("%q matches %q = %v, want %v", c.pattern, c.input, got, c.want)
		}
	}
}

func TestJavaDouble(t *testing.T) {
	cases := map[float64]string{1: "1.0", 0.5: "0.5", 100: "100.0", 1e7: "1.0E7", 1.5e-5: "1.5E-5", 0.001: "0.001", -2.25: "-2.25", 1234567.5: "1234567.5"}
	for f, want := range cases {
		if got := javaDouble(f); got != want {
			t.Errorf("javaDouble(%v) = %q, want %q", f, got, want)
		}
	}
}

// TestConcurrentRender renders one Template from many goroutines (run
// with -race).
func TestConcurrentRender(t *testing.T) {
	tp, err := Parse(benchTemplate)
	if err != nil {
		t.Fatal(err)
	}
	want, err := tp.Render(benchData())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				got, err := tp.Render(benchData())
				if err != nil || got != want {
					t.Errorf("concurrent render differs: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestReplaceAllBound(t *testing.T) {
	tp, err := Parse(`#set($s = "aaaaaaaaaa")$s.replaceAll("", $r)`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tp.render(&Data{Vars: map[string]any{"r": strings.Repeat("x", 100)}}, limits{1000, 1000, 20, 1e6})
	if err == nil || !strings.Contains(err.Error(), "exceeds") {
		t.Errorf("err = %v", err)
	}
	out, err := tp.render(&Data{Vars: map[string]any{"r": "-"}}, limits{1000, 1000, 20, 1e6})
	if err != nil || out != "-a-a-a-a-a-a-a-a-a-a-" {
		t.Errorf("out = %q, %v", out, err)
	}
}

func TestSelfReferencesEnd(t *testing.T) {
	for _, src := range []string{
		`#set($context.a = $context)#set($context.b = $context)#set($context.c = $context)done`,
		`#set($l = [])#set($x = $l.add($l))#set($x = $l.add($l))#set($context.l = $l)done`,
		`#set($m = {})#set($m.a = $m)#set($m.b = $m)#set($m.c = $m)#if($m == $m)#end done`,
	} {
		tp, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		tp.render(&Data{Context: map[string]any{}}, limits{1000, 1 << 16, 20, 1e6})
	}
}

// TestDoubleQuotedLiteralsCompileAtParse checks that a double-quoted
// argument with nothing to interpolate is a literal: its JSONPath and
// regular expression are checked by Parse.
func TestDoubleQuotedLiteralsCompileAtParse(t *testing.T) {
	for _, src := range []string{`$input.json("$.[")`, `$s.matches("(?=x)$")`} {
		if _, err := Parse(src); err == nil {
			t.Errorf("Parse(%q) succeeded", src)
		}
	}
	if got := mustRender(t, `$input.json("$.a")`, body(`{"a":[1]}`)); got != "[1]" {
		t.Errorf("got %q", got)
	}
}

func TestMore(t *testing.T) {
	runCases(t, []renderCase{
		{"urlDecode escapes", `$util.urlDecode("%C3%BC%2b+x%7E")`, nil, "ü+ x~"},
		{"JSON unicode escapes", `$input.path('$.s') $input.json('$.s')`, body(`{"s":"\u00e9\ud83d\ude00\n\/\"\\"}`), "é😀\n/\"\\ \"é😀\\n/\\\"\\\\\""},
		{"map remove keeps order", `#set($m = {"a": 1, "b": 2, "c": 3})#set($x = $m.remove("b"))$x $m $m.containsValue(3)`, nil, "2 {a=1, c=3} true"},
		{"define inside a list", `#define($d)x$i#end#set($i = 1)#set($l = [$d, 2])$l`, nil, "[x1, 2]"},
		{"define toString", `#define($d)y#end$d.toString().length()`, nil, "1"},
		{"stage variables map", `$stageVariables $stageVariables.size() #foreach($v in $stageVariables)$v#end`, &Data{StageVariables: map[string]string{"b": "2", "a": "1"}}, "{a=1, b=2} 2 12"},
		{"put into a caller's string map", `#set($x = $stageVariables.put("c", 3))$stageVariables.c`, &Data{StageVariables: map[string]string{}}, "3"},
		{"Go values from Vars", `$i $f $l $sl $m`, &Data{Vars: map[string]any{"i": 3, "f": float32(0.5), "l": []any{1, "a"}, "sl": []string{"x", "y"}, "m": map[string]string{"k": "v"}}}, `3 0.5 [1,"a"] [x, y] {k=v}`},
		{"JSON of template lists and entries", `#set($context.x = 1)$input.json('$')`, body(`[1,2]`), "[1,2]"},
		{"break outside a loop ends the template", `a#break b`, nil, "a"},
		{"break in a macro ends the macro", `#macro(m)x#break y#end#m()z`, nil, "xz"},
		{"stop in a loop", `#foreach($i in [1..3])$i#if($i == 2)#stop#end#end tail`, nil, "12"},
		{"macro with a missing argument", `#macro(m $a $b)[$a|$b]#end#m(1)`, nil, "[1|]"},
		{"floats", `#set($x = 0.1 + 0.2)$x #set($y = 10.0 / 4)$y`, nil, "0.30000000000000004 2.5"},
	})
	if tp, _ := Parse("src"); tp.Source() != "src" {
		t.Error("Source")
	}
	if _, err := mustParse(t, `$util.urlDecode("%G1")`).Render(nil); err == nil {
		t.Error("urlDecode of a bad escape succeeded")
	}
	if _, err := mustParse(t, `$util.base64Decode("***")`).Render(nil); err == nil {
		t.Error("base64Decode of *** succeeded")
	}
}

func mustParse(tb testing.TB, src string) *Template {
	tb.Helper()
	tp, err := Parse(src)
	if err != nil {
		tb.Fatal(err)
	}
	return tp
}

// TestAWSDocExamples holds the examples of AWS's mapping template
// reference (APIGW-DG api-gateway-mapping-template-reference.md) with
// their documented inputs and outputs.
func TestAWSDocExamples(t *testing.T) {
	pets := body(`[{"id": 1, "type": "dog", "price": 249.99}, {"id": 2, "type": "cat", "price": 124.99}, {"id": 3, "type": "fish", "price": 0.99}]`)
	runCases(t, []renderCase{
		{"$util.parseJson example, output exactly as documented",
			"#set ($errorMessageObj = $util.parseJson($input.path('$.errorMessage')))\n{\n   \"errorMessageObjKey2ArrVal\" : $errorMessageObj.key2.arr[0]\n}\n",
			body(`{"errorMessage":"{\"key1\":\"var1\",\"key2\":{\"arr\":[1,2,3]}}"}`),
			"{\n   \"errorMessageObjKey2ArrVal\" : 1\n}\n"},
		{"$input.path('$.pets').count() returns 3", `"$input.path('$').count()"`, pets, `"3"`},
		{"$input.path('$.pets').size()", `"$input.path('$').size()"`, pets, `"3"`},
		// The documented Response shows the backend's view; the template's
		// own output has the "id" and "count" strings and the escaped JSON.
		{"request and response using $input (/things/{id})",
			"{\n    \"id\" : \"$input.params('id')\",\n    \"count\" : \"$input.path('$.things').size()\",\n    \"things\" : $util.escapeJavaScript($input.json('$.things'))\n}",
			&Data{Body: []byte("{\n    \"things\" : {\n        \"1\" : {},\n        \"2\" : {},\n        \"3\" : {}\n    }\n}"), Params: Params{Path: map[string]string{"id": "abc"}}},
			"{\n    \"id\" : \"abc\",\n    \"count\" : \"3\",\n    \"things\" : {\\\"1\\\":{},\\\"2\\\":{},\\\"3\\\":{}}\n}"},
		{"name from the query string and the whole body",
			"{\n    \"name\" : \"$input.params('name')\",\n    \"body\" : $input.json('$') \n}",
			&Data{Body: []byte(`{"mykey": {"a": [1, 2]}}`), Params: Params{QueryString: map[string]string{"name": "Ann"}}},
			"{\n    \"name\" : \"Ann\",\n    \"body\" : {\"mykey\":{\"a\":[1,2]}} \n}"},
		{"a property of the body",
			"{\n    \"name\" : \"$input.params('name')\",\n    \"body\" : $input.json('$.mykey')  \n}",
			&Data{Body: []byte(`{"mykey": {"a": [1, 2]}}`), Params: Params{QueryString: map[string]string{"name": "Ann"}}},
			"{\n    \"name\" : \"Ann\",\n    \"body\" : {\"a\":[1,2]}  \n}"},
		{"$context example",
			`{"stage" : "$context.stage", "request_id" : "$context.requestId", "api_key" : "$context.identity.apiKey"}`,
			&Data{Context: map[string]any{"stage": "prod", "requestId": "abcdefg-000-000-0000-abcdefg", "identity": map[string]any{"apiKey": "MyTestKey"}}},
			`{"stage" : "prod", "request_id" : "abcdefg-000-000-0000-abcdefg", "api_key" : "MyTestKey"}`},
		{"authorizer context values are stringified by the caller",
			`$context.authorizer.key $context.authorizer.numKey $context.authorizer.boolKey`,
			&Data{Context: map[string]any{"authorizer": map[string]any{"key": "value", "numKey": "1", "boolKey": "true"}}},
			`value 1 true`},
	})
}

// TestSharedContextMapsStayUntouched renders concurrently with one map
// shared by every request's context (run with -race): reading it must not
// write it.
func TestSharedContextMapsStayUntouched(t *testing.T) {
	shared := map[string]any{"claims": map[string]any{"sub": "u1"}, "n": int64(1)}
	tp := mustParse(t, `#set($context.responseOverride.status = 201)$context.authorizer.claims.sub`)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				out, err := tp.Render(&Data{Context: map[string]any{"authorizer": shared}})
				if err != nil || out != "u1" {
					t.Errorf("out %q, %v", out, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
