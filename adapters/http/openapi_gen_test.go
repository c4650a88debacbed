package http

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/langganan/langganan/core"
)

// The OpenAPI document is built from the route table (api.go) and the DTO
// types by reflection: a field's JSON name and omitempty give the property
// and whether answers always carry it; its validate tag gives limits
// (required, min, max, oneof, uuid, url); two more tags add what Go types
// cannot say:
//
//	doc:"..."   the description
//	oa:"..."    comma-separated: enum=NAME (a list in enums), ref=NAME (a
//	            component below), format=F, pattern=P, example=E,
//	            minimum=N, maximum=N, minLength=N, maxLength=N, maxItems=N,
//	            type=T, props=A|B (string properties of a free-form
//	            object), required, null, nonnull, inline (the struct is not
//	            a component of its own); example and enum lists use "|"
//
// Pointers are nullable. Structs become components named by schemaMeta or
// else by their Go name without "JSON", capitalized. kin-openapi's
// openapi3gen writes OpenAPI 3.0 (nullable, no "required" from omitempty,
// no strict bodies), so the walk is here; the document itself is
// kin-openapi's openapi3.T, which the tests validate. It lives in a test
// file: the server only serves the committed result, so the binary does
// not carry kin-openapi.

// schemaInfo names a DTO's component (and its request-side variant when
// one type serves both) and describes it.
type schemaInfo struct {
	name, inName, desc string
	open               bool // unknown fields are allowed
}

var schemaMeta = map[reflect.Type]schemaInfo{
	typeOf[errorBody]():                 {name: "Error", desc: "The error body of every 4xx and 5xx answer"},
	typeOf[noBody]():                    {name: "EmptyBody", desc: "No body, or an empty JSON object; any field is refused"},
	typeOf[userRequest]():               {name: "UserCreate"},
	typeOf[tokenRequest]():              {name: "TokenCreate"},
	typeOf[tokenListJSON]():             {name: "TokenInfo", desc: "An API token without its secret"},
	typeOf[passwordRequest]():           {name: "PasswordChange"},
	typeOf[runSummaryJSON]():            {name: "RunSummary"},
	typeOf[advanceRequest]():            {name: "ClockAdvance"},
	typeOf[clockJSON]():                 {name: "ClockNow"},
	typeOf[customerDetailsJSON]():       {name: "CustomerDetails", inName: "CustomerDetailsInput"},
	typeOf[pendingChangeJSON]():         {name: "PendingPlanChange", desc: "An immediate upgrade waiting for its proration to be paid"},
	typeOf[subscriptionJSON]():          {name: "Subscription", desc: "A subscription as the /api/subscriptions/ endpoints show it"},
	typeOf[createSubscriptionRequest](): {name: "SubscriptionCreate"},
	typeOf[subscriptionCreated](): {name: "SubscriptionCreated",
		desc: "The new subscription and the payment issued for it (null when none was, e.g. during a trial)"},
	typeOf[orgSubscriptionJSON](): {name: "OrgSubscriptionDetail"},
	typeOf[adminSubRequest]():     {name: "AdminSubscriptionInput", desc: "Create: plan_id is needed. Update: only the fields sent change."},
	typeOf[orgMemberJSON]():       {name: "Member"},
	typeOf[orgJSON]():             {name: "Organization"},
	typeOf[orgRequest]():          {name: "OrganizationCreate"},
	typeOf[orgMemberRequest]():    {name: "MemberAdd"},
	typeOf[canAddUsersJSON]():     {name: "CanAddUsers"},
	typeOf[couponRequest]():       {name: "CouponInput", desc: "Create: percent_off or amount_off, and duration. Update: only the fields sent change."},
	typeOf[refundRequest]():       {name: "RefundRequest", desc: "amount absent or null refunds what is left"},
	typeOf[statusCheckJSON]():     {name: "PaymentStatusCheck"},
	typeOf[paymentMethodJSON]():   {name: "PaymentMethod", desc: "Never shows the card token or GoPay payment-option token"},
	typeOf[linkGopayRequest]():    {name: "GopayLinkRequest"},
	typeOf[walletPatchRequest]():  {name: "WalletPatch"},
	typeOf[adjustRequest]():       {name: "WalletAdjustRequest", desc: "amount is signed (negative debits) and not zero"},
	typeOf[core.LedgerProblem]():  {name: "LedgerProblem"},
	typeOf[ledgerCheckJSON]():     {name: "LedgerCheck"},
	typeOf[topUpRequest]():        {name: "TopUpCreate", desc: "amount between the configured minimum and maximum"},
	typeOf[notificationJSON]():    {name: "Notification", desc: "One delivery of one event on one channel (the reference's NotificationLog)"},
	typeOf[deliveryJSON]():        {name: "WebhookDelivery", desc: "A delivery to an outbound webhook endpoint: a Notification on the webhook channel"},
	typeOf[endpointJSON]():        {name: "WebhookEndpoint"},
	typeOf[endpointRequest]():     {name: "WebhookEndpointInput", desc: "Create: url is needed. Update: only the fields sent change."},
	typeOf[webhookLogJSON]():      {name: "WebhookLog", desc: "A Midtrans notification as received"},
	typeOf[midtransNotification](): {name: "MidtransNotification", open: true,
		desc: "A Midtrans payment, Subscription API or Pay Account notification, told apart by shape; other fields are kept"},
}

