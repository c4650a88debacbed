package core

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/shopspring/decimal"
)

// Message templates for email and in-app notifications, in Indonesian
// ("id", the default) and English ("en"). Each event type has a subject and
// an intro sentence; a shared layout adds the payment details a customer
// needs (VA number and bank, bill key, payment code, QR, deeplink, amount,
// due time). Intros are parsed twice: by text/template for the text part
// and the in-app body, and by html/template for the HTML part, so every
// value is escaped for its context.

// messageView is what templates see. Every field is a display string.
type messageView struct {
	Name          string
	PlanName      string
	Status        string
	Amount        string
	Balance       string
	OrderID       string
	InvoiceNumber string
	InvoiceURL    string // the invoice's PDF, when the service's public URL is known
	PeriodEnd     string
	DueTime       string
	PaymentType   string
	Bank          string
	VANumber      string
	BillKey       string
	BillerCode    string
	PaymentCode   string
	Store         string
	QRString      string
	QRURL         string
	DeeplinkURL   string
	RedirectURL   string
	Alert         string
	Details       string // alert details, key=value
	L             messageLabels
	Intro         string            // rendered intro (text)
	IntroHTML     htmltemplate.HTML // rendered intro (escaped HTML)
	Subject       string            // rendered subject
}

type messageLabels struct {
	Greeting, Amount, VA, BillKey, BillerCode, PaymentCode, QR, Deeplink, PayLink, Due, Order, Invoice, Footer string
	InvoicePDF                                                                                                 string
}

var labelsByLocale = map[string]messageLabels{
	"id": {Greeting: "Halo", Amount: "Jumlah", VA: "Nomor Virtual Account", BillKey: "Kode bayar (bill key)",
		BillerCode: "Kode perusahaan (biller code)", PaymentCode: "Kode pembayaran", QR: "QRIS", Deeplink: "Buka aplikasi untuk membayar",
		PayLink: "Tautan pembayaran", Due: "Bayar sebelum", Order: "Nomor pesanan", Invoice: "Nomor tagihan", InvoicePDF: "Tagihan (PDF)",
		Footer: "Email ini dikirim otomatis oleh Langganan. Abaikan jika Anda sudah membayar."},
	"en": {Greeting: "Hello", Amount: "Amount", VA: "Virtual account number", BillKey: "Bill key",
		BillerCode: "Biller code", PaymentCode: "Payment code", QR: "QRIS", Deeplink: "Open the app to pay",
		PayLink: "Payment link", Due: "Pay before", Order: "Order ID", Invoice: "Invoice number", InvoicePDF: "Invoice (PDF)",
		Footer: "This email was sent automatically by Langganan. Ignore it if you have already paid."},
}

type messageText struct{ Subject, Intro string }

