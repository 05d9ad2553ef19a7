package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/haven-project/haven/internal/route"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/search"
	"github.com/haven-project/haven/internal/store"
)

// docURL is where the tests place the served document for the schema
// compiler; nothing is fetched.
const docURL = "https://haven.invalid/api/openapi.json"

// servedDoc fetches and decodes /api/openapi.json from the fixture.
func servedDoc(tb testing.TB, f *fixture) map[string]any {
	tb.Helper()
	w := do(tb, f.mux, "GET", "/api/openapi.json", "")
	if w.Code != http.StatusOK {
		tb.Fatalf("GET /api/openapi.json: %d", w.Code)
	}
	return decode[map[string]any](tb, w)
}

// pointer builds a JSON pointer (RFC 6901) from tokens.
func pointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(t))
	}
	return b.String()
}

// resolve follows a JSON pointer ("/a/b" or "#/a/b") in doc.
func resolve(doc any, ptr string) (any, error) {
	ptr = strings.TrimPrefix(ptr, "#")
	if ptr == "" {
		return doc, nil
	}
	v := doc
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch c := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = c[tok]; !ok {
				return nil, fmt.Errorf("%s: no %q", ptr, tok)
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, fmt.Errorf("%s: no item %q", ptr, tok)
			}
			v = c[i]
		default:
			return nil, fmt.Errorf("%s: %q is inside neither an object nor an array", ptr, tok)
		}
	}
	return v, nil
}

// deref follows $ref (one level at a time) until reaching an object without
// one, returning it and its pointer.
func deref(tb testing.TB, doc any, ptr string) (map[string]any, string) {
	tb.Helper()
	for range 10 {
		v, err := resolve(doc, ptr)
		if err != nil {
			tb.Fatal(err)
		}
		obj, ok := v.(map[string]any)
		if !ok {
			tb.Fatalf("%s is not an object", ptr)
		}
		ref, ok := obj["$ref"].(string)
		if !ok {
			return obj, ptr
		}
		ptr = strings.TrimPrefix(ref, "#")
	}
	tb.Fatalf("%s: $ref chain too long", ptr)
	return nil, ""
}

// responseValidator checks real responses against the response schemas of
// the served document, compiled as JSON Schema 2020-12.
type responseValidator struct {
	doc      map[string]any
	mux      *route.Mux
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema
}

func newResponseValidator(tb testing.TB, f *fixture) *responseValidator {
	tb.Helper()
	doc := servedDoc(tb, f)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	// Add the document as decoded by the schema library (json.Number for
	// numbers), as it expects.
	raw, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		tb.Fatal(err)
	}
	if err := c.AddResource(docURL, res); err != nil {
		tb.Fatalf("add openapi.json: %v", err)
	}
	return &responseValidator{doc: doc, mux: f.mux, compiler: c, schemas: map[string]*jsonschema.Schema{}}
}

func (v *responseValidator) schema(tb testing.TB, ptr string) *jsonschema.Schema {
	tb.Helper()
	if s, ok := v.schemas[ptr]; ok {
		return s
	}
	s, err := v.compiler.Compile(docURL + "#" + ptr)
	if err != nil {
		tb.Fatalf("compile %s: %v", ptr, err)
	}
	v.schemas[ptr] = s
	return s
}

// responseSchema returns the pointer to the schema the document gives for
// method and path answering status. Requests no documented operation
// matches (405s, unknown paths) must answer with the Error schema.
func (v *responseValidator) responseSchema(tb testing.TB, method, path string, status int) string {
	tb.Helper()
	_, pattern := v.mux.Handler(httptest.NewRequest(method, path, nil))
	for _, rt := range endpoints() {
		if rt.pattern() != pattern {
			continue
		}
		op := pointer("paths", rt.path, strings.ToLower(rt.method))
		resp, ptr := deref(tb, v.doc, op+pointer("responses", fmt.Sprint(status)))
		if _, ok := resp["content"]; !ok {
			tb.Fatalf("%s: no content", ptr)
		}
		_, sch := deref(tb, v.doc, ptr+pointer("content", "application/json", "schema"))
		return sch
	}
	return pointer("components", "schemas", "Error")
}

func (v *responseValidator) validate(tb testing.TB, method, path string, w *httptest.ResponseRecorder) {
	tb.Helper()
	ptr := v.responseSchema(tb, method, path, w.Code)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		tb.Fatalf("body is not JSON: %v", err)
	}
	if err := v.schema(tb, ptr).Validate(inst); err != nil {
		tb.Errorf("%s %s answered %d with a body that %s does not allow: %v", method, path, w.Code, ptr, err)
	}
}