// typeRefs are Go types documented by a hand-written component.
var typeRefs = map[reflect.Type]string{
	typeOf[amount]():   "MoneyInput",
	typeOf[flexTime](): "FlexTime",
}

// enums are the value lists oa:"enum=NAME" refers to.
var enums = map[string][]string{
	"subscription_status": strs(core.SubPending, core.SubTrialing, core.SubActive, core.SubPastDue, core.SubPaused, core.SubCancelled, core.SubExpired),
	"payment_type": strs(core.PayBankTransfer, core.PayEchannel, core.PayGopay, core.PayShopeepay, core.PayQRIS, core.PayCStore,
		core.PayCreditCard, core.PayWallet, core.PayManual, core.PaySnap),
	"topup_payment_type": strs(core.PayBankTransfer, core.PayEchannel, core.PayGopay, core.PayShopeepay, core.PayQRIS, core.PayCStore,
		core.PayCreditCard, core.PaySnap),
	"payment_status": strs(core.PaymentCreating, core.PaymentPending, core.PaymentChallenge, core.PaymentPaid, core.PaymentFailed,
		core.PaymentCancelled, core.PaymentExpired, core.PaymentRefunded, core.PaymentPartiallyRefunded),
	"payment_purpose": strs(core.PurposeSubscription, core.PurposeTopUp, core.PurposeCardCheck),
	"invoice_status":  strs(core.InvoiceDraft, core.InvoiceOpen, core.InvoicePaid, core.InvoiceVoid, core.InvoiceOverdue),
	"line_kind": strs(core.LinePlan, core.LineProrationCredit, core.LineProrationCharge, core.LineDiscount, core.LineCredit,
		core.LineTax, core.LineAdjustment, core.LineCreditNote),
	"credit_reason":       strs(core.CreditRefund, core.CreditDowngrade),
	"entry_type":          strs(core.EntryTopUp, core.EntrySubscriptionPayment, core.EntryRefund, core.EntryAdjustment, core.EntryReversal),
	"topup_status":        strs(core.TopUpPending, core.TopUpPaid, core.TopUpFailed, core.TopUpExpired),
	"method_status":       strs(core.MethodPending, core.MethodActive, core.MethodDisabled),
	"method_type":         strs(core.PayGopay, core.PayCreditCard),
	"role":                strs(core.RoleOwner, core.RoleAdmin, core.RoleMember),
	"coupon_duration":     strs(core.CouponOnce, core.CouponRepeating, core.CouponForever),
	"channel":             strs(core.ChannelEmail, core.ChannelWebhook, core.ChannelInApp),
	"notification_status": strs(core.NotifQueued, core.NotifSent, core.NotifFailed, core.NotifRead),
	"webhook_kind":        strs(core.NotifyPayment, core.NotifySubscription, core.NotifyPayAccount, ""),
	"webhook_status": strs(core.WebhookReceived, core.WebhookProcessed, core.WebhookDuplicate, core.WebhookIgnored,
		core.WebhookRejected, core.WebhookFailed),
	"webhook_result":  strs(core.WebhookProcessed, core.WebhookDuplicate, core.WebhookIgnored, core.WebhookRejected),
	"plan_status":     strs(core.PlanActive, core.PlanInactive, core.PlanArchived),
	"interval_unit":   strs(core.Day, core.Week, core.Month, core.Year),
	"currency":        {"IDR"},
	"ok":              {"ok"},
	"bool":            {"true", "false"},
	"figure_interval": {core.FiguresDaily, core.FiguresMonthly},
}

