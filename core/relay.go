package core

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"context"
)

// The outbox relay turns events into notification records.
//
// RelayOutbox reads a batch of events in a View, then fans each event out
// in one Update that also deletes it from the outbox: the notifications of
// an event exist if and only if the event has left the outbox, so a crash
// never loses an event and never fans one out twice. Notification ids are
// derived from (event id, channel, recipient), so even a concurrent relay
// writes the same records again rather than new ones. Webhook deliveries
// carry the event id unchanged (Langganan-Event-Id), which receivers use to
// deduplicate the at-least-once deliveries.
//
// Channels:
//   - in_app: one per affected user (the owner user, or every member of an
//     owning organization; admins for alerts). In-app notifications are
//     delivered by being stored: they stay queued (= unread) until marked
//     read, and are parked (NextAttemptAt = inAppParked) so the delivery
//     scan never visits them.
//   - email: one per affected user with an email address, rendered from
//     the text and HTML templates in the user's locale.
//   - webhook: one per active endpoint subscribed to the event type.

// relayBatch bounds the events fanned out per transaction. Store writers
// share commits (and bbolt has one writer), so a relay transaction holds
// up every webhook and renewal committed with it: at 256 events the
// notification p99 of the webhook benchmark was 50–60 ms and at 64 it was
// 41–46 ms, and a billing run of 100,000 renewed 3,867/s at 256 and
// 4,272/s at 64 (less CPU per renewal too).
const relayBatch = 64

// inAppParked is the NextAttemptAt of in-app notifications: beyond any
// time the delivery scan asks for.
var inAppParked = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// customerAlerts are alert kinds the owner is told about too; every other
// alert is for administrators only.
var customerAlerts = map[string]bool{"wallet_autopay_insufficient": true, "late_settlement_credited": true}

// RelayOutbox fans every event in the outbox out into notifications and
// answers how many events it relayed. An event that fails stays in the
// outbox for the next run; the others go on.
//
// A batch's notifications are worked out (recipients, facts, rendered
// messages) in the View that reads the batch, so the write transaction,
// which runs on the store's single writer, only checks that each event is
// still there, writes what was prepared and deletes the event.
func (s *Service) RelayOutbox(ctx context.Context) (int, error) {
	var (
		n     int
		errs  []error
		after uint64
	)
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		var batch []relayItem
		var failed []error // events whose notifications could not be worked out: they stay
		from, last := after, after
		if err := s.store.View(ctx, func(tx Tx) error {
			batch, failed, last = batch[:0], failed[:0], from // fn may run more than once
			return tx.Outbox().Scan(func(e Event) bool {
				if e.Seq <= from {
					return true
				}
				last = e.Seq
				notes, err := s.eventNotifications(tx, e)
				if err != nil {
					failed = append(failed, fmt.Errorf("relay event %s (%s): %w", e.ID, e.Type, err))
					return true
				}
				batch = append(batch, relayItem{ev: e, notes: notes})
				return len(batch) < relayBatch
			})
		}); err != nil {
			return n, fmt.Errorf("scan outbox: %w", err)
		}
		after = last
		errs = append(errs, failed...)
		if len(batch) == 0 {
			return n, errors.Join(errs...)
		}
		// The whole batch in one transaction (one commit for up to
		// relayBatch events); only if that fails is each event tried alone,
		// so one bad event cannot hold the others back.
		relayed := 0
		err := s.store.Update(ctx, func(tx Tx) error {
			relayed = 0
			for _, it := range batch {
				ok, err := s.relayEvent(tx, it)
				if err != nil {
					return err
				}
				if ok {
					relayed++
				}
			}
			return nil
		})
		if err == nil {
			n += relayed
			continue
		}
		for _, it := range batch {
			ok := false
			err := s.store.Update(ctx, func(tx Tx) error {
				var err error
				ok, err = s.relayEvent(tx, it)
				return err
			})
			if err != nil {
				errs = append(errs, fmt.Errorf("relay event %s (%s): %w", it.ev.ID, it.ev.Type, err))
				continue
			}
			if ok {
				n++
			}
		}
	}
}

