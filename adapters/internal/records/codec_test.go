package records

import (
	"bytes"
	stdjson "encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/langganan/langganan/core"
)

// fill sets every exported field of v (a pointer) to a value that is not
// zero and that JSON finds awkward: escapes, HTML, U+2028, non-UTC times
// with nanoseconds, money, nested maps and slices.
func fill(v reflect.Value, depth int) {
	wib := time.FixedZone("WIB", 7*3600)
	switch v.Type() {
	case reflect.TypeOf(time.Time{}):
		v.Set(reflect.ValueOf(time.Date(2026, 3, 2, 10, 4, 5, 123456789, wib)))
		return
	case reflect.TypeOf(core.Money{}):
		v.Set(reflect.ValueOf(core.MustMoney("49000.50")))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s<&>\"\\é\u2028\u2029\x01\t\n\x7f\xff😀 %d", depth))
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Int8, reflect.Int16:
		v.SetInt(int64(7 + depth))
	case reflect.Uint, reflect.Uint64, reflect.Uint32, reflect.Uint8, reflect.Uint16:
		v.SetUint(uint64(9 + depth))
	case reflect.Float64, reflect.Float32:
		v.SetFloat(2.5)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		if v.Type().Elem().Kind() == reflect.Interface {
			m.SetMapIndex(reflect.ValueOf("k"), reflect.ValueOf(any(map[string]any{"html": "<b>&</b>", "n": 1.25, "big": 12345678901234567.0,
				"list":  []any{"x", true, nil, 3.0, map[string]any{}, []any{}, math.Copysign(0, -1), 1e21, 1e-7, 123456789e-15, 1e20, -2.5e-300},
				"empty": "", "z\u2028<": false, "ÿ": []any(nil), "money": core.MustMoney("12.50"), "int": 7, "num": stdjson.Number("1.0")})))
			m.SetMapIndex(reflect.ValueOf("a"), reflect.ValueOf(any("z\u2029")))
			m.SetMapIndex(reflect.ValueOf("n"), reflect.ValueOf(any(nil)))
		} else {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, depth+1)
			fill(e, depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Interface:
		v.Set(reflect.ValueOf("any"))
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), depth+1)
			}
		}
	}
}

// sameCodec checks that the record of a zero and of a filled T encodes to
// the bytes encoding/json writes and decodes to what it reads.
func sameCodec[T any](t *testing.T, to func(*T) any) {
	t.Helper()
	var zero, full T
	fill(reflect.ValueOf(&full).Elem(), 0)
	values := []*T{&zero, &full}
	// And with fields left out at random: omitzero decides field by field.
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 40 {
		v := full
		rv := reflect.ValueOf(&v).Elem()
		for i := range rv.NumField() {
			if rv.Type().Field(i).IsExported() && rnd.IntN(2) == 0 {
				rv.Field(i).SetZero()
			}
		}
		values = append(values, &v)
	}
	for _, v := range values {
		rec := to(v)
		want, err := stdjson.Marshal(rec)
		if err != nil {
			t.Fatalf("%T: encoding/json: %v", rec, err)
		}
		got, err := Marshal(rec)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%T: Marshal = %v\n%s\nencoding/json:\n%s", rec, err, got, want)
		}
		typ := reflect.TypeOf(rec).Elem()
		a, b := reflect.New(typ), reflect.New(typ)
		if err := stdjson.Unmarshal(want, a.Interface()); err != nil {
			t.Fatalf("%T: encoding/json decode: %v", rec, err)
		}
		if err := unmarshal(want, b.Interface()); err != nil {
			t.Fatalf("%T: decode: %v", rec, err)
		}
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			t.Fatalf("%T decodes differently:\n%#v\nencoding/json:\n%#v", rec, b.Interface(), a.Interface())
		}
	}
}

// TestCodecMatchesStdlib: records written by this codec are the bytes
// encoding/json wrote before (files and databases hold both), and read
// back the same.
func TestCodecMatchesStdlib(t *testing.T) {
	checked := map[string]func(*testing.T){
		"PlanToRecord":       func(t *testing.T) { sameCodec(t, PlanToRecord) },
		"UserToRecord":       func(t *testing.T) { sameCodec(t, UserToRecord) },
		"TokenToRecord":      func(t *testing.T) { sameCodec(t, TokenToRecord) },
		"SubToRecord":        func(t *testing.T) { sameCodec(t, SubToRecord) },
		"PayToRecord":        func(t *testing.T) { sameCodec(t, PayToRecord) },
		"InvToRecord":        func(t *testing.T) { sameCodec(t, InvToRecord) },
		"HookToRecord":       func(t *testing.T) { sameCodec(t, HookToRecord) },
		"WalletToRecord":     func(t *testing.T) { sameCodec(t, WalletToRecord) },
		"EntryToRecord":      func(t *testing.T) { sameCodec(t, EntryToRecord) },
		"TopUpToRecord":      func(t *testing.T) { sameCodec(t, TopUpToRecord) },
		"MethodToRecord":     func(t *testing.T) { sameCodec(t, MethodToRecord) },
		"NotifToRecord":      func(t *testing.T) { sameCodec(t, NotifToRecord) },
		"EventToRecord":      func(t *testing.T) { sameCodec(t, EventToRecord) },
		"IdemToRecord":       func(t *testing.T) { sameCodec(t, IdemToRecord) },
		"OrgToRecord":        func(t *testing.T) { sameCodec(t, OrgToRecord) },
		"CouponToRecord":     func(t *testing.T) { sameCodec(t, CouponToRecord) },
		"EndpointToRecord":   func(t *testing.T) { sameCodec(t, EndpointToRecord) },
		"SessionToRecord":    func(t *testing.T) { sameCodec(t, SessionToRecord) },
		"PortalLinkToRecord": func(t *testing.T) { sameCodec(t, PortalLinkToRecord) },
		"CreditNoteToRecord": func(t *testing.T) { sameCodec(t, CreditNoteToRecord) },
		"FiguresToRecord":    func(t *testing.T) { sameCodec(t, FiguresToRecord) },
	}
	for name, check := range checked {
		t.Run(name, check)
	}
	// Every record shape of the package is checked: a new one must be added above.
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`(?m)^func ([A-Z][A-Za-z]*ToRecord)\(`).FindAllSubmatch(src, -1) {
			if checked[string(m[1])] == nil {
				t.Errorf("%s (%s) is not checked against encoding/json here", m[1], f)
			}
		}
	}
}

