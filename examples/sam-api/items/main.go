// Command items is the sam-api example's REST API function: a Go handler
// built with aws-lambda-go, run by Portico as a provided.al2023 bootstrap
// (GOOS=linux go build -tags lambda.norpc -o build/items/bootstrap ./items).
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(_ context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	body, err := json.Marshal(map[string]any{
		"id":        req.PathParameters["id"],
		"resource":  req.Resource,
		"stage":     req.RequestContext.Stage,
		"backend":   req.StageVariables["backend"],
		"principal": req.RequestContext.Authorizer["principalId"],
		"greeting":  os.Getenv("GREETING"),
		"env":       os.Getenv("STAGE"),
	})
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	return events.APIGatewayProxyResponse{StatusCode: 200, Body: string(body),
		Headers: map[string]string{"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"}}, nil
}

func main() { lambda.Start(handle) }
