package http

import "github.com/langganan/langganan/adapters/internal/redact"

// redactGateway copies a Midtrans status object or payment details
// without their secrets, at any depth (adapters/internal/redact, which the
// web pages share). nil stays nil.
func redactGateway(m map[string]any) map[string]any { return redact.Gateway(m) }

// redactPayload is a stored notification body for the admin view, without
// its secrets.
func redactPayload(b []byte) string { return redact.Payload(b) }
