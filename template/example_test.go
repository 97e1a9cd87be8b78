package template_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/portico-gw/portico/template"
)

// ExampleLoad loads a SAM template whose function serves GET /hello on
// the implicit ServerlessRestApi, stage Prod.
func ExampleLoad() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.yaml")
	err = os.WriteFile(path, []byte(`Transform: AWS::Serverless-2016-10-31
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: .
      Events:
        Hello:
          Type: Api
          Properties: {Path: /hello, Method: get}
`), 0o644)
	if err != nil {
		log.Fatal(err)
	}
	f, err := template.Load(path, template.Options{Region: "eu-west-1"})
	if err != nil {
		log.Fatal(err)
	}
	api := f.RestAPIs[0]
	fmt.Println(f.Functions[0].FunctionName, api.Name, api.Stages[0].StageName)
	fmt.Println(api.Resources[1].Path, api.Resources[1].ResourceMethods["GET"].MethodIntegration.URI)
	// Output:
	// HelloFunction ServerlessRestApi Prod
	// /hello arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:000000000000:function:HelloFunction/invocations
}