func strs[T ~string](vs ...T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

func paramSchema(p param) *openapi3.Schema {
	switch {
	case p.integer:
		return openapi3.NewIntegerSchema().WithMin(float64(p.min))
	case p.enum != "":
		return enumOf(p.enum)
	case p.values != nil:
		return enumSchema(p.values)
	}
	return openapi3.NewStringSchema()
}

func enumOf(name string) *openapi3.Schema {
	vs, ok := enums[name]
	if !ok {
		panic("openapi: no enum " + name)
	}
	return enumSchema(vs)
}

func enumSchema(vs []string) *openapi3.Schema {
	s := openapi3.NewStringSchema()
	for _, v := range vs {
		s.Enum = append(s.Enum, v)
	}
	return s
}

func intMin(n float64) *openapi3.Schema { return openapi3.NewIntegerSchema().WithMin(n) }

func rawSchema(kind string) *openapi3.Schema {
	switch kind {
	case "openapi":
		s := openapi3.NewObjectSchema()
		s.Required = []string{"openapi", "info", "paths"}
		return s
	case "binary":
		return openapi3.NewStringSchema().WithFormat("binary")
	}
	return openapi3.NewStringSchema()
}

func types(t ...string) *openapi3.Types { v := openapi3.Types(t); return &v }
func schemaRef(name string) *openapi3.SchemaRef {
	return openapi3.NewSchemaRef("#/components/schemas/"+name, nil)
}

type direction int

const (
	out direction = iota // answers
	in                   // request bodies
)

// schemaGen walks DTO types into components.
type schemaGen struct {
	schemas openapi3.Schemas
	owner   map[string]string // component name → what it was built from
	err     error
}

func (g *schemaGen) fail(format string, args ...any) {
	if g.err == nil {
		g.err = fmt.Errorf("openapi: "+format, args...)
	}
}

// componentName names struct t's component in direction d.
func componentName(t reflect.Type, d direction) string {
	if m, ok := schemaMeta[t]; ok {
		if d == in && m.inName != "" {
			return m.inName
		}
		if m.name != "" {
			return m.name
		}
	}
	n := t.Name()
	if i := strings.IndexByte(n, '['); i >= 0 {
		n = n[:i]
	}
	n = strings.TrimSuffix(n, "JSON")
	r := []rune(n)
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}

// component is a $ref to struct t's component, built on first use.
func (g *schemaGen) component(t reflect.Type, d direction) *openapi3.SchemaRef {
	if item, ok := pageItem(t); ok {
		name := componentName(item, d) + "Page"
		g.build(name, ownerKey(t, d), func() *openapi3.Schema {
			s := g.object(t, d)
			s.Description = "One page of " + componentName(item, d) + " items"
			return s
		})
		return schemaRef(name)
	}
	name := componentName(t, d)
	g.build(name, ownerKey(t, d), func() *openapi3.Schema { return g.object(t, d) })
	return schemaRef(name)
}

func ownerKey(t reflect.Type, d direction) string {
	return fmt.Sprintf("%v (direction %d)", t, d)
}

func (g *schemaGen) build(name, owner string, f func() *openapi3.Schema) {
	if prev, ok := g.owner[name]; ok {
		if prev != owner {
			g.fail("component %s is built from both %s and %s; name one in schemaMeta", name, prev, owner)
		}
		return
	}
	g.owner[name] = owner
	g.schemas[name] = &openapi3.SchemaRef{} // reserved: a type may refer to itself
	g.schemas[name].Value = f()
}

func pageItem(t reflect.Type) (reflect.Type, bool) {
	if !strings.HasPrefix(t.Name(), "page[") {
		return nil, false
	}
	f, ok := t.FieldByName("Results")
	if !ok {
		return nil, false
	}
	return f.Type.Elem(), true
}

// object is the schema of struct t: its JSON fields, nothing else.
func (g *schemaGen) object(t reflect.Type, d direction) *openapi3.Schema {
	meta := schemaMeta[t]
	fields := jsonFields(t)
	if len(fields) == 0 && t.NumField() == 1 && t.Field(0).Anonymous {
		// A DTO that is another with a name of its own.
		return &openapi3.Schema{Description: meta.desc, AllOf: openapi3.SchemaRefs{g.component(t.Field(0).Type, d)}}
	}
	s := openapi3.NewObjectSchema()
	s.Description = meta.desc
	s.Properties = openapi3.Schemas{}
	if !meta.open {
		s.AdditionalProperties = openapi3.AdditionalProperties{Has: new(false)}
	}
	for _, f := range fields {
		s.Properties[f.name] = g.field(f, d)
		if f.required(d) {
			s.Required = append(s.Required, f.name)
		}
	}
	return s
}

type jsonField struct {
	name      string
	omitempty bool
	sf        reflect.StructField
	oa        map[string]string
	validate  map[string]string
}

func (f jsonField) has(k string) bool { _, ok := f.oa[k]; return ok }

func (f jsonField) required(d direction) bool {
	if d == out {
		return !f.omitempty
	}
	_, v := f.validate["required"]
	return v || f.has("required")
}

func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		out = append(out, jsonField{name: name, omitempty: slices.Contains(strings.Split(opts, ","), "omitempty"),
			sf: sf, oa: tagMap(sf.Tag.Get("oa"), "="), validate: tagMap(sf.Tag.Get("validate"), "=")})
	}
	return out
}