// messages holds one subject and intro per event type and locale.
var messages = map[string]map[string]messageText{
	EvSubscriptionCreated: {
		"id": {"Langganan {{.PlanName}} dibuat", "Langganan {{.PlanName}} Anda telah dibuat.{{if .Amount}} Selesaikan pembayaran agar langganan aktif.{{end}}"},
		"en": {"Your {{.PlanName}} subscription was created", "Your {{.PlanName}} subscription was created.{{if .Amount}} Complete the payment to activate it.{{end}}"},
	},
	EvSubscriptionActivated: {
		"id": {"Langganan {{.PlanName}} aktif", "Pembayaran diterima, langganan {{.PlanName}} Anda sekarang aktif{{if .PeriodEnd}} hingga {{.PeriodEnd}}{{end}}."},
		"en": {"Your {{.PlanName}} subscription is active", "Payment received: your {{.PlanName}} subscription is now active{{if .PeriodEnd}} until {{.PeriodEnd}}{{end}}."},
	},
	EvSubscriptionRenewed: {
		"id": {"Langganan {{.PlanName}} diperpanjang", "Langganan {{.PlanName}} Anda telah diperpanjang{{if .PeriodEnd}} hingga {{.PeriodEnd}}{{end}}."},
		"en": {"Your {{.PlanName}} subscription was renewed", "Your {{.PlanName}} subscription was renewed{{if .PeriodEnd}} until {{.PeriodEnd}}{{end}}."},
	},
	EvSubscriptionPastDue: {
		"id": {"Pembayaran langganan {{.PlanName}} tertunggak", "Pembayaran perpanjangan langganan {{.PlanName}} belum kami terima. Mohon segera bayar agar layanan tidak terhenti."},
		"en": {"Payment for your {{.PlanName}} subscription is past due", "We have not received the renewal payment for your {{.PlanName}} subscription. Please pay soon to keep the service running."},
	},
	EvSubscriptionPaused: {
		"id": {"Langganan {{.PlanName}} dijeda", "Langganan {{.PlanName}} Anda sedang dijeda."},
		"en": {"Your {{.PlanName}} subscription is paused", "Your {{.PlanName}} subscription is paused."},
	},
	EvSubscriptionResumed: {
		"id": {"Langganan {{.PlanName}} dilanjutkan", "Langganan {{.PlanName}} Anda kembali berjalan."},
		"en": {"Your {{.PlanName}} subscription was resumed", "Your {{.PlanName}} subscription is running again."},
	},
	EvSubscriptionCancelled: {
		"id": {"Langganan {{.PlanName}} dibatalkan", "Langganan {{.PlanName}} Anda telah dibatalkan{{if .PeriodEnd}}; layanan berlaku hingga {{.PeriodEnd}}{{end}}."},
		"en": {"Your {{.PlanName}} subscription was cancelled", "Your {{.PlanName}} subscription was cancelled{{if .PeriodEnd}}; service continues until {{.PeriodEnd}}{{end}}."},
	},
	EvSubscriptionExpired: {
		"id": {"Langganan {{.PlanName}} berakhir", "Langganan {{.PlanName}} Anda telah berakhir."},
		"en": {"Your {{.PlanName}} subscription has ended", "Your {{.PlanName}} subscription has ended."},
	},
	EvSubscriptionPlanChanged: {
		"id": {"Paket langganan diubah", "Paket langganan Anda telah diubah{{if .PlanName}} ke {{.PlanName}}{{end}}."},
		"en": {"Your subscription plan changed", "Your subscription plan was changed{{if .PlanName}} to {{.PlanName}}{{end}}."},
	},
	EvSubscriptionPlanChangeFailed: {
		"id": {"Perubahan paket tidak selesai", "Pembayaran perubahan paket tidak diterima, jadi langganan Anda tetap pada paket {{.PlanName}}."},
		"en": {"Your plan change did not go through", "The payment for your plan change was not received, so your subscription stays on {{.PlanName}}."},
	},
	EvSubscriptionTrialEnding: {
		"id": {"Masa uji coba {{.PlanName}} segera berakhir", "Masa uji coba langganan {{.PlanName}} Anda berakhir{{if .PeriodEnd}} pada {{.PeriodEnd}}{{else}} sebentar lagi{{end}}."},
		"en": {"Your {{.PlanName}} trial ends soon", "The trial of your {{.PlanName}} subscription ends{{if .PeriodEnd}} on {{.PeriodEnd}}{{else}} soon{{end}}."},
	},
	EvSubscriptionExpiringSoon: {
		"id": {"Langganan {{.PlanName}} segera berakhir", "Langganan {{.PlanName}} Anda akan berakhir{{if .PeriodEnd}} pada {{.PeriodEnd}}{{else}} sebentar lagi{{end}}."},
		"en": {"Your {{.PlanName}} subscription ends soon", "Your {{.PlanName}} subscription ends{{if .PeriodEnd}} on {{.PeriodEnd}}{{else}} soon{{end}}."},
	},
	EvPaymentSucceeded: {
		"id": {"Pembayaran {{.Amount}} berhasil", "Terima kasih, pembayaran Anda sebesar {{.Amount}} telah kami terima."},
		"en": {"Payment of {{.Amount}} received", "Thank you, we have received your payment of {{.Amount}}."},
	},
	EvPaymentFailed: {
		"id": {"Pembayaran {{.Amount}} gagal", "Pembayaran Anda sebesar {{.Amount}} tidak berhasil. Silakan coba lagi dengan metode pembayaran lain."},
		"en": {"Payment of {{.Amount}} failed", "Your payment of {{.Amount}} did not go through. Please try again with another payment method."},
	},
	EvPaymentRefunded: {
		"id": {"Pengembalian dana {{.Amount}}", "Dana sebesar {{.Amount}} telah dikembalikan kepada Anda."},
		"en": {"Refund of {{.Amount}}", "A refund of {{.Amount}} has been issued to you."},
	},
	EvInvoiceIssued: {
		"id": {"Tagihan {{.InvoiceNumber}} sebesar {{.Amount}}", "Tagihan baru {{.InvoiceNumber}} sebesar {{.Amount}} telah terbit{{if .PlanName}} untuk langganan {{.PlanName}}{{end}}."},
		"en": {"Invoice {{.InvoiceNumber}} for {{.Amount}}", "A new invoice {{.InvoiceNumber}} for {{.Amount}} was issued{{if .PlanName}} for your {{.PlanName}} subscription{{end}}."},
	},
	EvInvoicePaid: {
		"id": {"Tagihan {{.InvoiceNumber}} lunas", "Tagihan {{.InvoiceNumber}} sebesar {{.Amount}} telah lunas. Terima kasih."},
		"en": {"Invoice {{.InvoiceNumber}} paid", "Invoice {{.InvoiceNumber}} for {{.Amount}} is paid. Thank you."},
	},
	EvInvoiceOverdue: {
		"id": {"Tagihan {{.InvoiceNumber}} jatuh tempo", "Tagihan {{.InvoiceNumber}} sebesar {{.Amount}} telah melewati jatuh tempo. Mohon segera bayar."},
		"en": {"Invoice {{.InvoiceNumber}} is overdue", "Invoice {{.InvoiceNumber}} for {{.Amount}} is overdue. Please pay soon."},
	},
	EvTopUpSucceeded: {
		"id": {"Isi saldo {{.Amount}} berhasil", "Isi saldo dompet sebesar {{.Amount}} berhasil."},
		"en": {"Top-up of {{.Amount}} received", "Your wallet top-up of {{.Amount}} succeeded."},
	},
	EvWalletDebited: {
		"id": {"Saldo dompet terpakai {{.Amount}}", "Saldo dompet Anda terpakai sebesar {{.Amount}}.{{if .Balance}} Sisa saldo: {{.Balance}}.{{end}}"},
		"en": {"{{.Amount}} paid from your wallet", "{{.Amount}} was paid from your wallet.{{if .Balance}} Balance: {{.Balance}}.{{end}}"},
	},
	EvWalletCredited: {
		"id": {"Saldo dompet bertambah {{.Amount}}", "Saldo dompet Anda bertambah {{.Amount}}.{{if .Balance}} Saldo: {{.Balance}}.{{end}}"},
		"en": {"{{.Amount}} added to your wallet", "{{.Amount}} was added to your wallet.{{if .Balance}} Balance: {{.Balance}}.{{end}}"},
	},
	EvAlert: {
		"id": {"Peringatan: {{.Alert}}", "Peringatan sistem {{.Alert}}.{{if .Details}} {{.Details}}{{end}}"},
		"en": {"Alert: {{.Alert}}", "System alert {{.Alert}}.{{if .Details}} {{.Details}}{{end}}"},
	},
}

