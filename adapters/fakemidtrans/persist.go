package fakemidtrans

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketName  = []byte("fakemidtrans")
	snapshotKey = []byte("state")
)

type snapshot struct {
	Version int       `json:"version"`
	Clock   time.Time `json:"clock"`
	State   *state    `json:"state"`
}

// openData opens the bbolt file and restores the last saved state (and a manual clock's time).
func (e *Emulator) openData(path string) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return fmt.Errorf("fakemidtrans: open data file: %w", err)
	}
	var raw []byte
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketName)
		if err != nil {
			return err
		}
		if v := b.Get(snapshotKey); v != nil {
			raw = append([]byte(nil), v...)
		}
		return nil
	})
	if err != nil {
		db.Close()
		return fmt.Errorf("fakemidtrans: init data file: %w", err)
	}
	if raw != nil {
		snap := snapshot{State: newState()}
		if err := json.Unmarshal(raw, &snap); err != nil {
			db.Close()
			return fmt.Errorf("fakemidtrans: data file is corrupt: %w", err)
		}
		st := snap.State
		if st.Txns == nil {
			st.Txns = map[string]*txn{}
		}
		if st.Tokens == nil {
			st.Tokens = map[string]*cardToken{}
		}
		if st.Subs == nil {
			st.Subs = map[string]*subscription{}
		}
		if st.Accounts == nil {
			st.Accounts = map[string]*payAccount{}
		}
		st.reindex()
		e.st = st
		if mc, ok := e.clock.(interface{ Set(time.Time) }); ok && !snap.Clock.IsZero() {
			mc.Set(snap.Clock)
		}
		e.log.Info("state restored", "transactions", len(st.Txns), "subscriptions", len(st.Subs))
	}
	e.db = db
	return nil
}

// flush writes the state to the data file if it changed since the last write.
func (e *Emulator) flush() {
	if e.db == nil || !e.dirty.Swap(false) {
		return
	}
	e.persist.Lock()
	defer e.persist.Unlock()
	e.mu.Lock()
	raw, err := json.Marshal(snapshot{Version: 1, Clock: e.now(), State: e.st})
	e.mu.Unlock()
	if err == nil {
		err = e.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketName).Put(snapshotKey, raw) })
	}
	if err != nil {
		e.dirty.Store(true)
		e.log.Error("saving state failed", "error", err)
	}
}
