package fakemidtrans

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"
	"time"
)

// The data file is an append-only journal: a sequence of records, each
// [4-byte length][4-byte CRC-32C][JSON batch], little-endian. The first
// record is a full snapshot; every later one holds the records a group of
// API calls changed. A call is answered only after the record holding its
// change has been written and fsynced; calls that arrive while one write is
// under way share the next write and its fsync (group commit). When the
// journal has grown past its snapshot it is compacted: the whole state is
// written to a new file that replaces the old one. The standard library is
// all this needs, so the emulator's module adds no storage dependency.

const journalVersion = 2

// compactMin is how many bytes of increments the journal may hold before it
// is compacted, at the least (more once the snapshot is larger).
var compactMin int64 = 4 << 20

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// batch is one journal record.
type batch struct {
	Version int       `json:"v"`
	Clock   time.Time `json:"clock"`
	// Full: State is everything; the records before it no longer count.
	Full  bool   `json:"full,omitempty"`
	State *state `json:"state,omitempty"`

	Seq       int64             `json:"seq"`
	RefundSeq int64             `json:"refund_seq"`
	SnapSeq   int64             `json:"snap_seq"`
	Txns      []*txn            `json:"txns,omitempty"`
	Tokens    []*cardToken      `json:"tokens,omitempty"`
	Subs      []*subscription   `json:"subs,omitempty"`
	Accounts  []*payAccount     `json:"accounts,omitempty"`
	Snaps     []*snapSession    `json:"snaps,omitempty"`
	GopaySet  bool              `json:"gopay_set,omitempty"` // SnapGopay below replaces the whole map
	SnapGopay map[string]string `json:"snap_gopay,omitempty"`
}

// changes are the records touched since the last write; guarded by Emulator.mu.
type changes struct {
	on    bool // a data file is open; without one nothing is tracked
	full  bool // write everything (after a reset, a failed write, or an unspecific markDirty)
	gopay bool
	clock bool
	objs  map[any]struct{}
}

// touch notes records the caller changed (under Emulator.mu) so the next
// save writes them: *txn, *cardToken, *subscription, *payAccount or *snapSession.
func (s *state) touch(objs ...any) {
	if !s.ch.on {
		return
	}
	if s.ch.objs == nil {
		s.ch.objs = map[any]struct{}{}
	}
	for _, o := range objs {
		s.ch.objs[o] = struct{}{}
	}
}

// touchGopay notes a change of the Snap GoPay links.
func (s *state) touchGopay() { s.ch.gopay = true }

// journal is the open data file.
type journal struct {
	path string
	f    *os.File // locked; records are written at size
	size int64    // bytes of whole records in f
	base int64    // size right after the last compaction

	mu            sync.Mutex // guards the fields below
	cond          *sync.Cond
	writing       bool
	started, done uint64 // writes begun and finished, numbered from 1
	err           error  // the outcome of write number done
}

// openData opens (or creates) the data file, replays it and compacts it.
func (e *Emulator) openData(path string) error {
	f, err := openLocked(path)
	if err != nil {
		return fmt.Errorf("fakemidtrans: open data file: %w", err)
	}
	raw, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return fmt.Errorf("fakemidtrans: read data file: %w", err)
	}
	j := &journal{path: path, f: f}
	j.cond = sync.NewCond(&j.mu)
	if isBolt(raw) {
		// Older emulators kept one snapshot in a bbolt file, which this one
		// cannot read without that library; it is kept beside the new file.
		old := path + ".bbolt"
		if err := os.Rename(path, old); err != nil {
			f.Close()
			return fmt.Errorf("fakemidtrans: move aside the old data file: %w", err)
		}
		e.log.Warn("the data file was written by an older emulator (bbolt); it is kept and the emulator starts empty", "old_file", old)
		raw = nil
	}
	st, clock, n, good, err := replay(raw)
	if err != nil {
		f.Close()
		return fmt.Errorf("fakemidtrans: data file %s: %w", path, err)
	}
	if good < len(raw) {
		// A write the process did not finish: no call was answered for it.
		e.log.Warn("dropped the unfinished end of the data file", "bytes", len(raw)-good)
	}
	if st != nil {
		e.st = st
		if mc, ok := e.clock.(interface{ Set(time.Time) }); ok && !clock.IsZero() {
			mc.Set(clock)
		}
		e.log.Info("state restored", "transactions", len(st.Txns), "subscriptions", len(st.Subs), "records", n)
	}
	e.st.ch.on = true
	e.jr = j
	// Start from a compacted file: this also cuts off a torn tail.
	e.st.ch.full = true
	if err := e.writeBatch(); err != nil {
		j.close()
		return fmt.Errorf("fakemidtrans: write data file: %w", err)
	}
	return nil
}