// relayItem is an event of the outbox with the notifications it fans out to.
type relayItem struct {
	ev    Event
	notes []Notification
}

// relayEvent writes the notifications of one event and deletes it from the
// outbox, within tx. It reports false when another relay got there first.
func (s *Service) relayEvent(tx Tx, it relayItem) (bool, error) {
	present, err := tx.Outbox().Has(it.ev.Seq)
	if err != nil || !present {
		return false, err
	}
	for _, n := range it.notes {
		if _, err := tx.Notifications().Get(n.ID); err == nil {
			continue // written by an earlier relay of the same event
		} else if !errors.Is(err, ErrNotFound) {
			return false, err
		}
		if err := tx.Notifications().Put(n); err != nil {
			return false, fmt.Errorf("store %s notification: %w", n.Channel, err)
		}
	}
	if err := s.countEvent(tx, it.ev); err != nil {
		return false, fmt.Errorf("count event in the daily figures: %w", err)
	}
	if err := tx.Outbox().Delete(it.ev.Seq); err != nil {
		return false, fmt.Errorf("delete relayed event: %w", err)
	}
	return true, nil
}

// eventNotifications works out the notifications of one event: who is
// told in-app and by email, and which webhook endpoints get it. The facts
// the messages state are gathered only when someone is to read them.
func (s *Service) eventNotifications(tx Tx, ev Event) ([]Notification, error) {
	now := s.now()
	var inApp, email []User
	if ev.Type == EvAlert {
		admins, err := tx.Users().ListAdmins()
		if err != nil {
			return nil, fmt.Errorf("list admins: %w", err)
		}
		inApp = admins
		if customerAlerts[dataStr(ev.Data, "alert")] {
			owners, err := s.ownerUsers(tx, ev.OwnerID)
			if err != nil {
				return nil, err
			}
			inApp = append(inApp, owners...)
			email = owners
		}
	} else {
		owners, err := s.ownerUsers(tx, ev.OwnerID)
		if err != nil {
			return nil, err
		}
		inApp, email = owners, owners
	}
	var notes []Notification
	add := func(n Notification) {
		n.ID = notificationID(ev.ID, n.Channel, n.Recipient)
		n.EventID, n.Type, n.Status = ev.ID, ev.Type, NotifQueued
		n.CreatedAt, n.UpdatedAt = now, now
		notes = append(notes, n)
	}
	var envelope map[string]any
	if len(inApp) > 0 || len(email) > 0 {
		envelope = eventEnvelope(ev)
		facts, err := s.eventFacts(tx, ev)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, u := range inApp {
			if seen[u.ID] {
				continue
			}
			seen[u.ID] = true
			r, err := renderMessage(ev.Type, u.Locale, s.messageView(facts, u))
			if err != nil {
				return nil, err
			}
			add(Notification{UserID: u.ID, Channel: ChannelInApp, Recipient: u.ID, Subject: r.Subject,
				Body: r.Intro, Payload: envelope, NextAttemptAt: inAppParked})
		}
		seen = map[string]bool{}
		for _, u := range email {
			if u.Email == "" || seen[u.ID] {
				continue
			}
			seen[u.ID] = true
			r, err := renderMessage(ev.Type, u.Locale, s.messageView(facts, u))
			if err != nil {
				return nil, err
			}
			add(Notification{UserID: u.ID, Channel: ChannelEmail, Recipient: u.Email, Subject: r.Subject,
				Body: r.Text, Payload: map[string]any{"event_id": ev.ID, "html": r.HTML}, NextAttemptAt: now})
		}
	}
	eps, err := tx.WebhookEndpoints().List()
	if err != nil {
		return nil, fmt.Errorf("list webhook endpoints: %w", err)
	}
	for _, ep := range eps {
		if !ep.Active || !ep.subscribed(ev.Type) {
			continue
		}
		if envelope == nil {
			envelope = eventEnvelope(ev)
		}
		add(Notification{Channel: ChannelWebhook, Recipient: ep.ID, Subject: ev.Type, Payload: envelope, NextAttemptAt: now})
	}
	return notes, nil
}

