package fakemidtrans

import (
	"sort"
	"time"
)

type idemEntry struct {
	hash     [32]byte
	status   int
	body     []byte
	expires  time.Time
	inFlight bool
}

// state is everything the emulator knows; guarded by Emulator.mu.
type state struct {
	Txns      map[string]*txn          `json:"txns"` // by transaction id
	byOrder   map[string]*txn          // newest transaction per order_id
	vas       map[string]*txn          // VA number → pending transaction
	bills     map[string]*txn          // biller_code+bill_key → pending transaction
	Tokens    map[string]*cardToken    `json:"tokens"` // one-time and saved card tokens
	Subs      map[string]*subscription `json:"subs"`
	Accounts  map[string]*payAccount   `json:"accounts"`
	idem      map[string]*idemEntry
	Seq       int64 `json:"seq"`
	RefundSeq int64 `json:"refund_seq"`
	// Snap checkouts by token, their newest per order id, and the GoPay
	// accounts customers linked inside Snap by user_id.
	Snaps      map[string]*snapSession `json:"snaps"`
	snapOrders map[string]*snapSession
	SnapGopay  map[string]string `json:"snap_gopay"`
	SnapSeq    int64             `json:"snap_seq"`
	ch         changes           // what the next journal write holds
}

func newState() *state {
	return &state{
		Txns: map[string]*txn{}, byOrder: map[string]*txn{}, vas: map[string]*txn{}, bills: map[string]*txn{},
		Tokens: map[string]*cardToken{}, Subs: map[string]*subscription{}, Accounts: map[string]*payAccount{},
		idem: map[string]*idemEntry{}, Snaps: map[string]*snapSession{}, snapOrders: map[string]*snapSession{},
		SnapGopay: map[string]string{},
	}
}

// reindex rebuilds the derived indexes after a restore.
func (s *state) reindex() {
	s.byOrder, s.vas, s.bills, s.idem = map[string]*txn{}, map[string]*txn{}, map[string]*txn{}, map[string]*idemEntry{}
	for _, t := range s.sorted() {
		s.index(t)
	}
	s.reindexSnaps()
}

func (s *state) index(t *txn) {
	if o := s.byOrder[t.OrderID]; o == nil || o.Seq < t.Seq {
		s.byOrder[t.OrderID] = t
	}
	if t.Status == "pending" {
		if t.VA != "" {
			s.vas[t.VA] = t
		}
		if t.BillKey != "" {
			s.bills[t.BillerCode+"/"+t.BillKey] = t
		}
	}
}

// unindexPayable removes t from the VA / bill key lookups once it stops being payable.
func (s *state) unindexPayable(t *txn) {
	if t.VA != "" && s.vas[t.VA] == t {
		delete(s.vas, t.VA)
	}
	if t.BillKey != "" && s.bills[t.BillerCode+"/"+t.BillKey] == t {
		delete(s.bills, t.BillerCode+"/"+t.BillKey)
	}
}

// find looks a transaction up by transaction_id, then by order_id (the newest one).
func (s *state) find(id string) *txn {
	if t := s.Txns[id]; t != nil {
		return t
	}
	return s.byOrder[id]
}

// sorted returns all transactions oldest first.
func (s *state) sorted() []*txn {
	out := make([]*txn, 0, len(s.Txns))
	for _, t := range s.Txns {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// setStatus moves t to a new status and keeps the indexes right.
func (s *state) setStatus(t *txn, status string, now time.Time) {
	s.touch(t)
	t.Status = status
	t.Updated = now
	if status != "pending" {
		s.unindexPayable(t)
	}
}

// reviewWindow is how long a merchant has to approve or deny a card
// capture that fraud detection challenged: Midtrans cancels one still
// unreviewed at settlement, which for cards is the next day
// (https://docs.midtrans.com/docs/transaction-status-cycle).
const reviewWindow = 24 * time.Hour

// reviewDue reports whether t is a challenged capture past its review window.
func (t *txn) reviewDue(now time.Time) bool {
	return t.Status == "capture" && t.Fraud == "challenge" && !t.ReviewBy.IsZero() && !now.Before(t.ReviewBy)
}

// expireDue expires pending transactions whose expiry time has passed, and
// cancels challenged captures whose review window has, and notifies about them.
func (e *Emulator) expireDue(now time.Time) {
	var due []*txn
	e.mu.Lock()
	for _, t := range e.st.Txns {
		if (t.Status == "pending" && !t.Expiry.IsZero() && !now.Before(t.Expiry)) || t.reviewDue(now) {
			due = append(due, t)
		}
	}
	sort.Slice(due, func(i, j int) bool { return due[i].Seq < due[j].Seq })
	var notes []*notification
	for _, t := range due {
		if t.Status == "capture" {
			e.st.setStatus(t, "cancel", now)
			e.log.Info("challenged transaction cancelled unreviewed", "order_id", t.OrderID)
		} else {
			e.st.setStatus(t, "expire", now)
			e.log.Info("transaction expired", "order_id", t.OrderID)
		}
		notes = append(notes, e.paymentNote(t))
	}
	e.mu.Unlock()
	for _, n := range notes {
		e.nq.enqueue(n)
	}
	if len(due) > 0 {
		if err := e.save(); err != nil {
			e.log.Error("saving state failed", "error", err)
		}
	}
}
