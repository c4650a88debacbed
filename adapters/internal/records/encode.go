package records

import (
	"encoding"
	"encoding/base64"
	stdjson "encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"
)

// The record encoder writes what encoding/json writes for the record
// shapes of this package (struct fields in order, names from the json tag
// or the field, omitzero, HTML-safe string escapes, RFC 3339 times), from a
// plan compiled once per type. encoding/json and goccy/go-json both spent
// most of a record's encoding on omitzero (a method look-up per field and
// record) and on re-checking the output of MarshalJSON methods (money,
// times). Maps and interface values, whose keys are sorted, go to
// goccy/go-json; any shape the plan does not know (an embedded field, a
// tag option other than omitzero) falls back to encoding/json for its type.
// codec_test.go holds the encoder to encoding/json's bytes.

type fieldPlan struct {
	name     []byte // `"Name":`
	index    int
	omitZero bool
	isZero   func(reflect.Value) bool
	enc      encFn
}

type encFn func(b []byte, v reflect.Value) ([]byte, error)

var plans sync.Map // reflect.Type → encFn

var (
	timeType   = reflect.TypeFor[time.Time]()
	moneyType  = reflect.TypeFor[money]()
	marshalerT = reflect.TypeFor[stdjson.Marshaler]()
	textT      = reflect.TypeFor[encoding.TextMarshaler]()
	zeroerT    = reflect.TypeFor[interface{ IsZero() bool }]()
)

// encodeRecord appends the JSON of rec (a pointer to a record struct).
func encodeRecord(b []byte, rec any) ([]byte, error) {
	v := reflect.ValueOf(rec)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		out, err := stdjson.Marshal(rec)
		return append(b, out...), err
	}
	return encoderFor(v.Type().Elem())(b, v.Elem())
}

func encoderFor(t reflect.Type) encFn {
	if f, ok := plans.Load(t); ok {
		return f.(encFn)
	}
	f := compile(t)
	plans.Store(t, f)
	return f
}

// compile answers the encoder of values of type t.
func compile(t reflect.Type) encFn {
	switch t {
	case timeType:
		return encTime
	case moneyType:
		return func(b []byte, v reflect.Value) ([]byte, error) { return valueOf[money](v).append(b) }
	case reflect.TypeFor[stdjson.Number]():
		return encStd // written as a number, not a string
	}
	if t.Implements(marshalerT) || reflect.PointerTo(t).Implements(marshalerT) ||
		t.Implements(textT) || reflect.PointerTo(t).Implements(textT) {
		return encStd
	}
	switch t.Kind() {
	case reflect.String:
		return func(b []byte, v reflect.Value) ([]byte, error) { return appendString(b, v.String()), nil }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(b []byte, v reflect.Value) ([]byte, error) { return strconv.AppendInt(b, v.Int(), 10), nil }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return func(b []byte, v reflect.Value) ([]byte, error) { return strconv.AppendUint(b, v.Uint(), 10), nil }
	case reflect.Bool:
		return func(b []byte, v reflect.Value) ([]byte, error) { return strconv.AppendBool(b, v.Bool()), nil }
	case reflect.Interface:
		return func(b []byte, v reflect.Value) ([]byte, error) { return appendAny(b, v.Interface()) }
	case reflect.Map:
		if t.Key().Kind() == reflect.String && t.Key() == reflect.TypeFor[string]() && t.Elem().Kind() == reflect.Interface && t.Elem().NumMethod() == 0 {
			return func(b []byte, v reflect.Value) ([]byte, error) {
				return appendObject(b, v.Interface().(map[string]any))
			}
		}
		return encGo
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return encBytes
		}
		elem := compileLazy(t.Elem())
		return func(b []byte, v reflect.Value) ([]byte, error) {
			if v.IsNil() {
				return append(b, "null"...), nil
			}
			b = append(b, '[')
			for i := range v.Len() {
				if i > 0 {
					b = append(b, ',')
				}
				var err error
				if b, err = elem(b, v.Index(i)); err != nil {
					return b, err
				}
			}
			return append(b, ']'), nil
		}
	case reflect.Struct:
		return compileStruct(t)
	}
	return encStd
}

// compileLazy defers compiling t until first use (a type may refer to
// itself), then keeps the encoder.
func compileLazy(t reflect.Type) encFn {
	var f atomic.Pointer[encFn]
	return func(b []byte, v reflect.Value) ([]byte, error) {
		if e := f.Load(); e != nil {
			return (*e)(b, v)
		}
		e := encoderFor(t)
		f.Store(&e)
		return e(b, v)
	}
}

