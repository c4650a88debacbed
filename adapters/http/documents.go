package http

import (
	"context"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

// DocumentRenderer renders printed invoices (HTML and PDF).
type DocumentRenderer interface {
	HTML(core.InvoiceDocument) ([]byte, error)
	PDF(core.InvoiceDocument) ([]byte, error)
}

// documentService is implemented by *core.Service.
type documentService interface {
	InvoiceDocument(ctx context.Context, a core.Actor, id string) (core.InvoiceDocument, error)
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

// documentName is a file name from the invoice number ("INV-2026-000123").
func documentName(inv core.Invoice) string {
	n := []byte(inv.Number)
	if len(n) == 0 {
		n = []byte("invoice-" + inv.ID)
	}
	for i, ch := range n {
		if !(ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_') {
			n[i] = '-'
		}
	}
	return string(n)
}
