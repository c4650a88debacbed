package http

import "github.com/langganan/langganan/core"

// snapDetail is a Snap payment's token or page address, shown at the top
// level of payment and top-up answers so a client can open the checkout.
func snapDetail(t core.PaymentType, details map[string]any, key string) string {
	if t != core.PaySnap {
		return ""
	}
	v, _ := details[key].(string)
	return v
}
