package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/haven-project/haven/internal/route"
	"github.com/haven-project/haven/internal/strictjson"
)

// writeJSON encodes v in full before writing, so that an encoding failure
// becomes a clean 500 rather than half a response.
func (a *API) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Only a programming error gets here: every value served is plain data.
		a.log.ErrorContext(r.Context(), "api: encode response", "route", r.Pattern, "err", err)
		status = errorKinds[kindInternal].status
		body, _ = json.Marshal(route.ErrorBody{Error: route.ErrorDetail{Code: errorKinds[kindInternal].code, Message: internalMessage}})
	}
	route.WriteJSON(w, status, body)
}

// decodeBody decodes a JSON request body into v strictly (see
// strictjson.Decode): every JSON body the API reads goes through it. A
// refusal is an invalid_parameter error naming the field at fault, or, when
// the body as a whole is at fault, naming param with the message whole.
func decodeBody(body []byte, v any, param, whole string) error {
	err := strictjson.Decode(body, v)
	if err == nil {
		return nil
	}
	var je *strictjson.Error
	if !errors.As(err, &je) {
		return fmt.Errorf("api: decode body: %w", err) // v is not a pointer: a programming error
	}
	if je.Field == "" {
		if je.Problem == strictjson.InvalidUTF8 {
			return invalid(param, "The body is not valid UTF-8.")
		}
		return invalid(param, whole)
	}
	field := echo(je.Field)
	switch je.Problem {
	case strictjson.Unknown:
		return invalid(field, "Unknown field. Field names are matched exactly, letter case included.")
	case strictjson.Duplicate:
		return invalid(field, "Given more than once: give each field once.")
	case strictjson.InvalidUTF8:
		return invalid(field, "Not valid UTF-8: send text as UTF-8, and escape characters outside the BMP as surrogate pairs.")
	case strictjson.Type:
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Type != nil {
			return invalid(field, "Wrong type: want a "+typeName(te.Type.String())+".")
		}
		return invalid(field, "Wrong type.")
	}
	return invalid(field, whole)
}