func tagMap(tag, sep string) map[string]string {
	m := map[string]string{}
	if tag == "" {
		return m
	}
	for _, part := range strings.Split(tag, ",") {
		k, v, _ := strings.Cut(part, sep)
		m[k] = v
	}
	return m
}

var (
	timeType = typeOf[time.Time]()
	rawType  = typeOf[json.RawMessage]()
)

// field is the schema of one struct field.
func (g *schemaGen) field(f jsonField, d direction) *openapi3.SchemaRef {
	t := f.sf.Type
	nullable := false
	if t.Kind() == reflect.Pointer {
		t, nullable = t.Elem(), true
		if _, req := f.validate["required"]; req {
			nullable = false // nil is refused
		}
	}
	if f.has("null") {
		nullable = true
	}
	if f.has("nonnull") {
		nullable = false
	}
	var ref *openapi3.SchemaRef
	switch {
	case f.oa["ref"] != "":
		ref = schemaRef(f.oa["ref"])
	case f.oa["type"] != "":
		ref = openapi3.NewSchemaRef("", &openapi3.Schema{Type: types(f.oa["type"])})
	case t == rawType:
		ref = openapi3.NewSchemaRef("", &openapi3.Schema{})
	default:
		ref = g.typeSchema(t, d, f.has("inline"))
	}
	if ref.Ref != "" {
		if f.sf.Tag.Get("doc") != "" || nullable {
			s := &openapi3.Schema{Description: f.sf.Tag.Get("doc")}
			if nullable {
				s.AnyOf = openapi3.SchemaRefs{ref, openapi3.NewSchemaRef("", &openapi3.Schema{Type: types("null")})}
			} else {
				s.AllOf = openapi3.SchemaRefs{ref}
			}
			return openapi3.NewSchemaRef("", s)
		}
		return ref
	}
	s := ref.Value
	s.Description = f.sf.Tag.Get("doc")
	g.constrain(s, f, d)
	if nullable && s.Type != nil {
		*s.Type = append(*s.Type, "null")
		if s.Enum != nil {
			s.Enum = append(s.Enum, nil)
		}
	}
	return ref
}

