package config_test

import (
	"fmt"

	"github.com/portico-gw/portico/config"
)

func ExampleParse() {
	_, err := config.Parse("portico.yaml", []byte(`apis:
  - apiId: chat
    protocolType: WEBSOCKET
    routeSelectionExpression: $request.body.action
    integrations:
      - integrationId: backend
        integrationType: AWS_PROXY
        integrationUri: http://127.0.0.1:9000/events
    routes:
      - routeKey: $connect
        target: integrations/backend
      - routeKey: sendmessage
        target: integrations/backnd
    stages:
      - stageName: dev
    limits:
      idleTimeout: 600
`))
	fmt.Println(err)
	// Output:
	// portico.yaml:13:17: apis[0].routes[1].target: integration "backnd" not found (known: backend)
	// portico.yaml:17:20: apis[0].limits.idleTimeout: 600 has no unit: write a unit, e.g. 30s or 10m
}
