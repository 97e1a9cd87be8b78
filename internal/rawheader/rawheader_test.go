package rawheader

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestFirstRequestKeepsClientSpelling(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 2)
	srv := &http.Server{
		ConnContext: ConnContext,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			names, ok := For(r)
			got <- fmt.Sprintf("%v %s %s %s", ok, names["Sec-Websocket-Key"], names["Authorization"], names["X-Custom"])
		}),
	}
	go srv.Serve(Listener(l))
	defer srv.Close()

	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	fmt.Fprint(c, "GET /dev HTTP/1.1\r\nHost: x\r\nSec-WebSocket-Key: k\r\nauthorization: t\r\nx-CUSTOM: 1\r\n\r\n")
	if s := <-got; s != "true Sec-WebSocket-Key authorization x-CUSTOM" {
		t.Errorf("first request: %q", s)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// The second request on the connection is not recorded.
	fmt.Fprint(c, "GET /other HTTP/1.1\r\nHost: x\r\nauthorization: t\r\n\r\n")
	if s := <-got; !strings.HasPrefix(s, "false") {
		t.Errorf("second request: %q, want not recorded", s)
	}
}