// subscribed reports whether the endpoint wants events of type typ.
func (ep WebhookEndpoint) subscribed(typ string) bool {
	return len(ep.Events) == 0 || slices.Contains(ep.Events, typ)
}

// eventEnvelope is the webhook payload: {id, type, created, data}.
func eventEnvelope(ev Event) map[string]any {
	data := ev.Data
	if data == nil {
		data = map[string]any{}
	}
	return map[string]any{"id": ev.ID, "type": ev.Type, "created": ev.OccurredAt.Unix(), "data": data}
}

// notificationID derives a stable UUID-shaped id from the event, channel
// and recipient, so relaying an event twice writes the same records. An
// event id that is a time-ordered (version 7) UUID lends the id its 48-bit
// time, so a run's notifications are stored side by side (random ids put
// each on a page of its own: a billing run's in-app and email notifications
// were most of the bytes it wrote); the rest stays the hash.
func notificationID(eventID string, ch Channel, recipient string) string {
	h := sha256.Sum256([]byte("notification|" + eventID + "|" + string(ch) + "|" + recipient))
	var b [16]byte
	copy(b[:], h[:16])
	version := byte(0x40)
	if ev, err := ParseUUID(eventID); err == nil && ev[6]>>4 == 7 {
		copy(b[:6], ev[:6])
		version = 0x70
	}
	b[6] = (b[6] & 0x0f) | version
	b[8] = (b[8] & 0x3f) | 0x80
	return FormatUUID(b)
}

// ownerUsers lists the users an owner id stands for: the user itself, or
// every member of an organization. An unknown owner has no users.
func (s *Service) ownerUsers(tx Tx, ownerID string) ([]User, error) {
	if ownerID == "" {
		return nil, nil
	}
	u, err := tx.Users().Get(ownerID)
	if err == nil {
		return []User{u}, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("load user %s: %w", ownerID, err)
	}
	org, err := tx.Organizations().Get(ownerID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load organization %s: %w", ownerID, err)
	}
	var out []User
	for _, m := range org.Members {
		u, err := tx.Users().Get(m.UserID)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("load member %s: %w", m.UserID, err)
		}
		out = append(out, u)
	}
	return out, nil
}

// eventFacts are what the templates say about an event, gathered from its
// data and, where the data is thin, from the records it names.
type eventFacts struct {
	planName, status, amount, currency, balance, orderID, invoiceNumber string
	invoiceID                                                           string
	periodEnd, due                                                      time.Time
	details                                                             map[string]any
	alert, alertDetails                                                 string
}

// paymentHintEvents are events whose message should show how to pay the
// subscription's open payment when the event itself carries no details.
var paymentHintEvents = map[string]bool{EvSubscriptionCreated: true, EvSubscriptionPastDue: true,
	EvInvoiceIssued: true, EvInvoiceOverdue: true}

