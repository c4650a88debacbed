package http

import (
	"bytes"
	"net/url"
	"strconv"

	gojson "github.com/goccy/go-json"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

const (
	defaultPageSize = 20
	maxPageSize     = 100
)

// page is the API's list shape: count, next, previous, results.
type page[T any] struct {
	Count    int     `json:"count" oa:"minimum=0" doc:"Total number of matching items"`
	Next     *string `json:"next" doc:"Path and query of the next page, or null"`
	Previous *string `json:"previous" doc:"Path and query of the previous page, or null"`
	Results  []T     `json:"results"`
}

// listQuery is a list request's query string checked against an allow-list
// of filter names; page, page_size, ordering and search are always allowed
// where the endpoint says so.
type listQuery struct {
	values   url.Values
	Page     int
	PageSize int
}

// parseListQuery refuses unknown or repeated parameters and bad paging.
func parseListQuery(c *fiber.Ctx, allowed ...string) (listQuery, error) {
	vals, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		return listQuery{}, invalid("malformed query string", nil)
	}
	ok := map[string]bool{"page": true, "page_size": true}
	for _, a := range allowed {
		ok[a] = true
	}
	fields := map[string]string{}
	for k, v := range vals {
		switch {
		case !ok[k]:
			fields[k] = "unknown query parameter"
		case len(v) > 1:
			fields[k] = "given more than once"
		}
	}
	q := listQuery{values: vals, Page: 1, PageSize: defaultPageSize}
	if s := vals.Get("page"); vals.Has("page") {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			fields["page"] = "a whole number of at least 1"
		}
		q.Page = n
	}
	if s := vals.Get("page_size"); vals.Has("page_size") {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPageSize {
			fields["page_size"] = "a whole number from 1 to 100"
		}
		q.PageSize = n
	}
	if len(fields) > 0 {
		return listQuery{}, invalid("invalid query parameters", fields)
	}
	// Keep offsets in range so Offset never overflows.
	if q.Page > 1_000_000 {
		q.Page = 1_000_000
	}
	return q, nil
}

func (q listQuery) Get(name string) string { return q.values.Get(name) }
func (q listQuery) Offset() int            { return (q.Page - 1) * q.PageSize }

// newPage builds the page envelope; next and previous are absolute-path
// URLs keeping every other parameter.
func newPage[T any](c *fiber.Ctx, q listQuery, total int, results []T) page[T] {
	if results == nil {
		results = []T{}
	}
	p := page[T]{Count: total, Results: results}
	link := func(n int) *string {
		v := url.Values{}
		for k, vs := range q.values {
			v[k] = vs
		}
		v.Set("page", strconv.Itoa(n))
		v.Set("page_size", strconv.Itoa(q.PageSize))
		s := c.Path() + "?" + v.Encode()
		return &s
	}
	if q.Page*q.PageSize < total {
		p.Next = link(q.Page + 1)
	}
	if q.Page > 1 {
		prev := q.Page - 1
		if last := (total + q.PageSize - 1) / q.PageSize; prev > last && last >= 1 {
			prev = last
		}
		p.Previous = link(prev)
	}
	return p
}

// sendJSON answers v as JSON encoded straight into the response's pooled
// body buffer, byte for byte what c.JSON writes. c.JSON's encoder answers
// a fresh copy of every body: for a page of subscriptions (7 kB) the
// largest allocation of the request.
func sendJSON(c *fiber.Ctx, v any) error {
	c.Response().ResetBody()
	if err := gojson.NewEncoder(responseBody{c.Response()}).Encode(v); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return nil
}

// responseBody appends to a response's body, without the newline an
// Encoder ends its document with (compact JSON holds no other raw newline).
type responseBody struct{ r *fasthttp.Response }

func (w responseBody) Write(p []byte) (int, error) {
	w.r.AppendBody(bytes.TrimSuffix(p, []byte{'\n'}))
	return len(p), nil
}