// constrain applies the validate and oa limits to a field's schema.
func (g *schemaGen) constrain(s *openapi3.Schema, f jsonField, d direction) {
	isString := s.Type.Is("string")
	num := func(k, v string) float64 {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			g.fail("%s: %s=%q is not a number", f.name, k, v)
		}
		return n
	}
	for k, v := range f.validate {
		switch k {
		case "required":
			if isString && d == in && s.MinLength == 0 {
				s.MinLength = 1
			}
		case "min":
			if isString {
				s.MinLength = uint64(num(k, v))
			} else {
				s.Min = new(num(k, v))
			}
		case "max":
			if isString {
				s.MaxLength = new(uint64(num(k, v)))
			} else {
				s.Max = new(num(k, v))
			}
		case "oneof":
			for _, e := range strings.Fields(v) {
				s.Enum = append(s.Enum, e)
			}
			if _, ok := f.validate["omitempty"]; ok {
				s.Enum = append(s.Enum, "")
			}
		case "uuid":
			s.Format = "uuid"
		case "url":
			s.Format = "uri"
		}
	}
	for k, v := range f.oa {
		switch k {
		case "enum":
			vs, ok := enums[v]
			if !ok {
				g.fail("%s: no enum %q", f.name, v)
			}
			s.Enum = nil
			for _, e := range vs {
				s.Enum = append(s.Enum, e)
			}
		case "format":
			s.Format = v
		case "pattern":
			s.Pattern = v
		case "example":
			s.Examples = nil
			for _, e := range strings.Split(v, "|") {
				s.Examples = append(s.Examples, e)
			}
		case "minimum":
			s.Min = new(num(k, v))
		case "maximum":
			s.Max = new(num(k, v))
		case "minLength":
			s.MinLength = uint64(num(k, v))
		case "props":
			for _, p := range strings.Split(v, "|") {
				s.WithProperty(p, openapi3.NewStringSchema())
			}
		case "maxLength":
			s.MaxLength = new(uint64(num(k, v)))
		case "maxItems":
			s.MaxItems = new(uint64(num(k, v)))
		case "ref", "type", "required", "null", "nonnull", "inline", "":
		default:
			g.fail("%s: unknown oa option %q", f.name, k)
		}
	}
}

// typeSchema is the schema of a Go type: inline for scalars, slices and
// maps, a $ref for structs.
func (g *schemaGen) typeSchema(t reflect.Type, d direction, inline bool) *openapi3.SchemaRef {
	if name, ok := typeRefs[t]; ok {
		return schemaRef(name)
	}
	val := func(s *openapi3.Schema) *openapi3.SchemaRef { return openapi3.NewSchemaRef("", s) }
	switch {
	case t == timeType:
		return val(openapi3.NewDateTimeSchema())
	case t.Kind() == reflect.Pointer:
		return g.typeSchema(t.Elem(), d, inline)
	}
	switch t.Kind() {
	case reflect.String:
		return val(openapi3.NewStringSchema())
	case reflect.Bool:
		return val(openapi3.NewBoolSchema())
	case reflect.Int, reflect.Int32, reflect.Int64:
		return val(openapi3.NewIntegerSchema())
	case reflect.Slice:
		s := openapi3.NewArraySchema()
		s.Items = g.typeSchema(t.Elem(), d, false)
		return val(s)
	case reflect.Map:
		s := openapi3.NewObjectSchema()
		if t.Elem().Kind() != reflect.Interface {
			s.AdditionalProperties = openapi3.AdditionalProperties{Schema: g.typeSchema(t.Elem(), d, false)}
		}
		return val(s)
	case reflect.Struct:
		if inline {
			return val(g.object(t, d))
		}
		return g.component(t, d)
	}
	g.fail("no schema for Go type %v", t)
	return val(&openapi3.Schema{})
}

// Hand-written components: JSON shapes no Go field type spells out.
func baseSchemas() openapi3.Schemas {
	s := func(v *openapi3.Schema) *openapi3.SchemaRef { return openapi3.NewSchemaRef("", v) }
	return openapi3.Schemas{
		"Money": s(&openapi3.Schema{Type: types("string"), Pattern: `^-?[0-9]+\.[0-9]{2}$`,
			Description: "Decimal amount with two places", Examples: []any{"49000.00"}}),
		"MoneyInput": s(&openapi3.Schema{Type: types("string", "number"),
			Description: `Decimal amount, as a string ("49000.00") or a JSON number (49000); no exponent, at most two places`}),
		"WholeRupiahInput": s(&openapi3.Schema{Type: types("string", "number"),
			Description: `A whole-rupiah amount, as a JSON number (50000) or a decimal string ("50000.00"); no fraction of a rupiah`,
			Examples:    []any{50000, "50000.00"}}),
		"FlexTime": s(&openapi3.Schema{Type: types("string", "integer"),
			Description: `An RFC 3339 time ("2027-01-31T00:00:00Z") or Unix seconds`,
			Examples:    []any{"2027-01-31T00:00:00Z", 1801353600}}),
	}
}

