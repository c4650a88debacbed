package http

import (
	"context"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

// DocumentRenderer renders printed invoices and credit notes (HTML and PDF).
type DocumentRenderer interface {
	HTML(core.InvoiceDocument) ([]byte, error)
	PDF(core.InvoiceDocument) ([]byte, error)
	CreditNoteHTML(core.CreditNoteDocument) ([]byte, error)
	CreditNotePDF(core.CreditNoteDocument) ([]byte, error)
}

// documentService is implemented by *core.Service.
type documentService interface {
	InvoiceDocument(ctx context.Context, a core.Actor, id string) (core.InvoiceDocument, error)
	CreditNoteDocument(ctx context.Context, a core.Actor, id string) (core.CreditNoteDocument, error)
}

var errNoDocuments = errors.New("invoice documents are not configured")

// docPrinter pairs the renderer with the service that gathers what a
// document shows; nil when either is missing.
type docPrinter struct {
	svc    documentService
	render DocumentRenderer
}

func newDocuments(svc Service, r DocumentRenderer) *docPrinter {
	ds, ok := svc.(documentService)
	if !ok || r == nil {
		return nil
	}
	return &docPrinter{svc: ds, render: r}
}

func (s *Server) invoicePDF(c *fiber.Ctx) error {
	return s.invoiceDocument(c, "application/pdf", ".pdf", DocumentRenderer.PDF)
}

func (s *Server) invoiceHTML(c *fiber.Ctx) error {
	return s.invoiceDocument(c, fiber.MIMETextHTMLCharsetUTF8, ".html", DocumentRenderer.HTML)
}

func (s *Server) invoiceDocument(c *fiber.Ctx, media, ext string, render func(DocumentRenderer, core.InvoiceDocument) ([]byte, error)) error {
	id, err := pathID(c, "invoice")
	if err != nil {
		return err
	}
	if s.docs == nil {
		return errNoDocuments
	}
	d, err := s.docs.svc.InvoiceDocument(c.UserContext(), actor(c), id)
	if err != nil {
		return err
	}
	b, err := render(s.docs.render, d)
	if err != nil {
		return fmt.Errorf("render invoice %s: %w", id, err)
	}
	c.Set(fiber.HeaderContentType, media)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+documentName(d.Invoice)+ext+`"`)
	return c.Send(b)
}

func (s *Server) creditNotePDF(c *fiber.Ctx) error {
	return s.creditNoteDocument(c, "application/pdf", ".pdf", DocumentRenderer.CreditNotePDF)
}

func (s *Server) creditNoteHTML(c *fiber.Ctx) error {
	return s.creditNoteDocument(c, fiber.MIMETextHTMLCharsetUTF8, ".html", DocumentRenderer.CreditNoteHTML)
}

func (s *Server) creditNoteDocument(c *fiber.Ctx, media, ext string, render func(DocumentRenderer, core.CreditNoteDocument) ([]byte, error)) error {
	id, err := pathID(c, "credit note")
	if err != nil {
		return err
	}
	if s.docs == nil {
		return errNoDocuments
	}
	d, err := s.docs.svc.CreditNoteDocument(c.UserContext(), actor(c), id)
	if err != nil {
		return err
	}
	b, err := render(s.docs.render, d)
	if err != nil {
		return fmt.Errorf("render credit note %s: %w", id, err)
	}
	c.Set(fiber.HeaderContentType, media)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+fileName(d.Note.Number, "credit-note-"+d.Note.ID)+ext+`"`)
	return c.Send(b)
}

// documentName is a file name from the invoice number ("INV-2026-000123").
func documentName(inv core.Invoice) string { return fileName(inv.Number, "invoice-"+inv.ID) }

// fileName is number made safe for a file name, or fallback without one.
func fileName(number, fallback string) string {
	n := []byte(number)
	if len(n) == 0 {
		n = []byte(fallback)
	}
	for i, ch := range n {
		if !(ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_') {
			n[i] = '-'
		}
	}
	return string(n)
}