// genericMessage covers an event type without its own text.
var genericMessage = map[string]messageText{
	"id": {"Pemberitahuan: {{.Status}}", "Ada pembaruan pada akun Anda ({{.Status}})."},
	"en": {"Notification: {{.Status}}", "There is an update on your account ({{.Status}})."},
}

const textLayout = `{{.L.Greeting}}{{if .Name}} {{.Name}}{{end}},

{{.Intro}}
{{if .Amount}}
{{.L.Amount}}: {{.Amount}}{{end}}{{if .InvoiceNumber}}
{{.L.Invoice}}: {{.InvoiceNumber}}{{end}}{{if .InvoiceURL}}
{{.L.InvoicePDF}}: {{.InvoiceURL}}{{end}}{{if .OrderID}}
{{.L.Order}}: {{.OrderID}}{{end}}{{if .VANumber}}
{{.L.VA}}{{if .Bank}} ({{.Bank}}){{end}}: {{.VANumber}}{{end}}{{if .BillKey}}
{{.L.BillerCode}}: {{.BillerCode}}
{{.L.BillKey}}: {{.BillKey}}{{end}}{{if .PaymentCode}}
{{.L.PaymentCode}}{{if .Store}} ({{.Store}}){{end}}: {{.PaymentCode}}{{end}}{{if .QRURL}}
{{.L.QR}}: {{.QRURL}}{{else if .QRString}}
{{.L.QR}}: {{.QRString}}{{end}}{{if .DeeplinkURL}}
{{.L.Deeplink}}: {{.DeeplinkURL}}{{end}}{{if .RedirectURL}}
{{.L.PayLink}}: {{.RedirectURL}}{{end}}{{if .DueTime}}
{{.L.Due}}: {{.DueTime}}{{end}}

-- 
{{.L.Footer}}
`