// errorResponses are the shared error answers, by status.
var errorResponses = []struct {
	status  int
	name    string
	desc    string
	headers map[string]*openapi3.Schema
	hdrDesc map[string]string
}{
	{400, "BadRequest", "Invalid input (code invalid): malformed JSON, unknown or mistyped field, bad query parameter; fields names each", nil, nil},
	{401, "Unauthenticated", "No or bad credentials (code unauthenticated)",
		map[string]*openapi3.Schema{"WWW-Authenticate": openapi3.NewStringSchema()},
		map[string]string{"WWW-Authenticate": `Basic realm="langganan", charset="UTF-8"`}},
	{403, "Forbidden", "Not allowed (code forbidden)", nil, nil},
	{404, "NotFound", "Not found, or not visible to the caller (code not_found)", nil, nil},
	{409, "Conflict", "Conflict with the current state (code conflict, idempotency_key_reused, or idempotency_key_in_flight)", nil, nil},
	{413, "PayloadTooLarge", "Body larger than 1 MiB (code payload_too_large)", nil, nil},
	{415, "UnsupportedMediaType", "The body is not JSON (code unsupported_media_type)", nil, nil},
	{422, "Unprocessable", "Well-formed but refused by a business rule (code unprocessable, payment_declined, ...)", nil, nil},
	{429, "RateLimited", "Too many failed sign-ins for this username and address (code rate_limited)",
		map[string]*openapi3.Schema{"Retry-After": openapi3.NewIntegerSchema()},
		map[string]string{"Retry-After": "Seconds"}},
	{0, "ServerError", "A fault of the service (internal) or of Midtrans (502 gateway_error, 503 gateway_unavailable)", nil, nil},
}

func errorResponse(desc string) *openapi3.Response {
	r := openapi3.NewResponse().WithDescription(desc)
	r.Content = openapi3.NewContentWithJSONSchemaRef(schemaRef("Error"))
	return r
}

const apiDescription = "Subscription billing for Midtrans merchants. Every endpoint is under /api/; the trailing slash " +
	"is optional. Request bodies are JSON (Content-Type: application/json, else 415), decoded " +
	"strictly: unknown fields, wrong types and trailing data are 400 naming the field. Money fields " +
	"are decimal strings with two places (\"49000.00\"). Lists are {count, next, previous, results} " +
	"with page and page_size; unknown or repeated query parameters are 400. Errors are " +
	"{\"error\": {\"code\", \"message\", \"fields\"}}. A user sees only what it or its organization " +
	"owns (anything else is 404); admin-only endpoints answer 403 to other users. Wrong credentials " +
	"are 401 even on public endpoints."

