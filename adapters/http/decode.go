package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/gofiber/fiber/v2"
)

// requireJSON refuses a request body that does not declare JSON (415).
// Requests without a body pass: bodies are optional on some endpoints.
func requireJSON(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodPost, fiber.MethodPatch, fiber.MethodPut:
	default:
		return c.Next()
	}
	if len(c.Body()) == 0 {
		return c.Next()
	}
	if !isJSON(c.Get(fiber.HeaderContentType)) {
		return fmt.Errorf("%w: the body must be JSON (Content-Type: application/json)", errUnsupportedMedia)
	}
	return c.Next()
}

func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}

// decodeBody reads the JSON object in the body into dst strictly: unknown
// fields, wrong types, trailing data and malformed JSON are 400s naming the
// field where there is one. An empty body is refused unless optional.
func decodeBody(c *fiber.Ctx, dst any, optional bool) error {
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		if optional {
			return nil
		}
		return invalid("a JSON object body is required", nil)
	}
	if err := decodeStrict(body, dst); err != nil {
		return err
	}
	return validate(dst)
}

// decodeStrict decodes exactly one JSON value with unknown fields refused.
func decodeStrict(b []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return invalid("malformed JSON: data after the object", nil)
	}
	return nil
}

func decodeError(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return invalid("malformed JSON", nil)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return invalid("the body must be a JSON object", nil)
		}
		return invalid("a field has the wrong type", map[string]string{typ.Field: "must be " + jsonType(typ.Type)})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, uerr := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		if uerr != nil {
			name = strings.TrimPrefix(err.Error(), "json: unknown field ")
		}
		return invalid("unknown field "+strconv.Quote(name), map[string]string{name: "unknown field"})
	}
	return invalid("malformed JSON", nil)
}

// jsonType names a Go type the way a JSON client thinks of it.
func jsonType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[amount]() {
		return "a decimal string such as \"49000.00\""
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number in range"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "of another type"
}

// amount is a money field: a decimal string, or a bare JSON number for
// convenience; core.ParseMoney decides whether it is acceptable.
type amount string

func (a *amount) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = amount(s)
		return nil
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		*a = amount(b)
		return nil
	}
	return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeFor[amount]()}
}

// The validator checks DTO shape at the edge (lengths, required fields);
// core constructors remain the source of truth for business rules.
var validate = func() func(any) error {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	return func(dst any) error {
		err := v.Struct(dst)
		var ves validator.ValidationErrors
		if err == nil || !errors.As(err, &ves) {
			return nil
		}
		fields := map[string]string{}
		for _, fe := range ves {
			if _, ok := fields[fe.Field()]; ok {
				continue
			}
			switch fe.Tag() {
			case "required":
				fields[fe.Field()] = "required"
			case "max":
				fields[fe.Field()] = "at most " + fe.Param() + " characters"
			case "min":
				fields[fe.Field()] = "at least " + fe.Param() + " characters"
			default:
				fields[fe.Field()] = "invalid (" + fe.Tag() + ")"
			}
		}
		return invalid("invalid input", fields)
	}
}()
