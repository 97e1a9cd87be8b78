package functions_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/portico-gw/portico/functions"
)

// A Runtime runs a Python handler (app.py's lambda_handler in ./hello)
// for the API integrations that name its ARN, and serves it to the
// SDKs' Lambda clients on an Invoke endpoint.
func ExampleNew() {
	rt, err := functions.New(functions.Config{
		Functions: []functions.Function{{
			Name:    "hello",
			Runtime: "python3.12",
			Handler: "app.lambda_handler",
			CodeURI: "./hello",
			Timeout: 10 * time.Second,
		}},
		Region:    "eu-west-1",
		AccountID: "123456789012",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer rt.Shutdown(context.Background())

	out, err := rt.Invoke(context.Background(), &lambda.InvokeInput{
		FunctionName: aws.String("arn:aws:lambda:eu-west-1:123456789012:function:hello"),
		Payload:      []byte(`{"name": "Ana"}`),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(aws.ToString(out.FunctionError), string(out.Payload))

	mux := http.NewServeMux()
	mux.Handle(functions.InvokePath, rt.InvokeHandler(functions.InvokeAPIConfig{
		Credentials: map[string]string{"AKIDEXAMPLE": "secret"},
	}))
	log.Fatal(http.ListenAndServe("127.0.0.1:9090", mux))
}
