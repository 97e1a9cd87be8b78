package control_test

import (
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/control"
)

// A control plane whose Apply prints what it is given. Portico passes
// Server.Apply; an HTTP API made by quick create is applied at once.
func ExampleNew() {
	c, err := control.New(control.Config{
		File: &config.File{Admin: "127.0.0.1:9090"},
		Apply: func(f *config.File) error {
			if err := config.Validate(f, "control plane"); err != nil {
				return err
			}
			for _, a := range f.APIs {
				fmt.Println("applied", a.Name, a.ProtocolType, "stage", a.Stages[0].StageName)
			}
			return nil
		},
		AllowUnsigned: true, // from loopback only
	})
	if err != nil {
		panic(err)
	}
	req := httptest.NewRequest("POST", "/v2/apis", strings.NewReader(
		`{"name":"web","protocolType":"HTTP","target":"http://127.0.0.1:9000/"}`))
	req.RemoteAddr = "127.0.0.1:50000"
	res := httptest.NewRecorder()
	c.ServeHTTP(res, req)
	fmt.Println(res.Code, res.Header().Get("Content-Type"))
	// Output:
	// applied web HTTP stage $default
	// 201 application/json
}
