// Package compat holds conformance tests that drive the Midtrans emulator (adapters/fakemidtrans)
// with the official midtrans-go SDK, unmodified, and a headless-Chromium test of the simulator
// page. It is a nested module so that midtrans-go and chromedp stay out of the product's build.
//
// Run from this folder: go test -race ./...
package compat
