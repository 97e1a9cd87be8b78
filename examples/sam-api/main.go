// Command sam-api prints how to run the sam-api example: there is nothing
// to build into Portico; the template is served by
// `portico serve --template template.yaml` (see README.md).
package main

import "fmt"

func main() {
	fmt.Println(`sam-api: build the Go function, then serve the template:
  GOOS=linux go build -tags lambda.norpc -o build/items/bootstrap ./items
  go run ../../cmd/portico serve --template template.yaml`)
}
