package vtl_test

import (
	"fmt"

	"github.com/portico-gw/portico/vtl"
)

// The "Method Request passthrough" template that the API Gateway console
// offers (shortened context block, each "#if($foreach.hasNext),#end" moved
// to the end of the line before it): every parameter, stage variable and
// some context values, around the JSON body. Parameter maps list their
// names sorted; the escapeJavaScript of "/" is "\/".
func Example_passAllParams() {
	t, err := vtl.Parse(`#set($allParams = $input.params())
{
"body-json" : $input.json('$'),
"params" : {
#foreach($type in $allParams.keySet())
    #set($params = $allParams.get($type))
"$type" : {
    #foreach($paramName in $params.keySet())
    "$paramName" : "$util.escapeJavaScript($params.get($paramName))"#if($foreach.hasNext),#end
    #end
}#if($foreach.hasNext),#end
#end
},
"stage-variables" : {
#foreach($key in $stageVariables.keySet())
"$key" : "$util.escapeJavaScript($stageVariables.get($key))"#if($foreach.hasNext),#end
#end
},
"context" : {
    "http-method" : "$context.httpMethod",
    "stage" : "$context.stage",
    "resource-path" : "$context.resourcePath"
    }
}
`)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := t.Render(&vtl.Data{
		Body: []byte(`{"name": "Ann"}`),
		Params: vtl.Params{
			Path:        map[string]string{"id": "42"},
			QueryString: map[string]string{"q": `say "hi"`},
			Header:      map[string]string{"Accept": "application/json"},
		},
		StageVariables: map[string]string{"env": "prod"},
		Context:        map[string]any{"httpMethod": "POST", "stage": "prod", "resourcePath": "/items/{id}"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(out)
	// Output:
	// {
	// "body-json" : {"name":"Ann"},
	// "params" : {
	// "path" : {
	//     "id" : "42"
	// },
	// "header" : {
	//     "Accept" : "application\/json"
	// },
	// "querystring" : {
	//     "q" : "say \"hi\""
	// }
	// },
	// "stage-variables" : {
	// "env" : "prod"
	// },
	// "context" : {
	//     "http-method" : "POST",
	//     "stage" : "prod",
	//     "resource-path" : "/items/{id}"
	//     }
	// }
}

// An integration response template for a Lambda error selected by
// "Invalid.*": the error message goes to the client as JSON, and the
// status comes from the error type.
func Example_errorMapping() {
	t, err := vtl.Parse(`#set($error = $util.parseJson($input.path('$.errorMessage')))
#if($error.type == "NotFound")
#set($context.responseOverride.status = 404)
#end
{"message": "$util.escapeJavaScript($error.message)", "type": "$error.type"}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	data := &vtl.Data{Body: []byte(`{"errorMessage": "{\"type\": \"NotFound\", \"message\": \"Invalid id: 7\"}", "errorType": "Error"}`)}
	out, err := t.Render(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out)
	fmt.Println(data.Context["responseOverride"])
	// Output:
	// {"message": "Invalid id: 7", "type": "NotFound"}
	// map[status:404]
}

// A response template that overrides the status and a header, which the
// caller reads back from Data.Context after rendering.
func Example_responseOverride() {
	t, err := vtl.Parse(`#set($context.responseOverride.status = 400)
#set($context.responseOverride.header.Retry-After = "30")
{"error": "$input.path('$.reason')"}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	data := &vtl.Data{Body: []byte(`{"reason": "quota"}`)}
	out, err := t.Render(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	override := data.Context["responseOverride"].(map[string]any)
	fmt.Println(out)
	fmt.Println(override["status"], override["header"])
	// Output:
	// {"error": "quota"}
	// 400 map[Retry-After:30]
}

// Parse errors name the line and column inside the template.
func ExampleParse_error() {
	_, err := vtl.Parse("{\n  \"a\": \"$input.path('$.a').replaceAll('(?=x)', '')\"\n}")
	fmt.Println(err)
	// Output:
	// vtl: 2:28: replaceAll: look-ahead (?= (?! not supported (Go's RE2 engine)
}

// CompileJavaRegexpWhole gives selectionPattern's whole-string match.
func ExampleCompileJavaRegexpWhole() {
	for _, p := range []string{"Invalid*", "Invalid.*"} {
		re, err := vtl.CompileJavaRegexpWhole(p)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(p, re.MatchString("Invalid input"))
	}
	// Output:
	// Invalid* false
	// Invalid.* true
}