func (s *Service) eventFacts(tx Tx, ev Event) (eventFacts, error) {
	d := ev.Data
	f := eventFacts{
		status: dataStr(d, "status"), amount: dataStr(d, "amount"), currency: dataStr(d, "currency"),
		balance: dataStr(d, "balance"), orderID: dataStr(d, "order_id"), invoiceNumber: dataStr(d, "number"),
		alert: dataStr(d, "alert"),
	}
	if f.amount == "" {
		f.amount = firstNonEmpty(dataStr(d, "total"), dataStr(d, "needed"))
	}
	if t, err := time.Parse(time.RFC3339, dataStr(d, "current_period_end")); err == nil {
		f.periodEnd = t
	}
	if m, ok := d["payment_details"].(map[string]any); ok && len(m) > 0 {
		f.details = m
	}
	// Plan name: the plan changed to, the plan named, or the subscription's.
	planID := firstNonEmpty(dataStr(d, "to_plan_id"), dataStr(d, "plan_id"))
	subID := dataStr(d, "subscription_id")
	if planID == "" && subID != "" {
		if sub, err := tx.Subscriptions().Get(subID); err == nil {
			planID = sub.PlanID
			if f.periodEnd.IsZero() {
				f.periodEnd = sub.CurrentPeriodEnd
			}
		} else if !errors.Is(err, ErrNotFound) {
			return f, err
		}
	}
	if planID != "" {
		if p, err := tx.Plans().Get(planID); err == nil {
			f.planName = p.Name
		} else if !errors.Is(err, ErrNotFound) {
			return f, err
		}
	}
	if invID := dataStr(d, "invoice_id"); invID != "" {
		if inv, err := tx.Invoices().Get(invID); err == nil {
			f.invoiceID = inv.ID
			if f.invoiceNumber == "" {
				f.invoiceNumber = inv.Number
			}
			if f.amount == "" {
				f.amount, f.currency = inv.Total.String(), string(inv.Total.Currency())
			}
			if ev.Type == EvInvoiceIssued || ev.Type == EvInvoiceOverdue {
				f.due = inv.DueDate
			}
		} else if !errors.Is(err, ErrNotFound) {
			return f, err
		}
	}
	if f.details == nil && subID != "" && paymentHintEvents[ev.Type] {
		ps, err := tx.Payments().ListBySubscription(subID)
		if err != nil {
			return f, err
		}
		var open *Payment
		for i := range ps {
			p := &ps[i]
			if p.Status.Open() && !p.Superseded && len(p.Details) > 0 && (open == nil || p.CreatedAt.After(open.CreatedAt)) {
				open = p
			}
		}
		if open != nil {
			f.details = open.Details
			if f.amount == "" {
				f.amount, f.currency = open.Amount.String(), string(open.Amount.Currency())
			}
			if f.orderID == "" {
				f.orderID = open.OrderID
			}
			if f.due.IsZero() {
				f.due = open.ExpiresAt
			}
		}
	}
	if t, err := time.Parse(time.RFC3339, dataStr(f.details, "expiry_time")); err == nil {
		f.due = t
	}
	if ev.Type == EvAlert {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(d)) {
			if k != "alert" {
				parts = append(parts, fmt.Sprintf("%s=%v", k, d[k]))
			}
		}
		f.alertDetails = strings.Join(parts, ", ")
	}
	return f, nil
}

// messageView formats the facts for one user's locale.
func (s *Service) messageView(f eventFacts, u User) messageView {
	loc := normLocale(u.Locale)
	name := u.FirstName
	if name == "" {
		name = u.Username
	}
	v := messageView{
		Name: name, PlanName: f.planName, Status: f.status, OrderID: f.orderID, InvoiceNumber: f.invoiceNumber,
		Amount:    formatAmount(f.amount, f.currency, loc),
		Balance:   formatAmount(f.balance, f.currency, loc),
		PeriodEnd: formatDate(f.periodEnd, s.cfg.Location, loc),
		DueTime:   formatTime(f.due, s.cfg.Location, loc),
		Alert:     f.alert, Details: f.alertDetails,
	}
	if s.cfg.PublicURL != "" && f.invoiceID != "" {
		v.InvoiceURL = strings.TrimRight(s.cfg.PublicURL, "/") + "/api/invoices/" + f.invoiceID + "/pdf"
	}
	dd := f.details
	v.Bank = strings.ToUpper(dataStr(dd, "bank"))
	v.VANumber = dataStr(dd, "va_number")
	v.BillKey, v.BillerCode = dataStr(dd, "bill_key"), dataStr(dd, "biller_code")
	v.PaymentCode, v.Store = dataStr(dd, "payment_code"), dataStr(dd, "store")
	v.QRString, v.QRURL = dataStr(dd, "qr_string"), dataStr(dd, "qr_code_url")
	v.DeeplinkURL, v.RedirectURL = dataStr(dd, "deeplink_url"), dataStr(dd, "redirect_url")
	v.PaymentType = dataStr(dd, "payment_type")
	return v
}

// dataStr reads a string (or a number, printed) from event data.
func dataStr(m map[string]any, k string) string {
	switch v := m[k].(type) {
	case nil:
		return ""
	case string:
		return v
	case fmt.Stringer:
		return v.String()
	case float64, int, int64, uint64:
		return fmt.Sprint(v)
	}
	return ""
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
