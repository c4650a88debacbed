package core

import (
	"fmt"
	"strings"
	"time"
)

// Default number patterns: per year, six digits (INV/2026/000123).
const (
	DefaultInvoicePattern    = "INV/{YYYY}/{NNNNNN}"
	DefaultCreditNotePattern = "CN/{YYYY}/{NNNNNN}"
)

// NumberPattern formats legal document numbers. {YYYY}, {YY} and {MM} are
// the issue date's year and month (in the billing time zone); a run of Ns in
// braces ({NNNNNN}) is the sequence, zero-padded to that width. The
// sequence counts per distinct expansion of everything else, so
// "INV/{YYYY}/{NNNNNN}" restarts every year and "INV-{YYYY}{MM}-{NNNNNN}"
// every month.
type NumberPattern string

// ValidateNumberPattern refuses a pattern without exactly one sequence.
func ValidateNumberPattern(p string) error {
	if _, _, _, err := splitPattern(p); err != nil {
		return err
	}
	return nil
}

func splitPattern(p string) (prefix, suffix string, width int, err error) {
	i := strings.Index(p, "{N")
	if i < 0 {
		return "", "", 0, fmt.Errorf("%w: number pattern %q has no {NNN} sequence", ErrInvalid, p)
	}
	j := strings.Index(p[i:], "}")
	if j < 0 || strings.Trim(p[i+1:i+j], "N") != "" {
		return "", "", 0, fmt.Errorf("%w: number pattern %q has a malformed sequence", ErrInvalid, p)
	}
	prefix, suffix = p[:i], p[i+j+1:]
	if strings.Contains(suffix, "{N") {
		return "", "", 0, fmt.Errorf("%w: number pattern %q has more than one sequence", ErrInvalid, p)
	}
	return prefix, suffix, j - 1, nil
}

func expandDate(s string, t time.Time) string {
	if !strings.Contains(s, "{") {
		return s // nothing to expand (a strings.Replacer is costly to build per invoice)
	}
	// The values are digits, so no replacement makes another token.
	s = strings.ReplaceAll(s, "{YYYY}", fmt.Sprintf("%04d", t.Year()))
	s = strings.ReplaceAll(s, "{YY}", fmt.Sprintf("%02d", t.Year()%100))
	return strings.ReplaceAll(s, "{MM}", fmt.Sprintf("%02d", int(t.Month())))
}

// scope is the counter the number of a document issued at t draws from.
func (p NumberPattern) scope(t time.Time) string {
	prefix, suffix, _, _ := splitPattern(string(p))
	return expandDate(prefix, t) + "{N}" + expandDate(suffix, t)
}

// Format is the number of sequence n at t.
func (p NumberPattern) Format(t time.Time, n uint64) string {
	prefix, suffix, width, _ := splitPattern(string(p))
	return expandDate(prefix, t) + fmt.Sprintf("%0*d", width, n) + expandDate(suffix, t)
}

// nextNumber draws the next number of pattern for a document issued at t
// from a counter in the same transaction that stores the document, so that
// numbers are gapless (a rolled-back issue takes its number back) and never
// repeat (the stores also refuse a second invoice with one number).
func (s *Service) nextNumber(tx Tx, kind string, p NumberPattern, t time.Time) (string, error) {
	local := t.In(s.cfg.Location)
	n, err := tx.Meta().NextSequence("number:" + kind + ":" + p.scope(local))
	if err != nil {
		return "", fmt.Errorf("%s number: %w", kind, err)
	}
	return p.Format(local, n), nil
}

// issueInvoice numbers an invoice that is issued now (it leaves draft) and
// announces it. A number, once given, is kept through payment and voiding.
func (s *Service) issueInvoice(tx Tx, inv *Invoice) error {
	if inv.Number != "" || inv.Status == InvoiceDraft {
		return nil
	}
	n, err := s.nextNumber(tx, "invoice", s.cfg.InvoiceNumberPattern, inv.IssueDate)
	if err != nil {
		return err
	}
	inv.Number = n
	return s.emit(tx, EvInvoiceIssued, inv.OwnerID, inv.IssueDate, map[string]any{
		"invoice_id": inv.ID, "number": inv.Number, "total": inv.Total.String(), "subscription_id": inv.SubscriptionID,
	})
}
