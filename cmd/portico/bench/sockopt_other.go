//go:build !linux

package bench

import "syscall"

// bindAddressNoPort does nothing: IP_BIND_ADDRESS_NO_PORT is Linux's, and
// elsewhere option 24 means something else or nothing. The scenarios with
// the most connections need Linux's many 127.0.0.x sources anyway.
func bindAddressNoPort(network, address string, c syscall.RawConn) error {
	return nil
}
