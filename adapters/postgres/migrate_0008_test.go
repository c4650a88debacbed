package postgres

import (
	"strings"
	"testing"

	"github.com/langganan/langganan/adapters/random"
	"github.com/langganan/langganan/core"
)

// Migration 0008 derives the money columns of records stored before it,
// and from then on the database refuses a negative wallet balance, whatever
// writes it.
func TestMigration0008MoneyColumns(t *testing.T) {
	s := openTest(t)
	w := core.Wallet{ID: random.IDs{}.NewID(), OwnerID: random.IDs{}.NewID(), Balance: core.MustMoney("125000.50"), IsActive: true}
	if err := s.Update(bg, func(tx core.Tx) error { return tx.Wallets().Put(w) }); err != nil {
		t.Fatal(err)
	}
	schema := backTo(t, s, 8)
	s2, err := Open(bg, schemaURL(t, schema), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	var balance string
	if err := s2.pool.QueryRow(bg, "SELECT balance::text FROM wallets WHERE id = $1", w.ID).Scan(&balance); err != nil || balance != "125000.50" {
		t.Fatalf("balance column after migration = %q, %v; want 125000.50", balance, err)
	}
	neg := w
	neg.Balance = core.MustMoney("10").Neg()
	err = s2.Update(bg, func(tx core.Tx) error { return tx.Wallets().Put(neg) })
	if err == nil || !strings.Contains(err.Error(), "wallets_balance_not_negative") {
		t.Fatalf("negative balance written: %v", err)
	}
	err = s2.View(bg, func(tx core.Tx) error {
		got, err := tx.Wallets().Get(w.ID)
		if err == nil && !got.Balance.Equal(w.Balance) {
			t.Errorf("balance after the refused write = %s, want %s", got.Balance, w.Balance)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Check(bg); err != nil {
		t.Errorf("Check after migration: %v", err)
	}
}
