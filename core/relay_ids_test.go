package core

import (
	"strings"
	"testing"
)

// TestNotificationIDOrder: notification ids are stable per (event, channel,
// recipient) and, for time-ordered event ids, ordered by the event's time,
// so one run's notifications are stored side by side.
func TestNotificationIDOrder(t *testing.T) {
	early, late := "0195f3c2-7a10-7c3e-9a41-3f0d2b8c1e77", "0195f3c2-7b00-7000-8000-000000000001"
	a, b := notificationID(late, ChannelEmail, "x@example.com"), notificationID(early, ChannelEmail, "y@example.com")
	if a != notificationID(late, ChannelEmail, "x@example.com") {
		t.Fatal("not stable")
	}
	if a == notificationID(late, ChannelInApp, "x@example.com") || a == notificationID(late, ChannelEmail, "y@example.com") {
		t.Fatal("channel or recipient does not change the id")
	}
	if !(b < a) || !strings.HasPrefix(a, late[:13]) {
		t.Fatalf("ids %s (event %s) and %s (event %s) do not follow their events' times", b, early, a, late)
	}
	if _, err := ParseUUID(a); err != nil {
		t.Fatal(err)
	}
	// Other event ids (a test's fake ids) keep a hashed id.
	if id := notificationID("evt-1", ChannelEmail, "x@example.com"); id[14] != '4' {
		t.Fatalf("%s: want a version 4 id", id)
	}
}
