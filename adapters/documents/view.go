// Package documents renders invoices (and credit notes) as HTML and PDF in
// the customer's language, Indonesian or English. It formats what core
// computed and computes nothing itself.
package documents

import (
	"fmt"
	"strings"
	"time"

	"github.com/langganan/langganan/core"
)

// labels are a document's words in one language.
type labels struct {
	Invoice, CreditNote, Number, IssueDate, DueDate, Period, Seller, Buyer, NPWP           string
	Description, Qty, UnitPrice, Amount, Subtotal, Discount, TaxBase, Tax, Total, TaxNote  string
	Inclusive, NoTax, PaymentStatus, PaymentMethod, OrderID, PaidAt, CreditFor, NotPaidYet string
	CreditApplied                                                                          string
	Months                                                                                 [12]string
	Thousands, Decimal                                                                     string
	Status                                                                                 map[string]string
}

var byLocale = map[string]labels{
	"id": {
		Invoice: "Tagihan", CreditNote: "Nota Kredit", Number: "Nomor", IssueDate: "Tanggal terbit", DueDate: "Jatuh tempo",
		Period: "Periode", Seller: "Penjual", Buyer: "Ditagihkan kepada", NPWP: "NPWP",
		Description: "Deskripsi", Qty: "Jml", UnitPrice: "Harga satuan", Amount: "Jumlah", Subtotal: "Subtotal",
		Discount: "Diskon", TaxBase: "DPP (dasar pengenaan pajak)", Tax: "PPN", Total: "Total",
		TaxNote:   "PPN dihitung sekali dari jumlah bersih tagihan dan dibulatkan ke bawah ke rupiah penuh; baris tidak dibulatkan sendiri.",
		Inclusive: "Harga sudah termasuk PPN.", NoTax: "Penjual bukan PKP: tidak dipungut PPN.",
		PaymentStatus: "Status pembayaran", PaymentMethod: "Metode pembayaran", OrderID: "ID pesanan Midtrans",
		PaidAt: "Dibayar pada", CreditFor: "Atas tagihan", NotPaidYet: "belum ada pembayaran",
		CreditApplied: "Dikurangi kredit dari nota kredit",
		Months:        [12]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"},
		Thousands:     ".", Decimal: ",",
		Status: map[string]string{"draft": "Draf", "open": "Belum dibayar", "paid": "Lunas", "void": "Dibatalkan", "overdue": "Lewat jatuh tempo",
			"pending": "Menunggu pembayaran", "creating": "Menunggu pembayaran", "failed": "Gagal", "expired": "Kedaluwarsa",
			"refunded": "Dikembalikan", "partially_refunded": "Dikembalikan sebagian", "issued": "Terbit"},
	},
	"en": {
		Invoice: "Invoice", CreditNote: "Credit note", Number: "Number", IssueDate: "Issue date", DueDate: "Due date",
		Period: "Period", Seller: "Seller", Buyer: "Bill to", NPWP: "NPWP (tax id)",
		Description: "Description", Qty: "Qty", UnitPrice: "Unit price", Amount: "Amount", Subtotal: "Subtotal",
		Discount: "Discount", TaxBase: "Tax base (DPP)", Tax: "VAT (PPN)", Total: "Total",
		TaxNote:   "PPN is computed once on the invoice's net amount and rounded down to the whole rupiah; lines are never rounded alone.",
		Inclusive: "Prices include PPN.", NoTax: "The seller is not VAT-registered (non-PKP): no PPN is charged.",
		PaymentStatus: "Payment status", PaymentMethod: "Payment method", OrderID: "Midtrans order id",
		PaidAt: "Paid at", CreditFor: "For invoice", NotPaidYet: "no payment yet",
		CreditApplied: "Less credit from credit notes",
		Months:        [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		Thousands:     ",", Decimal: ".",
		Status: map[string]string{"draft": "Draft", "open": "Open", "paid": "Paid", "void": "Void", "overdue": "Overdue",
			"pending": "Awaiting payment", "creating": "Awaiting payment", "failed": "Failed", "expired": "Expired",
			"refunded": "Refunded", "partially_refunded": "Partially refunded", "issued": "Issued"},
	},
}

// view is a document with every value formatted for its locale.
type view struct {
	L                                      labels
	Lang                                   string
	Title, Number, IssueDate, DueDate      string
	Period                                 string
	Seller, Buyer                          core.Party
	Lines                                  []lineView
	Subtotal, Discount, TaxBase, Total     string
	TaxLabel, Tax                          string
	ShowTax, Inclusive, NonPKP             bool
	Status, PaymentStatus, PaymentMethod   string
	OrderID, PaidAt, CreditFor, CreditNote string
	// CreditApplied is credit from credit notes the invoice took after
	// PPN ("" without).
	CreditApplied string
}

type lineView struct{ Description, Qty, Unit, Amount string }

// newFrame is what every document shares: its locale's words, the
// seller as the merchant's tax status shows it, the buyer, the period of
// the invoice (a credit note's too) and how PPN is labelled. number and
// the tax fields are the document's own.
func newFrame(locale string, loc *time.Location, m core.Merchant, buyer core.Party, inv core.Invoice,
	number string, taxBase, tax core.Money, rate core.Rate, inclusive bool) (view, *time.Location) {
	lang := "id"
	if locale == "en" {
		lang = "en"
	}
	L := byLocale[lang]
	if loc == nil {
		loc = time.UTC
	}
	v := view{L: L, Lang: lang, Number: number, Buyer: buyer, NonPKP: !m.PKP,
		Seller: core.Party{Name: m.Name, Address: m.Address, Email: m.Email, Phone: m.Phone},
		Tax:    rp(L, tax), ShowTax: taxBase.Valid() || tax.IsPositive(), Inclusive: inclusive, TaxLabel: L.Tax}
	if v.Number == "" {
		v.Number = "—"
	}
	if m.PKP {
		v.Seller.NPWP = m.NPWP
	}
	if !inv.PeriodStart.IsZero() && !inv.PeriodEnd.IsZero() {
		v.Period = date(L, inv.PeriodStart, loc) + " – " + date(L, inv.PeriodEnd, loc)
	}
	if taxBase.Valid() {
		v.TaxBase = rp(L, taxBase)
	}
	if !rate.IsZero() {
		v.TaxLabel = fmt.Sprintf("%s %s%%", L.Tax, percent(rate, L))
	}
	return v, loc
}

func newView(d core.InvoiceDocument) view {
	inv := d.Invoice
	v, loc := newFrame(d.Locale, d.Location, d.Merchant, d.Customer, inv, inv.Number, inv.TaxBase, inv.Tax, inv.TaxRate, inv.TaxInclusive)
	L := v.L
	v.Title, v.IssueDate, v.DueDate = L.Invoice, date(L, inv.IssueDate, loc), date(L, inv.DueDate, loc)
	v.Subtotal, v.Discount, v.Total = rp(L, inv.Subtotal), rp(L, inv.Discount), rp(L, inv.Total)
	v.Status, v.OrderID = status(L, string(inv.Status)), d.OrderID
	v.PaymentMethod, v.PaymentStatus = method(d.PaymentType, d.Bank), L.NotPaidYet
	if d.PaymentStatus != "" {
		v.PaymentStatus = status(L, string(d.PaymentStatus))
	}
	if !d.PaidAt.IsZero() {
		v.PaidAt = date(L, d.PaidAt, loc)
	}
	applied := core.Zero(inv.Currency)
	for _, l := range inv.Lines {
		if l.Kind == core.LineCreditNote {
			applied = applied.Add(l.Amount) // taken after PPN: shown below it
			continue
		}
		v.Lines = append(v.Lines, lineView{Description: l.Description, Qty: fmt.Sprint(l.Quantity),
			Unit: rp(L, l.UnitAmount), Amount: rp(L, l.Amount)})
	}
	if !applied.IsZero() {
		v.CreditApplied = rp(L, applied)
	}
	return v
}

// newCreditView is a credit note as its invoice would be printed: one
// line for what it credits, then its DPP, PPN and total, the invoice it
// credits, and the refunded payment's method and order id for a refund.
func newCreditView(d core.CreditNoteDocument) view {
	n, inv := d.Note, d.Invoice
	v, loc := newFrame(d.Locale, d.Location, d.Merchant, d.Customer, inv, n.Number, n.TaxBase, n.Tax, n.TaxRate, n.TaxInclusive)
	L := v.L
	sub := n.Subtotal()
	v.Title, v.IssueDate = L.CreditNote, date(L, n.IssueDate, loc)
	v.Subtotal, v.Total = rp(L, sub), rp(L, n.Amount)
	v.Status, v.CreditFor, v.OrderID = status(L, "issued"), n.InvoiceNumber, d.OrderID
	v.Lines = []lineView{{Description: n.Description, Qty: "1", Unit: rp(L, sub), Amount: rp(L, sub)}}
	if d.PaymentType != "" {
		v.PaymentMethod = method(d.PaymentType, d.Bank)
	}
	return v
}

func status(L labels, s string) string {
	if t, ok := L.Status[s]; ok {
		return t
	}
	return s
}

func method(t core.PaymentType, bank string) string {
	if t == "" {
		return "—"
	}
	s := strings.ReplaceAll(string(t), "_", " ")
	if bank != "" {
		s += " (" + strings.ToUpper(bank) + ")"
	}
	return s
}

func date(L labels, t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(loc)
	return fmt.Sprintf("%d %s %d", t.Day(), L.Months[t.Month()-1], t.Year())
}

// percent prints a rate (0.12) as a percentage (12).
func percent(r core.Rate, L labels) string {
	return strings.Replace(r.Percent().String(), ".", L.Decimal, 1)
}

// rp formats rupiah with the locale's separators: "Rp 49.000" (id),
// "Rp 49,000" (en); sen are shown only when there are any.
func rp(L labels, m core.Money) string {
	if !m.Valid() {
		return "—"
	}
	a := m.Amount()
	neg := a.IsNegative()
	a = a.Abs()
	whole := a.Truncate(0).String()
	frac := ""
	if !a.IsInteger() {
		frac = L.Decimal + a.StringFixed(2)[len(whole)+1:]
	}
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(L.Thousands)
		}
		b.WriteRune(c)
	}
	s := "Rp " + b.String() + frac
	if neg {
		s = "-" + s
	}
	return s
}
