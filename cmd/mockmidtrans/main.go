// Command mockmidtrans serves the Midtrans emulator configured by the
// MOCKMIDTRANS_* variables (the README's emulator table). The program lives
// in the emulator's module (adapters/fakemidtrans/program), so this command
// and the one outsiders install from that module cannot drift apart.
package main

import "github.com/langganan/langganan/adapters/fakemidtrans/program"

func main() { program.Main() }
