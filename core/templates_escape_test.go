package core

import (
	"strings"
	"testing"
)

// Every HTML the service renders escapes what users supplied: a plan or
// user name with markup shows as text in the email's HTML part.
func TestEmailHTMLEscapesNames(t *testing.T) {
	for _, typ := range []string{"payment.succeeded", "subscription.activated", "invoice.issued", "no.such.type"} {
		r, err := renderMessage(typ, "en", messageView{Name: `<script>alert(1)</script>`, PlanName: `<img src=x onerror=alert(2)>`,
			OrderID: `"><b>o</b>`})
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range []string{"<script>", "<img", "<b>o</b>"} {
			if strings.Contains(r.HTML, raw) {
				t.Errorf("%s: HTML carries %q unescaped", typ, raw)
			}
		}
	}
}
