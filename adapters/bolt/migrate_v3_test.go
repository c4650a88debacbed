package bolt

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
	bbolt "go.etcd.io/bbolt"
)

// A version-2 file (no order index) is indexed at open: its logs are found
// by order, and Check finds the index whole.
func TestMigrateV3IndexesWebhookLogsByOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v2.db")
	at := time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)
	logs := []core.WebhookLog{
		{ID: "11111111-1111-4111-8111-111111111111", OrderID: "SUB-1", ReceivedAt: at, Status: core.WebhookProcessed},
		{ID: "22222222-2222-4222-8222-222222222222", OrderID: "SUB-1", ReceivedAt: at.Add(time.Minute), Status: core.WebhookDuplicate},
		{ID: "33333333-3333-4333-8333-333333333333", OrderID: "SUB-2", ReceivedAt: at, Status: core.WebhookProcessed},
		{ID: "44444444-4444-4444-8444-444444444444", ReceivedAt: at, Status: core.WebhookRejected},
	}
	backToVersion(t, path, 2, func(tx core.Tx) error {
		for _, w := range logs {
			if err := tx.WebhookLogs().Put(w); err != nil {
				return err
			}
		}
		return nil
	}, func(btx *bbolt.Tx) error { return btx.DeleteBucket([]byte(bucketNames[bHookOrder])) })

	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.View(context.Background(), func(tx core.Tx) error {
		got, err := tx.WebhookLogs().ListByOrder("SUB-1")
		if err != nil || len(got) != 2 || got[0].ID != logs[0].ID || got[1].ID != logs[1].ID {
			t.Errorf("ListByOrder(SUB-1) after migration = %v, %v; want both of its logs, oldest first", got, err)
		}
		if got, err := tx.WebhookLogs().ListByOrder("SUB-2"); err != nil || len(got) != 1 {
			t.Errorf("ListByOrder(SUB-2) after migration = %v, %v", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err != nil {
		t.Errorf("Check after migration: %v", err)
	}
}