// operations lists "METHOD /path" for every operation in doc.
func operations(tb testing.TB, doc map[string]any) []string {
	tb.Helper()
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		tb.Fatal("openapi.json: no paths")
	}
	var out []string
	for p, item := range paths {
		for m := range item.(map[string]any) {
			switch m {
			case "get", "put", "post", "delete", "options", "head", "patch", "trace":
				out = append(out, strings.ToUpper(m)+" "+p)
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestRoutesDocumented: every route the API serves is an operation of
// openapi.json, with the same method and path template, and every
// operation is served.
func TestRoutesDocumented(t *testing.T) {
	f := newFixture(t, testNow)
	var served []string
	for _, rt := range endpoints() {
		served = append(served, rt.pattern())
	}
	sort.Strings(served)
	if documented := operations(t, servedDoc(t, f)); !slices.Equal(served, documented) {
		t.Errorf("served routes %v\ndocumented operations %v", served, documented)
	}
	// Register serves exactly the table: each route's own pattern answers
	// requests for it.
	param := regexp.MustCompile(`\{[a-z_]+\}`)
	for _, rt := range endpoints() {
		path := param.ReplaceAllString(rt.path, "x")
		if _, got := f.mux.Handler(httptest.NewRequest(rt.method, path, nil)); got != rt.pattern() {
			t.Errorf("%s %s is served by %q, want %q", rt.method, path, got, rt.pattern())
		}
	}
}

// TestRegisterBesideCatchAll: the API's patterns do not conflict with the
// catch-alls another Registrar (the public pages) may add to the same mux.
func TestRegisterBesideCatchAll(t *testing.T) {
	for _, others := range [][]string{{"GET /"}, {"/"}, {"GET /{$}", "GET /{path...}", "POST /tips"}} {
		t.Run(strings.Join(others, ","), func(t *testing.T) {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("Register panicked beside %v: %v", others, p)
				}
			}()
			mux := route.NewMux(route.Config{})
			for _, p := range others {
				mux.HandleFunc(p, func(http.ResponseWriter, *http.Request) {}, route.Policy{})
			}
			New(Config{}).Register(mux)
			for _, path := range []string{"/api/v1/services", "/api/nothing"} {
				if _, pattern := mux.Handler(httptest.NewRequest("POST", path, nil)); !strings.Contains(pattern, "/api/") {
					t.Errorf("POST %s goes to %q, want an API pattern", path, pattern)
				}
			}
		})
	}
}

// TestOpenAPIDocument checks the document itself: OpenAPI 3.1, every $ref
// resolves, every schema compiles, path parameters match the templates,
// and the enums agree with the code and the pack.
func TestOpenAPIDocument(t *testing.T) {
	f := newFixture(t, testNow)
	doc := servedDoc(t, f)

	if v, _ := doc["openapi"].(string); !regexp.MustCompile(`^3\.1\.\d+$`).MatchString(v) {
		t.Errorf("openapi = %q, want 3.1.x", v)
	}
	if info, _ := doc["info"].(map[string]any); info["title"] == "" || info["version"] == "" {
		t.Error("info needs a title and a version")
	}
	if !json.Valid(openAPISource) {
		t.Fatal("openapi.json is not valid JSON")
	}

	// Every $ref resolves inside the document.
	refs := 0
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				refs++
				if !strings.HasPrefix(ref, "#/") {
					t.Errorf("%s: $ref %q is not local", at, ref)
				} else if _, err := resolve(doc, ref); err != nil {
					t.Errorf("%s: $ref does not resolve: %v", at, err)
				}
			}
			for k, e := range v {
				walk(e, at+pointer(k))
			}
		case []any:
			for i, e := range v {
				walk(e, at+pointer(fmt.Sprint(i)))
			}
		}
	}
	walk(doc, "")
	if refs == 0 {
		t.Error("no $ref found; the walk is broken")
	}

	// Every component schema compiles as JSON Schema 2020-12.
	v := newResponseValidator(t, f)
	schemas, _ := resolve(doc, "/components/schemas")
	for name := range schemas.(map[string]any) {
		v.schema(t, pointer("components", "schemas", name))
	}
	for _, name := range []string{"Service", "Contact", "Hours", "Window", "Area", "Source", "Organization", "Social", "Error", "ServicePage", "OrganizationPage"} {
		if _, ok := schemas.(map[string]any)[name]; !ok {
			t.Errorf("components.schemas has no %s", name)
		}
	}

	// The schemas are strict enough to reject drift.
	for _, tc := range []struct{ schema, body string }{
		{"Error", `{"error":{"code":"teapot","message":"x"}}`},
		{"Error", `{"error":{"code":"internal","message":"x","stack":"..."}}`},
		{"Organization", `{"slug":"a","name":"A","source":{"document":"d","lines":[1],"verified":"2026-01-01"},"services":[]}`},
		{"Source", `{"document":"d","lines":null,"verified":"2026-01-01"}`},
		{"Contact", `{"channel":"call","display":"1","value":"+18883737888","source":{"document":"d","lines":[1],"verified":"2026-01-01"}}`},
	} {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		if err := v.schema(t, pointer("components", "schemas", tc.schema)).Validate(inst); err == nil {
			t.Errorf("%s accepts %s", tc.schema, tc.body)
		}
	}

	// Operations: unique ids, a 200 answer, path parameters that match the
	// template.
	ids := map[string]bool{}
	tmpl := regexp.MustCompile(`\{([a-z_]+)\}`)
	for _, op := range operations(t, doc) {
		method, path, _ := strings.Cut(op, " ")
		o, ptr := deref(t, doc, pointer("paths", path, strings.ToLower(method)))
		id, _ := o["operationId"].(string)
		if id == "" || ids[id] {
			t.Errorf("%s: operationId %q missing or repeated", ptr, id)
		}
		ids[id] = true
		_, e200 := resolve(doc, ptr+"/responses/200")
		_, e201 := resolve(doc, ptr+"/responses/201")
		if e200 != nil && e201 != nil {
			t.Errorf("%s: no 200 or 201 response", ptr)
		}
		var declared []string
		params, _ := o["parameters"].([]any)
		for i := range params {
			p, _ := deref(t, doc, ptr+pointer("parameters", fmt.Sprint(i)))
			if p["in"] == "path" {
				declared = append(declared, p["name"].(string))
				if p["required"] != true {
					t.Errorf("%s: path parameter %v is not required", ptr, p["name"])
				}
			}
		}
		var inTemplate []string
		for _, m := range tmpl.FindAllStringSubmatch(path, -1) {
			inTemplate = append(inTemplate, m[1])
		}
		if !slices.Equal(declared, inTemplate) {
			t.Errorf("%s: path parameters %v, template has %v", ptr, declared, inTemplate)
		}
	}

	// Enums and bounds agree with the code and the pack.
	var topics []string
	for _, tp := range f.pack.Meta.Topics {
		topics = append(topics, tp.Slug)
	}
	var codes []string
	for _, k := range errorKinds {
		codes = append(codes, k.code)
	}
	slices.Sort(codes)
	for _, tc := range []struct {
		ptr  string
		want any
	}{
		{"/components/parameters/topic/schema/enum", topics},
		{"/components/schemas/Kind/enum", directory.Kinds},
		{"/components/schemas/Contact/properties/channel/enum", directory.Channels},
		{"/components/schemas/Contact/properties/scope/enum", []string{directory.ScopeDomestic, directory.ScopeInternational}},
		{"/components/schemas/Area/properties/scope/enum", []string{directory.AreaNational, directory.AreaInternational, directory.AreaRegion, directory.AreaState, directory.AreaCounty, directory.AreaCity, directory.AreaPostcode}},
		{"/components/schemas/Service/properties/status/enum", directory.Statuses},
		{"/components/schemas/Contact/properties/phone_type/enum", directory.PhoneTypes},
		{"/components/schemas/ServiceLocation/properties/location_type/enum", directory.LocationTypes},
		{"/components/schemas/Hours/properties/kind/enum", []string{directory.HoursAlways, directory.HoursWeekly, directory.HoursUnknown}},
		{"/components/schemas/Error/properties/error/properties/code/enum", codes}, // compared sorted
		{"/components/parameters/limit/schema/maximum", store.MaxLimit},
		{"/components/parameters/limit/schema/default", defaultLimit},
		{"/components/parameters/offset/schema/maximum", maxOffset},
		{"/components/parameters/q/schema/maxLength", search.MaxQueryRunes},
		{"/components/schemas/ServicePage/properties/limit/maximum", store.MaxLimit},
		{"/components/schemas/OrganizationPage/properties/limit/maximum", store.MaxLimit},
	} {
		got, err := resolve(doc, tc.ptr)
		if err != nil {
			t.Error(err)
			continue
		}
		if list, ok := got.([]any); ok && strings.HasSuffix(tc.ptr, "/code/enum") {
			got = slices.SortedFunc(slices.Values(list), func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
		}
		if n, ok := got.(float64); ok {
			got = int(n)
		}
		if g, w := fmt.Sprint(got), fmt.Sprint(tc.want); g != w {
			t.Errorf("%s = %s, want %s", tc.ptr, g, w)
		}
	}
}
