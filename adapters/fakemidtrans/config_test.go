package fakemidtrans

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestSimConfigSetsNotificationURLs(t *testing.T) {
	e, err := New(Options{ServerKey: "SB-Mid-server-x"})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, tc := range []struct {
		body string
		code int
	}{
		{`{"notification_url":"http://127.0.0.1:9/hook","recurring_notification_url":"http://127.0.0.1:9/r"}`, 200},
		{`{"notification_url":"ftp://x"}`, 400},
		{`{"bogus":1}`, 400},
		{`{`, 400},
	} {
		w := httptest.NewRecorder()
		e.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/_sim/config", strings.NewReader(tc.body)))
		if w.Code != tc.code {
			t.Errorf("POST /_sim/config %s = %d, want %d (%s)", tc.body, w.Code, tc.code, w.Body)
		}
	}
	u := e.currentURLs()
	if *u.NotificationURL != "http://127.0.0.1:9/hook" || *u.RecurringNotificationURL != "http://127.0.0.1:9/r" || *u.PayAccountNotificationURL != "" {
		t.Fatalf("urls = %s %s %s", *u.NotificationURL, *u.RecurringNotificationURL, *u.PayAccountNotificationURL)
	}
}
