package api

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/haven-project/haven/internal/pack"
)

// openAPISource is the hand-written OpenAPI 3.1 document. The topic
// parameter's values depend on the pack, so openAPIDocument fills them in.
//
//go:embed openapi.json
var openAPISource []byte

// openAPIDocument returns the document to serve: openapi.json with the
// pack's topics as the enum (and list) of the topic parameter.
func openAPIDocument(meta pack.Meta) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(openAPISource, &doc); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	param, err := lookup(doc, "components", "parameters", "topic")
	if err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	schema, err := lookup(param, "schema")
	if err != nil {
		return nil, fmt.Errorf("openapi.json: topic parameter: %w", err)
	}
	if len(meta.Topics) > 0 {
		enum := make([]any, len(meta.Topics))
		desc, _ := param["description"].(string)
		desc += " Topics of the " + meta.Name + " pack:"
		for i, t := range meta.Topics {
			enum[i] = t.Slug
			desc += fmt.Sprintf("\n- `%s`: %s", t.Slug, t.Label)
		}
		schema["enum"] = enum
		param["description"] = desc
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	return out, nil
}

// lookup walks objects of a decoded JSON document by key.
func lookup(v map[string]any, keys ...string) (map[string]any, error) {
	for _, k := range keys {
		next, ok := v[k].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("no object at %q", k)
		}
		v = next
	}
	return v, nil
}
