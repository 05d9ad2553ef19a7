package api

import (
	"encoding/json"
	"net/http"
	"strconv"
)

const contentTypeJSON = "application/json; charset=utf-8"

// writeJSON encodes v in full before writing, so that an encoding failure
// becomes a clean 500 rather than half a response.
func (a *API) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Only a programming error gets here: every value served is plain data.
		a.log.ErrorContext(r.Context(), "api: encode response", "route", r.Pattern, "err", err)
		status = errorKinds[kindInternal].status
		body, _ = json.Marshal(errorBody{Error: errorDetail{Code: errorKinds[kindInternal].code, Message: internalMessage}})
	}
	writeBody(w, status, body)
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentTypeJSON)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