// buildOpenAPIJSON is the OpenAPI 3.1 document of the route table, as the
// indented JSON committed in openapi.json.
func buildOpenAPIJSON() ([]byte, error) {
	doc, err := buildOpenAPI()
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", " "); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

func buildOpenAPI() (*openapi3.T, error) {
	g := &schemaGen{schemas: baseSchemas(), owner: map[string]string{}}
	for name := range g.schemas {
		g.owner[name] = "hand-written"
	}
	g.component(typeOf[errorBody](), out)

	doc := &openapi3.T{
		OpenAPI: "3.1.0",
		Info:    &openapi3.Info{Title: "Langganan API", Version: "1.0.0", Description: apiDescription},
		Servers: openapi3.Servers{{URL: "/"}},
		Security: openapi3.SecurityRequirements{
			{"basicAuth": []string{}}, {"bearerAuth": []string{}},
		},
		Paths: openapi3.NewPaths(),
		Components: &openapi3.Components{
			Schemas:   g.schemas,
			Responses: openapi3.ResponseBodies{},
			SecuritySchemes: openapi3.SecuritySchemes{
				"basicAuth": {Value: &openapi3.SecurityScheme{Type: "http", Scheme: "basic", Description: "Username and password"}},
				"bearerAuth": {Value: &openapi3.SecurityScheme{Type: "http", Scheme: "bearer",
					Description: "An API token from POST /api/auth/tokens/"}},
			},
		},
	}
	names := map[int]string{}
	for _, e := range errorResponses {
		r := errorResponse(e.desc)
		for h, sch := range e.headers {
			r.Headers = openapi3.Headers{h: {Value: &openapi3.Header{Parameter: openapi3.Parameter{
				Description: e.hdrDesc[h], Schema: openapi3.NewSchemaRef("", sch)}}}}
		}
		doc.Components.Responses[e.name] = &openapi3.ResponseRef{Value: r}
		if e.status != 0 {
			names[e.status] = e.name
		}
	}

	tags := map[string]bool{}
	for _, op := range (&Server{}).operations() {
		tags[op.tag] = true
		item := doc.Paths.Value(op.path)
		if item == nil {
			item = &openapi3.PathItem{}
			doc.Paths.Set(op.path, item)
		}
		if item.GetOperation(op.method) != nil {
			return nil, fmt.Errorf("openapi: %s %s is in the route table twice", op.method, op.path)
		}
		item.SetOperation(op.method, g.operation(op, names))
	}
	if g.err != nil {
		return nil, g.err
	}
	tagNames := make([]string, 0, len(tags))
	for t := range tags {
		tagNames = append(tagNames, t)
	}
	sort.Strings(tagNames)
	for _, t := range tagNames {
		doc.Tags = append(doc.Tags, &openapi3.Tag{Name: t})
	}
	return doc, nil
}

var (
	stdPage = []*openapi3.Parameter{
		{Name: "page", In: "query", Description: "Page number, from 1", Schema: openapi3.NewSchemaRef("", intMin(1))},
		{Name: "page_size", In: "query", Description: "Results per page, 1 to 100 (default 20)",
			Schema: openapi3.NewSchemaRef("", intMin(1).WithMax(100))},
	}
	idemParam = &openapi3.Parameter{Name: "Idempotency-Key", In: "header",
		Description: "Makes the POST safe to retry: the first answer below 500 (status and body, errors included) " +
			"is kept 24 hours per user and replayed with Idempotent-Replayed: true; the same key with " +
			"another request answers 409 idempotency_key_reused, and while the first request with the key still runs " +
			"(on any instance) 409 idempotency_key_in_flight with Retry-After",
		Schema: openapi3.NewSchemaRef("", openapi3.NewStringSchema().WithMinLength(1).WithMaxLength(255))}
)

func (g *schemaGen) operation(op operation, names map[int]string) *openapi3.Operation {
	o := openapi3.NewOperation()
	o.Summary, o.Tags = op.summary, []string{op.tag}
	o.Description = op.desc
	if op.access == accessAdmin {
		o.Description = strings.TrimSpace("Admin only. " + op.desc)
	}
	id := strings.Trim(op.path, "/")
	id = strings.Replace(id, "api/", "", 1)
	id = strings.NewReplacer("/", "_", "{", "", "}", "", "-", "_", ".", "_").Replace(id)
	o.OperationID = strings.ToLower(op.method) + "_" + id
	switch op.access {
	case accessPublic:
		o.Security = &openapi3.SecurityRequirements{{}, {"basicAuth": []string{}}, {"bearerAuth": []string{}}}
	case accessNone:
		o.Security = &openapi3.SecurityRequirements{}
	case accessBasic:
		o.Security = &openapi3.SecurityRequirements{{"basicAuth": []string{}}}
	}
	for _, seg := range strings.Split(op.path, "/") {
		if strings.HasPrefix(seg, "{") {
			o.AddParameter(openapi3.NewPathParameter(strings.Trim(seg, "{}")).WithSchema(openapi3.NewStringSchema()))
		}
	}
	hasQuery := op.list || len(op.query) > 0
	for _, p := range op.query {
		if p.enum != "" && enums[p.enum] == nil {
			g.fail("%s %s: no enum %q", op.method, op.path, p.enum)
			continue
		}
		o.AddParameter(&openapi3.Parameter{Name: p.name, In: "query", Required: p.required, Description: p.desc,
			Schema: openapi3.NewSchemaRef("", paramSchema(p))})
	}
	if op.list {
		for _, p := range stdPage {
			o.AddParameter(p)
		}
	}
	if op.idempotent {
		o.AddParameter(idemParam)
	}
	if op.body != nil {
		var ref *openapi3.SchemaRef
		if spec, ok := op.body.(bodySpec); ok {
			t := reflect.TypeOf(spec.typ)
			g.build(spec.name, "bodySpec "+spec.name, func() *openapi3.Schema {
				s := g.object(t, in)
				s.Required = spec.required
				s.Description = spec.desc
				return s
			})
			ref = schemaRef(spec.name)
		} else {
			ref = g.component(reflect.TypeOf(op.body), in)
		}
		rb := openapi3.NewRequestBody().WithRequired(!op.bodyOptional).WithContent(openapi3.NewContentWithJSONSchemaRef(ref))
		if op.bodyOptional {
			rb.Description = "Optional: the body may be empty"
		}
		o.RequestBody = &openapi3.RequestBodyRef{Value: rb}
	}

	status := op.status
	if status == 0 {
		status = 200
	}
	ok := openapi3.NewResponse().WithDescription(map[int]string{200: "OK", 201: "Created", 202: "Accepted", 204: "No content"}[status])
	hdr := func(name, desc string, s *openapi3.Schema) {
		if ok.Headers == nil {
			ok.Headers = openapi3.Headers{}
		}
		ok.Headers[name] = &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
			Description: desc, Schema: openapi3.NewSchemaRef("", s)}}}
	}
	if status == 201 && !op.noLocation {
		hdr("Location", "Path of the new resource", openapi3.NewStringSchema())
	}
	for name, h := range op.headers {
		hdr(name, h.desc, enumSchema(h.enum))
	}
	if op.idempotent {
		hdr("Idempotent-Replayed", "Present when this answer is a replay of a stored one", enumSchema([]string{"true"}))
	}
	switch r := op.resp.(type) {
	case nil:
	case rawResponse:
		ok.Content = openapi3.Content{}
		for _, m := range strings.Split(r.media, ",") {
			ok.Content[m] = openapi3.NewMediaType().WithSchema(rawSchema(r.kind))
		}
	case unreadList:
		arr := openapi3.NewArraySchema()
		arr.Items, arr.MaxItems = g.component(typeOf[notificationJSON](), out), new(uint64(50))
		ok.Content = openapi3.NewContentWithJSONSchema(arr)
	default:
		ok.Content = openapi3.NewContentWithJSONSchemaRef(g.component(reflect.TypeOf(op.resp), out))
	}
	o.Responses = openapi3.NewResponses()
	o.Responses.Delete("default")
	o.Responses.Set(strconv.Itoa(status), &openapi3.ResponseRef{Value: ok})
	if op.accepted {
		acc := *ok
		acc.Description = new("Accepted: the outcome is still pending")
		o.Responses.Set("202", &openapi3.ResponseRef{Value: &acc})
	}

	codes := map[int]bool{}
	for _, c := range op.errors {
		codes[c] = true
	}
	writes := op.method == "POST" || op.method == "PATCH" || op.method == "PUT"
	if hasQuery || op.body != nil || op.idempotent {
		codes[400] = true
	}
	if writes {
		codes[413], codes[415] = true, true
	}
	if op.access != accessNone {
		codes[401], codes[429] = true, true
	}
	if op.access == accessAdmin {
		codes[403] = true
	}
	if strings.Contains(op.path, "{") && !op.notFoundNever {
		codes[404] = true
	}
	if op.idempotent {
		codes[409] = true
	}
	for c := range codes {
		if name, ok := names[c]; ok {
			o.Responses.Set(strconv.Itoa(c), &openapi3.ResponseRef{Ref: "#/components/responses/" + name})
		} else {
			desc := map[int]string{501: "Not implemented"}[c]
			if desc == "" {
				desc = "Error"
			}
			o.Responses.Set(strconv.Itoa(c), &openapi3.ResponseRef{Value: errorResponse(desc)})
		}
	}
	o.Responses.Set("5XX", &openapi3.ResponseRef{Ref: "#/components/responses/ServerError"})
	return o
}
