package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/haven-project/haven/internal/route"
	"github.com/haven-project/haven/internal/store"
)

// errorKind is one kind of failure a client can see.
type errorKind int

const (
	kindInternal errorKind = iota
	kindInvalidParameter
	kindNotFound
	kindMethodNotAllowed
	kindTooLarge
	kindUnsupportedMediaType
	kindNotImplemented
	kindRateLimited
	kindUnavailable
)

// errorKinds is the one table from error kinds to HTTP statuses and the
// stable codes clients match on.
var errorKinds = [...]struct {
	status int
	code   string
}{
	kindInternal:             {http.StatusInternalServerError, "internal"},
	kindInvalidParameter:     {http.StatusBadRequest, "invalid_parameter"},
	kindNotFound:             {http.StatusNotFound, "not_found"},
	kindMethodNotAllowed:     {http.StatusMethodNotAllowed, "method_not_allowed"},
	kindTooLarge:             {http.StatusRequestEntityTooLarge, "too_large"},
	kindUnsupportedMediaType: {http.StatusUnsupportedMediaType, "unsupported_media_type"},
	kindNotImplemented:       {http.StatusNotImplemented, "not_implemented"},
	kindRateLimited:          {http.StatusTooManyRequests, "rate_limited"},
	kindUnavailable:          {http.StatusServiceUnavailable, "unavailable"},
}

// internalMessage is all a client ever learns about an internal error.
const internalMessage = "Internal error."

// apiError is an error a client may see: its kind, a message written for
// people, and for invalid_parameter the parameter at fault.
type apiError struct {
	kind  errorKind
	param string
	msg   string
}

func (e *apiError) Error() string {
	if e.param != "" {
		return e.param + ": " + e.msg
	}
	return e.msg
}

// invalid returns an invalid_parameter error about param.
func invalid(param, msg string) error {
	return &apiError{kind: kindInvalidParameter, param: param, msg: msg}
}

// writeError answers with the JSON error for err. Errors that are not
// *apiError, store.ErrNotFound or store.ErrInvalid are internal: they are
// logged (without request details) and the client reads "Internal error.".
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &tooLarge):
		ae = &apiError{kind: kindTooLarge, msg: "The request body is too large."}
	case errors.Is(err, store.ErrNotFound):
		ae = &apiError{kind: kindNotFound, msg: "No record with that slug."}
	case errors.Is(err, store.ErrInvalid):
		ae = &apiError{kind: kindInvalidParameter, msg: "The request asks for something the directory cannot answer."}
	default:
		level := slog.LevelError
		if errors.Is(err, context.Canceled) {
			level = slog.LevelDebug // the client went away
		}
		if TipRoute(r.Pattern) {
			// Tip routes log nothing about a single request: the desk
			// counts the failure and logs the count once an hour.
			if a.desk != nil && level == slog.LevelError {
				a.desk.Failed(fmt.Errorf("api: %s: %w", r.Pattern, err))
			}
		} else {
			a.log.Log(r.Context(), level, "api: internal error", "route", r.Pattern, "err", err)
		}
		ae = &apiError{kind: kindInternal, msg: internalMessage}
	}
	k := errorKinds[ae.kind]
	msg := ae.msg
	if ae.kind == kindInternal {
		msg = internalMessage
	}
	a.writeJSON(w, r, k.status, route.ErrorBody{Error: route.ErrorDetail{Code: k.code, Message: msg, Parameter: ae.param}})
}
