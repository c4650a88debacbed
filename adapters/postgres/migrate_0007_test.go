package postgres

import (
	"errors"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

// Migration 0007 fills the order column of webhook logs stored before it,
// so their order's notifications are found, and adds the daily figures.
func TestMigration0007WebhookLogsByOrder(t *testing.T) {
	s := openTest(t)
	at := time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)
	w1 := core.WebhookLog{ID: "11111111-1111-4111-8111-111111111111", OrderID: "SUB-1", ReceivedAt: at, Status: core.WebhookProcessed}
	w2 := core.WebhookLog{ID: "22222222-2222-4222-8222-222222222222", ReceivedAt: at, Status: core.WebhookRejected}
	if err := s.Update(bg, func(tx core.Tx) error { return errors.Join(tx.WebhookLogs().Put(w1), tx.WebhookLogs().Put(w2)) }); err != nil {
		t.Fatal(err)
	}
	schema := backTo(t, s, 7)
	s2, err := Open(bg, schemaURL(t, schema), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	err = s2.View(bg, func(tx core.Tx) error {
		if l, err := tx.WebhookLogs().ListByOrder("SUB-1"); err != nil || len(l) != 1 || l[0].ID != w1.ID {
			t.Errorf("ListByOrder after migration = %v, %v", l, err)
		}
		_, err := tx.Figures().Get("2026-01-31")
		if !errors.Is(err, core.ErrNotFound) {
			t.Errorf("Figures().Get after migration = %v, want not found", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Check(bg); err != nil {
		t.Errorf("Check after migration: %v", err)
	}
}