func compileStruct(t reflect.Type) encFn {
	var fields []fieldPlan
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			return encStd
		}
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if opts != "" && opts != "omitzero" {
			return encStd
		}
		if name == "" {
			name = sf.Name
		}
		if !validName(name) {
			return encStd
		}
		fp := fieldPlan{name: append(appendString(nil, name), ':'), index: i, omitZero: opts == "omitzero", enc: compileLazy(sf.Type)}
		if fp.omitZero {
			fp.isZero = zeroTest(sf.Type)
		}
		fields = append(fields, fp)
	}
	return func(b []byte, v reflect.Value) ([]byte, error) {
		b = append(b, '{')
		first := true
		for i := range fields {
			f := &fields[i]
			fv := v.Field(f.index)
			if f.omitZero && f.isZero(fv) {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = append(b, f.name...)
			var err error
			if b, err = f.enc(b, fv); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	}
}

// zeroTest is omitzero's test for t: its IsZero method, else the zero value.
func zeroTest(t reflect.Type) func(reflect.Value) bool {
	switch {
	case t == timeType:
		return func(v reflect.Value) bool { return valueOf[time.Time](v).IsZero() }
	case t == moneyType:
		return func(v reflect.Value) bool { return valueOf[money](v).IsZero() }
	case t.Implements(zeroerT):
		return func(v reflect.Value) bool {
			if v.Kind() == reflect.Pointer && v.IsNil() {
				return true
			}
			return v.Interface().(interface{ IsZero() bool }).IsZero()
		}
	case reflect.PointerTo(t).Implements(zeroerT):
		return func(v reflect.Value) bool {
			if v.CanAddr() {
				return v.Addr().Interface().(interface{ IsZero() bool }).IsZero()
			}
			return v.IsZero()
		}
	}
	return reflect.Value.IsZero
}

// validName: tag names this encoder writes as they are (encoding/json
// ignores a tag name with other characters and uses the field's).
func validName(s string) bool {
	for _, c := range s {
		if !(c == '_' || c == '-' || c == '.' || c == ' ' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')) {
			return false
		}
	}
	return s != ""
}

// valueOf reads v as a T without boxing it when v is addressable (fields
// of a record reached through its pointer are).
func valueOf[T any](v reflect.Value) T {
	if v.CanAddr() {
		return *(*T)(v.Addr().UnsafePointer())
	}
	return v.Interface().(T)
}

func encTime(b []byte, v reflect.Value) ([]byte, error) {
	t := valueOf[time.Time](v)
	if y := t.Year(); y < 0 || y > 9999 || t.Location() != time.UTC {
		return encStd(b, v) // encoding/json's error, or an offset to check
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), nil
}

func encStd(b []byte, v reflect.Value) ([]byte, error) {
	out, err := stdjson.Marshal(v.Interface())
	return append(b, out...), err
}

func encGo(b []byte, v reflect.Value) ([]byte, error) {
	out, err := gojson.Marshal(v.Interface())
	return append(b, out...), err
}

// appendAny writes a decoded-JSON-shaped value (what maps of records
// hold); other types take their compiled encoder.
func appendAny(b []byte, x any) ([]byte, error) {
	switch x := x.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case float64:
		return appendFloat(b, x)
	case map[string]any:
		return appendObject(b, x)
	case []any:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendAny(b, e); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	}
	return encoderFor(reflect.TypeOf(x))(b, reflect.ValueOf(x))
}

// appendObject writes a map with its keys sorted, as encoding/json does.
func appendObject(b []byte, m map[string]any) ([]byte, error) {
	if m == nil {
		return append(b, "null"...), nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		var err error
		if b, err = appendAny(b, m[k]); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// appendFloat is encoding/json's float64: the shortest form, with an
// exponent only outside [1e-6, 1e21).
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		out, err := stdjson.Marshal(f)
		return append(b, out...), err
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 → e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

func encBytes(b []byte, v reflect.Value) ([]byte, error) {
	if v.IsNil() {
		return append(b, "null"...), nil
	}
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, v.Bytes())
	return append(b, '"'), nil
}

const hexDigits = "0123456789abcdef"

// appendString is encoding/json's string encoding with HTML escaping:
// quotes, backslashes, control characters, <, > and &, U+2028 and U+2029
// escaped; invalid UTF-8 replaced by U+FFFD.
func appendString(dst []byte, src string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(src); {
		if c := src[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, src[start:i]...)
			switch c {
			case '\\', '"':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, src[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, src[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, src[start:]...)
	return append(dst, '"')
}