// TestMoneyEncoding: money is written by hand; it must be what
// encoding/json writes for its shape, and refuse what it cannot read back.
func TestMoneyEncoding(t *testing.T) {
	for _, m := range []core.Money{core.MustMoney("49000"), core.MustMoney("-0.50"), core.MustMoney("12345678.99")} {
		got, err := money(m).MarshalJSON()
		want, _ := stdjson.Marshal(moneyJSON{Amount: m.String(), Currency: m.Currency()})
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%v: %s, %v; want %s", m, got, err, want)
		}
		var back money
		if err := back.UnmarshalJSON(got); err != nil || !core.Money(back).Equal(m) {
			t.Fatalf("%s read back as %v, %v", got, core.Money(back), err)
		}
	}
}

// benchPayment is a renewal's payment as the billing run records it.
func benchPayment() core.Payment {
	now := time.Date(2026, 4, 2, 3, 0, 0, 0, time.UTC)
	return core.Payment{ID: "0195f3c2-7a10-7c3e-9a41-3f0d2b8c1e77", OwnerID: "0195f3c2-7a10-7c3e-9a41-3f0d2b8c1e78",
		Purpose: core.PurposeSubscription, SubscriptionID: "0195f3c2-7a10-7c3e-9a41-3f0d2b8c1e79",
		InvoiceID: "0195f3c2-7a10-7c3e-9a41-3f0d2b8c1e7a", OrderID: "SUB-0A1B2C3D4E5F", TransactionID: "b7f0c9b2-4f1c-4a55-8d6e-0c3e2f1a9b8d",
		PaymentType: core.PayBankTransfer, Bank: "bca", Amount: core.MustMoney("49000"), Status: core.PaymentPending, Cycle: 2, Attempt: 1,
		IdempotencyKey: "lgn-0123456789abcdef0123456789abcdef", Refunded: core.Zero(core.IDR),
		Details: map[string]any{"bank": "bca", "va_number": "812700000012345", "expiry_time": "2026-04-03T10:00:00+07:00"},
		MidtransStatus: map[string]any{"status_code": "201", "status_message": "Success, Bank Transfer transaction is created",
			"transaction_id": "b7f0c9b2-4f1c-4a55-8d6e-0c3e2f1a9b8d", "order_id": "SUB-0A1B2C3D4E5F", "gross_amount": "49000.00",
			"currency": "IDR", "payment_type": "bank_transfer", "transaction_time": "2026-04-02 10:00:00", "transaction_status": "pending",
			"fraud_status": "accept", "va_numbers": []any{map[string]any{"bank": "bca", "va_number": "812700000012345"}},
			"expiry_time": "2026-04-03 10:00:00"},
		ExpiresAt: now.Add(24 * time.Hour), CreatedAt: now, UpdatedAt: now}
}

func BenchmarkEncodePayment(b *testing.B) {
	p := benchPayment()
	for b.Loop() {
		if _, err := Marshal(PayToRecord(&p)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodePaymentStdlib(b *testing.B) {
	p := benchPayment()
	for b.Loop() {
		if _, err := stdjson.Marshal(PayToRecord(&p)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePayment(b *testing.B) {
	p := benchPayment()
	raw, _ := Marshal(PayToRecord(&p))
	for b.Loop() {
		if _, err := PayFromRecord(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMarshalAnswersItsOwnBytes: Marshal encodes in a pooled buffer; what
// it answers must be a copy that later calls, concurrent or not, never
// write over (a store holds it until its transaction commits).
func TestMarshalAnswersItsOwnBytes(t *testing.T) {
	first, err := Marshal(PlanToRecord(&core.Plan{ID: "first", Name: "A plan with a long name that fills the buffer"}))
	if err != nil {
		t.Fatal(err)
	}
	kept := bytes.Clone(first)
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 200 {
				if _, err := Marshal(TokenToRecord(&core.Token{ID: fmt.Sprintf("t%d-%d", g, i), Name: strings.Repeat("x", i)})); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
	if !bytes.Equal(first, kept) {
		t.Fatalf("a later Marshal wrote over an earlier answer:\n%s\n%s", kept, first)
	}
	if cap(first) > 2*len(first) {
		t.Fatalf("answer of %d bytes pins a buffer of %d", len(first), cap(first))
	}
}
