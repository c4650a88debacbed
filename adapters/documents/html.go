package documents

import (
	"bytes"
	"html/template"

	"github.com/langganan/langganan/core"
)

var page = template.Must(template.New("invoice").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8">
<title>{{.Title}} {{.Number}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;color:#222}
table{border-collapse:collapse;width:100%}td,th{padding:.3rem .5rem;text-align:left}
.lines th{border-bottom:1px solid #999}.num{text-align:right}.totals td{padding:.15rem .5rem}
.parties{display:flex;gap:3rem;margin:1.5rem 0}.note{color:#555;font-size:.85rem}
</style></head><body>
<h1>{{.Title}} {{.Number}}</h1>
<table class="meta">
<tr><th>{{.L.Number}}</th><td id="number">{{.Number}}</td></tr>
<tr><th>{{.L.IssueDate}}</th><td>{{.IssueDate}}</td></tr>
{{- if .CreditFor}}<tr><th>{{.L.CreditFor}}</th><td>{{.CreditFor}}</td></tr>{{else}}
<tr><th>{{.L.DueDate}}</th><td>{{.DueDate}}</td></tr>{{end}}
{{- if .Period}}<tr><th>{{.L.Period}}</th><td>{{.Period}}</td></tr>{{end}}
<tr><th>Status</th><td id="status">{{.Status}}</td></tr>
</table>
<div class="parties">
<div><h2>{{.L.Seller}}</h2>{{with .Seller}}<div>{{.Name}}</div><div>{{.Address}}</div>{{if .NPWP}}<div>{{$.L.NPWP}}: {{.NPWP}}</div>{{end}}{{if .Email}}<div>{{.Email}}</div>{{end}}{{if .Phone}}<div>{{.Phone}}</div>{{end}}{{end}}</div>
<div><h2>{{.L.Buyer}}</h2>{{with .Buyer}}<div>{{.Name}}</div>{{if .Address}}<div>{{.Address}}</div>{{end}}{{if .Email}}<div>{{.Email}}</div>{{end}}{{if .Phone}}<div>{{.Phone}}</div>{{end}}{{end}}</div>
</div>
<table class="lines"><thead><tr><th>{{.L.Description}}</th><th class="num">{{.L.Qty}}</th><th class="num">{{.L.UnitPrice}}</th><th class="num">{{.L.Amount}}</th></tr></thead>
<tbody>{{range .Lines}}<tr><td>{{.Description}}</td><td class="num">{{.Qty}}</td><td class="num">{{.Unit}}</td><td class="num">{{.Amount}}</td></tr>{{end}}</tbody></table>
<table class="totals">
<tr><td>{{.L.Subtotal}}</td><td class="num">{{.Subtotal}}</td></tr>
{{- if .Discount}}
<tr><td>{{.L.Discount}}</td><td class="num">{{.Discount}}</td></tr>{{end}}
{{- if .ShowTax}}
<tr><td>{{.L.TaxBase}}</td><td class="num" id="dpp">{{.TaxBase}}</td></tr>
<tr><td>{{.TaxLabel}}</td><td class="num" id="ppn">{{.Tax}}</td></tr>{{end}}
{{- if .CreditApplied}}
<tr><td>{{.L.CreditApplied}}</td><td class="num" id="credit">{{.CreditApplied}}</td></tr>{{end}}
<tr><th>{{.L.Total}}</th><th class="num" id="total">{{.Total}}</th></tr>
</table>
<p class="note">{{if .ShowTax}}{{.L.TaxNote}}{{if .Inclusive}} {{.L.Inclusive}}{{end}}{{else if .NonPKP}}{{.L.NoTax}}{{end}}</p>
<table class="payment">
{{- if .PaymentStatus}}<tr><th>{{.L.PaymentStatus}}</th><td>{{.PaymentStatus}}</td></tr>{{end}}
{{- if .PaymentMethod}}<tr><th>{{.L.PaymentMethod}}</th><td>{{.PaymentMethod}}</td></tr>{{end}}
{{- if .OrderID}}<tr><th>{{.L.OrderID}}</th><td id="order">{{.OrderID}}</td></tr>{{end}}
{{- if .PaidAt}}<tr><th>{{.L.PaidAt}}</th><td>{{.PaidAt}}</td></tr>{{end}}
</table>
</body></html>
`))

// HTML renders d as a standalone HTML page.
func HTML(d core.InvoiceDocument) ([]byte, error) { return html(newView(d)) }

// CreditNoteHTML renders a credit note as a standalone HTML page.
func CreditNoteHTML(d core.CreditNoteDocument) ([]byte, error) { return html(newCreditView(d)) }

func html(v view) ([]byte, error) {
	var b bytes.Buffer
	if err := page.Execute(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Renderer renders invoices and credit notes for the HTTP adapter.
type Renderer struct{}

func (Renderer) HTML(d core.InvoiceDocument) ([]byte, error) { return HTML(d) }
func (Renderer) PDF(d core.InvoiceDocument) ([]byte, error)  { return PDF(d) }
func (Renderer) CreditNoteHTML(d core.CreditNoteDocument) ([]byte, error) {
	return CreditNoteHTML(d)
}
func (Renderer) CreditNotePDF(d core.CreditNoteDocument) ([]byte, error) { return CreditNotePDF(d) }
