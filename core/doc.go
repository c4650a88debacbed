// Package core is Langganan's domain: plans, users, subscriptions, payments,
// invoices, wallets and the rules that move money between them.
//
// It depends only on the standard library and shopspring/decimal. Everything
// with I/O (storage, the payment gateway, notification channels, the clock)
// is reached through the ports declared in ports.go and supplied by adapters.
package core
