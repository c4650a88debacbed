package midtrans

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"strings"
)

// Sign is Midtrans' signature_key: lowercase hex SHA-512 of
// order_id + status_code + gross_amount + server key, using the exact
// strings of the payload ("200", "49000.00").
func Sign(orderID, statusCode, grossAmount, serverKey string) string {
	h := sha512.New()
	h.Write([]byte(orderID))
	h.Write([]byte(statusCode))
	h.Write([]byte(grossAmount))
	h.Write([]byte(serverKey))
	return hex.EncodeToString(h.Sum(nil))
}

// VerifySignature checks a payment notification's (or GET status body's)
// signature_key in constant time. Upper-case hex is accepted.
func (c *Client) VerifySignature(orderID, statusCode, grossAmount, signatureKey string) bool {
	want := Sign(orderID, statusCode, grossAmount, c.ServerKey)
	got := strings.ToLower(strings.TrimSpace(signatureKey))
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// VerifyPayAccountSignature checks a pay-account notification. Midtrans does
// not document its formula (unconfirmed); the common scheme with
// account_id in place of order_id and an empty amount is assumed. Callers
// should confirm the account with GetPayAccount either way.
func (c *Client) VerifyPayAccountSignature(accountID, statusCode, signatureKey string) bool {
	return c.VerifySignature(accountID, statusCode, "", signatureKey)
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
