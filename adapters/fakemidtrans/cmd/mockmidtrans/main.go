// Command mockmidtrans serves the Midtrans emulator on its own, configured
// by the MOCKMIDTRANS_* variables:
//
//	go install github.com/langganan/langganan/adapters/fakemidtrans/cmd/mockmidtrans@latest
//	MOCKMIDTRANS_ADDR=127.0.0.1:8090 mockmidtrans -data emulator.db
package main

import "github.com/langganan/langganan/adapters/fakemidtrans/program"

func main() { program.Main() }
