package bench

import "syscall"

// bindAddressNoPort sets IP_BIND_ADDRESS_NO_PORT: with a source address
// bound, the port is chosen at connect time per destination, not at bind
// time per address, so many connections can share a source address.
func bindAddressNoPort(network, address string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, 24 /* IP_BIND_ADDRESS_NO_PORT */, 1)
	})
	if err != nil {
		return err
	}
	return serr
}
