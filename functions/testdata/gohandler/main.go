// Command gohandler is a Lambda function built with aws-lambda-go, used by
// the functions tests as a provided.al2023 bootstrap. The event's "action"
// says what to do.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Action string `json:"action"`
	Ms     int    `json:"ms"`
	Name   string `json:"name"`
}

func handle(ctx context.Context, e event) (map[string]any, error) {
	lc, _ := lambdacontext.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	switch e.Action {
	case "sleep":
		time.Sleep(time.Duration(e.Ms) * time.Millisecond)
	case "fail":
		return nil, errors.New("boom from go")
	case "crash":
		fmt.Println("about to crash")
		os.Exit(3)
	case "big":
		return map[string]any{"big": strings.Repeat("x", 7<<20)}, nil
	case "print":
		fmt.Println("hello from go")
	}
	return map[string]any{
		"hello":       e.Name,
		"pid":         os.Getpid(),
		"requestId":   lc.AwsRequestID,
		"arn":         lc.InvokedFunctionArn,
		"function":    lambdacontext.FunctionName,
		"memory":      lambdacontext.MemoryLimitInMB,
		"version":     lambdacontext.FunctionVersion,
		"remainingMs": time.Until(deadline).Milliseconds(),
		"env":         os.Getenv("GREETING"),
		"region":      os.Getenv("AWS_REGION"),
		"tz":          os.Getenv("TZ"),
		"handler":     os.Getenv("_HANDLER"),
		"taskRoot":    os.Getenv("LAMBDA_TASK_ROOT"),
		"logGroup":    os.Getenv("AWS_LAMBDA_LOG_GROUP_NAME"),
		"trace":       os.Getenv("_X_AMZN_TRACE_ID"),
	}, nil
}

func main() { lambda.Start(handle) }