// openLocked opens (creating) path and takes its lock, waiting up to two
// seconds for another process to let go. A file that was replaced while we
// waited (compacted by its holder) is opened again.
func openLocked(path string) (*os.File, error) {
	deadline := time.Now().Add(2 * time.Second)
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, err
		}
		if err = lockFile(f); err == nil {
			fi, ferr := f.Stat()
			pi, perr := os.Stat(path)
			if ferr == nil && perr == nil && os.SameFile(fi, pi) {
				return f, nil
			}
			f.Close()
			continue
		}
		f.Close()
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("in use by another process: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// isBolt recognises a bbolt file by its first meta page's magic number.
func isBolt(raw []byte) bool {
	return len(raw) >= 20 && binary.LittleEndian.Uint32(raw[16:20]) == 0xED0CDAED
}

// replay applies every whole record of raw. It returns the state (nil for an
// empty file), the saved clock, the number of records and the length of the
// good prefix; a damaged first record is an error, a damaged tail is not.
func replay(raw []byte) (*state, time.Time, int, int, error) {
	var st *state
	var clock time.Time
	off, n := 0, 0
	for off+8 <= len(raw) {
		size := int(binary.LittleEndian.Uint32(raw[off:]))
		sum := binary.LittleEndian.Uint32(raw[off+4:])
		if size > len(raw)-off-8 || crc32.Checksum(raw[off+8:off+8+size], crcTable) != sum {
			break
		}
		var b batch
		if err := json.Unmarshal(raw[off+8:off+8+size], &b); err != nil {
			break
		}
		if n == 0 && !b.Full {
			return nil, time.Time{}, 0, 0, errors.New("it does not start with a snapshot")
		}
		st = b.apply(st)
		if b.Clock.After(clock) {
			clock = b.Clock
		}
		off += 8 + size
		n++
	}
	if n == 0 && len(raw) > 0 {
		return nil, time.Time{}, 0, 0, errors.New("it is not an emulator data file, or its first record is damaged")
	}
	if st != nil {
		st.reindex()
	}
	return st, clock, n, off, nil
}

// apply adds b's records to st (a full batch replaces it).
func (b *batch) apply(st *state) *state {
	if b.Full || st == nil {
		st = newState()
		if b.State != nil {
			st.Txns, st.Tokens, st.Subs, st.Accounts = b.State.Txns, b.State.Tokens, b.State.Subs, b.State.Accounts
			st.Snaps, st.SnapGopay = b.State.Snaps, b.State.SnapGopay
		}
		st.fillMaps()
	}
	st.Seq, st.RefundSeq, st.SnapSeq = b.Seq, b.RefundSeq, b.SnapSeq
	for _, t := range b.Txns {
		st.Txns[t.ID] = t
	}
	for _, t := range b.Tokens {
		st.Tokens[t.ID] = t
	}
	for _, s := range b.Subs {
		st.Subs[s.ID] = s
	}
	for _, a := range b.Accounts {
		st.Accounts[a.ID] = a
	}
	for _, s := range b.Snaps {
		st.Snaps[s.Token] = s
	}
	if b.GopaySet {
		st.SnapGopay = b.SnapGopay
		if st.SnapGopay == nil {
			st.SnapGopay = map[string]string{}
		}
	}
	return st
}

// fillMaps replaces missing maps (a file written before they existed) with empty ones.
func (s *state) fillMaps() {
	if s.Txns == nil {
		s.Txns = map[string]*txn{}
	}
	if s.Tokens == nil {
		s.Tokens = map[string]*cardToken{}
	}
	if s.Subs == nil {
		s.Subs = map[string]*subscription{}
	}
	if s.Accounts == nil {
		s.Accounts = map[string]*payAccount{}
	}
	if s.Snaps == nil {
		s.Snaps = map[string]*snapSession{}
	}
	if s.SnapGopay == nil {
		s.SnapGopay = map[string]string{}
	}
}

// save returns once every change touched before the call is on disk. Calls
// made while a write is under way wait for the next one, which takes all of
// their changes at once.
func (e *Emulator) save() error {
	j := e.jr
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	target := j.started + 1 // the first write that begins after our changes
	for j.done < target {
		if j.writing {
			j.cond.Wait()
			continue
		}
		j.writing = true
		j.started++
		n := j.started
		j.mu.Unlock()
		err := e.writeBatch()
		j.mu.Lock()
		j.writing = false
		j.done, j.err = n, err
		j.cond.Broadcast()
	}
	return j.err
}

// markDirty makes the next write hold the whole state and waits for it: for
// changes whose records the caller does not name with touch.
func (e *Emulator) markDirty() {
	if e.jr == nil {
		return
	}
	e.mu.Lock()
	e.st.ch.full = true
	e.mu.Unlock()
	if err := e.save(); err != nil {
		e.log.Error("saving state failed", "error", err)
	}
}

// clockMoved notes that a manual clock moved, so the next write keeps its time.
func (e *Emulator) clockMoved() {
	e.mu.Lock()
	e.st.ch.clock = e.st.ch.on
	e.mu.Unlock()
}

// writeBatch writes what changed since the last write (one writer at a time,
// serialised by save). After a failure everything is written again next time.
func (e *Emulator) writeBatch() error {
	j := e.jr
	if j.f == nil {
		return errors.New("the data file is closed")
	}
	e.mu.Lock()
	st := e.st
	ch := &st.ch
	full := ch.full || j.size-j.base > max(compactMin, j.base)
	if !full && len(ch.objs) == 0 && !ch.gopay && !ch.clock {
		e.mu.Unlock()
		return nil
	}
	b := batch{Version: journalVersion, Clock: e.now(), Full: full, Seq: st.Seq, RefundSeq: st.RefundSeq, SnapSeq: st.SnapSeq}
	if full {
		b.State = st
	} else {
		for o := range ch.objs {
			switch v := o.(type) {
			case *txn:
				b.Txns = append(b.Txns, v)
			case *cardToken:
				b.Tokens = append(b.Tokens, v)
			case *subscription:
				b.Subs = append(b.Subs, v)
			case *payAccount:
				b.Accounts = append(b.Accounts, v)
			case *snapSession:
				b.Snaps = append(b.Snaps, v)
			}
		}
		if ch.gopay {
			b.GopaySet, b.SnapGopay = true, st.SnapGopay
		}
	}
	payload, err := json.Marshal(&b)
	ch.full, ch.gopay, ch.clock, ch.objs = false, false, false, nil
	e.mu.Unlock()
	if err == nil {
		rec := make([]byte, 8, 8+len(payload))
		binary.LittleEndian.PutUint32(rec, uint32(len(payload)))
		binary.LittleEndian.PutUint32(rec[4:], crc32.Checksum(payload, crcTable))
		rec = append(rec, payload...)
		if full {
			err = j.replace(rec)
		} else {
			err = j.append(rec)
		}
	}
	if err != nil {
		// The file may end in a torn record; a full rewrite replaces it.
		e.mu.Lock()
		e.st.ch.full = true
		e.mu.Unlock()
	}
	return err
}

// append writes rec at the end of the journal and syncs it.
func (j *journal) append(rec []byte) error {
	if _, err := j.f.WriteAt(rec, j.size); err != nil {
		return fmt.Errorf("append to data file: %w", err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("sync data file: %w", err)
	}
	j.size += int64(len(rec))
	return nil
}

// replace makes rec (a full snapshot) the whole journal: it is written to a
// new file, synced and renamed over the old one, so a crash at any point
// leaves one of the two complete.
func (j *journal) replace(rec []byte) error {
	tmp := j.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("create data file: %w", err)
	}
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return err
	}
	// Locked before it is named, so no other process can take it over.
	if err := lockFile(f); err != nil {
		return fail(err)
	}
	if _, err := f.Write(rec); err != nil {
		return fail(fmt.Errorf("write data file: %w", err))
	}
	if err := f.Sync(); err != nil {
		return fail(fmt.Errorf("sync data file: %w", err))
	}
	if err := os.Rename(tmp, j.path); err != nil {
		return fail(fmt.Errorf("replace data file: %w", err))
	}
	if err := syncDir(j.path); err != nil {
		f.Close()
		return fmt.Errorf("sync data folder: %w", err)
	}
	if j.f != nil {
		j.f.Close()
	}
	j.f, j.size, j.base = f, int64(len(rec)), int64(len(rec))
	return nil
}

// close closes the file; the caller has written the final snapshot.
func (j *journal) close() error {
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}