const htmlLayout = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;color:#222">
<p>{{.L.Greeting}}{{if .Name}} {{.Name}}{{end}},</p>
<p>{{.IntroHTML}}</p>
<table cellpadding="4" style="border-collapse:collapse">
{{- if .Amount}}<tr><td>{{.L.Amount}}</td><td><strong>{{.Amount}}</strong></td></tr>{{end}}
{{- if .InvoiceNumber}}<tr><td>{{.L.Invoice}}</td><td>{{.InvoiceNumber}}</td></tr>{{end}}
{{- if .InvoiceURL}}<tr><td colspan="2"><a href="{{.InvoiceURL}}">{{.L.InvoicePDF}}</a></td></tr>{{end}}
{{- if .OrderID}}<tr><td>{{.L.Order}}</td><td>{{.OrderID}}</td></tr>{{end}}
{{- if .VANumber}}<tr><td>{{.L.VA}}{{if .Bank}} ({{.Bank}}){{end}}</td><td><strong>{{.VANumber}}</strong></td></tr>{{end}}
{{- if .BillKey}}<tr><td>{{.L.BillerCode}}</td><td>{{.BillerCode}}</td></tr><tr><td>{{.L.BillKey}}</td><td><strong>{{.BillKey}}</strong></td></tr>{{end}}
{{- if .PaymentCode}}<tr><td>{{.L.PaymentCode}}{{if .Store}} ({{.Store}}){{end}}</td><td><strong>{{.PaymentCode}}</strong></td></tr>{{end}}
{{- if .QRURL}}<tr><td>{{.L.QR}}</td><td><img src="{{.QRURL}}" alt="QRIS" width="240" height="240"></td></tr>{{else if .QRString}}<tr><td>{{.L.QR}}</td><td><code>{{.QRString}}</code></td></tr>{{end}}
{{- if .DeeplinkURL}}<tr><td colspan="2"><a href="{{.DeeplinkURL}}">{{.L.Deeplink}}</a></td></tr>{{end}}
{{- if .RedirectURL}}<tr><td colspan="2"><a href="{{.RedirectURL}}">{{.L.PayLink}}</a></td></tr>{{end}}
{{- if .DueTime}}<tr><td>{{.L.Due}}</td><td><strong>{{.DueTime}}</strong></td></tr>{{end}}
</table>
<p style="color:#777;font-size:12px">{{.L.Footer}}</p>
</body></html>
`

type compiledMessage struct {
	subject *texttemplate.Template
	intro   *texttemplate.Template
	introH  *htmltemplate.Template
}

var (
	compiledMessages = map[string]map[string]compiledMessage{} // type → locale → templates
	compiledGeneric  = map[string]compiledMessage{}
	textLayoutT      = texttemplate.Must(texttemplate.New("text").Parse(textLayout))
	htmlLayoutT      = htmltemplate.Must(htmltemplate.New("html").Parse(htmlLayout))
)

func compileMessage(name string, m messageText) compiledMessage {
	return compiledMessage{
		subject: texttemplate.Must(texttemplate.New(name + ".subject").Option("missingkey=zero").Parse(m.Subject)),
		intro:   texttemplate.Must(texttemplate.New(name + ".intro").Parse(m.Intro)),
		introH:  htmltemplate.Must(htmltemplate.New(name + ".intro.html").Parse(m.Intro)),
	}
}

func init() {
	for typ, byLoc := range messages {
		compiledMessages[typ] = map[string]compiledMessage{}
		for loc, m := range byLoc {
			compiledMessages[typ][loc] = compileMessage(typ+"."+loc, m)
		}
	}
	for loc, m := range genericMessage {
		compiledGeneric[loc] = compileMessage("generic."+loc, m)
	}
}

// Rendered is one message in one locale.
type Rendered struct {
	Subject string
	Text    string // the full text email
	Intro   string // the short text, used as in-app body
	HTML    string
}

// normLocale maps a user locale to a template locale; Indonesian is the default.
func normLocale(l string) string {
	if strings.EqualFold(strings.TrimSpace(l), "en") {
		return "en"
	}
	return "id"
}

// renderMessage renders the templates of an event type for a locale.
func renderMessage(typ, locale string, v messageView) (Rendered, error) {
	locale = normLocale(locale)
	cm, ok := compiledMessages[typ][locale]
	if !ok {
		cm = compiledGeneric[locale]
		if v.Status == "" {
			v.Status = typ
		}
	}
	v.L = labelsByLocale[locale]
	var b bytes.Buffer
	if err := cm.subject.Execute(&b, v); err != nil {
		return Rendered{}, fmt.Errorf("render %s subject: %w", typ, err)
	}
	v.Subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err := cm.intro.Execute(&b, v); err != nil {
		return Rendered{}, fmt.Errorf("render %s intro: %w", typ, err)
	}
	v.Intro = b.String()
	b.Reset()
	if err := cm.introH.Execute(&b, v); err != nil {
		return Rendered{}, fmt.Errorf("render %s html intro: %w", typ, err)
	}
	v.IntroHTML = htmltemplate.HTML(b.String()) // produced by html/template, so already escaped
	var text, html bytes.Buffer
	if err := textLayoutT.Execute(&text, v); err != nil {
		return Rendered{}, fmt.Errorf("render %s text: %w", typ, err)
	}
	if err := htmlLayoutT.Execute(&html, v); err != nil {
		return Rendered{}, fmt.Errorf("render %s html: %w", typ, err)
	}
	return Rendered{Subject: v.Subject, Text: text.String(), Intro: v.Intro, HTML: html.String()}, nil
}

// formatAmount shows a decimal amount string the way a customer reads it:
// "Rp49.000" in Indonesian, "IDR 49,000" in English; cents only when not zero.
func formatAmount(s, currency, locale string) string {
	if s == "" {
		return ""
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return s
	}
	if currency == "" {
		currency = string(IDR)
	}
	neg := d.IsNegative()
	d = d.Abs()
	intPart := d.Truncate(0).String()
	frac := d.Sub(d.Truncate(0))
	thou, dec := ",", "."
	if normLocale(locale) == "id" {
		thou, dec = ".", ","
	}
	var g []string
	for len(intPart) > 3 {
		g = append([]string{intPart[len(intPart)-3:]}, g...)
		intPart = intPart[:len(intPart)-3]
	}
	g = append([]string{intPart}, g...)
	out := strings.Join(g, thou)
	if !frac.IsZero() {
		out += dec + frac.StringFixed(2)[2:]
	}
	sign := ""
	if neg {
		sign = "-" // before the currency: "-Rp49.000", never "Rp-49.000"
	}
	if currency == string(IDR) && normLocale(locale) == "id" {
		return sign + "Rp" + out
	}
	return sign + currency + " " + out
}

var monthsID = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}

// formatTime shows a time in the billing zone: "2 Februari 2026 10:00 WIB".
func formatTime(t time.Time, loc *time.Location, locale string) string {
	if t.IsZero() {
		return ""
	}
	if loc != nil {
		t = t.In(loc)
	}
	zone, _ := t.Zone()
	if normLocale(locale) == "id" {
		return fmt.Sprintf("%d %s %d %02d:%02d %s", t.Day(), monthsID[t.Month()-1], t.Year(), t.Hour(), t.Minute(), zone)
	}
	return fmt.Sprintf("%d %s %d, %02d:%02d %s", t.Day(), t.Month(), t.Year(), t.Hour(), t.Minute(), zone)
}

// formatDate shows a date only: "2 Februari 2026".
func formatDate(t time.Time, loc *time.Location, locale string) string {
	if t.IsZero() {
		return ""
	}
	if loc != nil {
		t = t.In(loc)
	}
	if normLocale(locale) == "id" {
		return fmt.Sprintf("%d %s %d", t.Day(), monthsID[t.Month()-1], t.Year())
	}
	return fmt.Sprintf("%d %s %d", t.Day(), t.Month(), t.Year())
}

// FormatMoney shows an amount the way a customer reads it in a locale:
// "Rp49.000" in Indonesian ("id", the default), "IDR 49,000" in English.
// The web pages use it, so pages and emails agree.
func FormatMoney(m Money, locale string) string {
	if !m.Valid() {
		return ""
	}
	return formatAmount(m.String(), string(m.Currency()), locale)
}

// FormatTime shows a time in loc: "2 Februari 2026 10:00 WIB".
func FormatTime(t time.Time, loc *time.Location, locale string) string {
	return formatTime(t, loc, locale)
}

// FormatDate shows a date in loc: "2 Februari 2026".
func FormatDate(t time.Time, loc *time.Location, locale string) string {
	return formatDate(t, loc, locale)
}

// NormLocale maps a user locale to a supported one: "en", else "id".
func NormLocale(l string) string { return normLocale(l) }
