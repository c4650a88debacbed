package fakemidtrans

import (
	"encoding/json"
	"net/http"
	"net/url"
)

// NotificationURLs are where the three kinds of notifications go.
type NotificationURLs struct {
	NotificationURL           *string `json:"notification_url,omitempty"`
	RecurringNotificationURL  *string `json:"recurring_notification_url,omitempty"`
	PayAccountNotificationURL *string `json:"pay_account_notification_url,omitempty"`
}

// SetNotificationURLs changes the notification targets at run time, like
// editing the dashboard's settings. A test harness that starts the
// emulator before the service it notifies needs this: the service's port
// is known only after the emulator is running. Nil fields are left alone.
func (e *Emulator) SetNotificationURLs(u NotificationURLs) {
	e.mu.Lock() // the notification builders read opts with e.mu held
	defer e.mu.Unlock()
	if u.NotificationURL != nil {
		e.opts.NotificationURL = *u.NotificationURL
	}
	if u.RecurringNotificationURL != nil {
		e.opts.RecurringNotificationURL = *u.RecurringNotificationURL
	}
	if u.PayAccountNotificationURL != nil {
		e.opts.PayAccountNotificationURL = *u.PayAccountNotificationURL
	}
}

func (e *Emulator) currentURLs() NotificationURLs {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, b, c := e.opts.NotificationURL, e.opts.RecurringNotificationURL, e.opts.PayAccountNotificationURL
	return NotificationURLs{NotificationURL: &a, RecurringNotificationURL: &b, PayAccountNotificationURL: &c}
}

// simConfig is POST /_sim/config: {"notification_url", "recurring_notification_url",
// "pay_account_notification_url"}; GET answers the current values.
func (e *Emulator) simConfig(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		writeJSON(w, 200, e.currentURLs())
		return
	}
	var u NotificationURLs
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&u); err != nil {
		writeJSON(w, 400, map[string]string{"error": "body must be {notification_url, recurring_notification_url, pay_account_notification_url}"})
		return
	}
	for _, p := range []*string{u.NotificationURL, u.RecurringNotificationURL, u.PayAccountNotificationURL} {
		if p == nil || *p == "" {
			continue
		}
		if pu, err := url.Parse(*p); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			writeJSON(w, 400, map[string]string{"error": "notification URLs must be absolute http(s) URLs"})
			return
		}
	}
	e.SetNotificationURLs(u)
	writeJSON(w, 200, e.currentURLs())
}
