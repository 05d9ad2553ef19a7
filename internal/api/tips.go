package api

import (
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/haven-project/haven/internal/abuse"
	"github.com/haven-project/haven/internal/intake"
	"github.com/haven-project/haven/internal/seal"
	"github.com/haven-project/haven/internal/tiphttp"
)

func (a *API) tipsOff() error {
	if a.desk == nil || a.guard == nil {
		return &apiError{kind: kindNotImplemented, msg: "This server does not take tips."}
	}
	return nil
}

// getTipToken answers GET /api/v1/tips/token: a single-use form token and
// the proof of work to do for it.
func (a *API) getTipToken(w http.ResponseWriter, r *http.Request) error {
	if err := a.tipsOff(); err != nil {
		return err
	}
	if err := noQuery(r); err != nil {
		return err
	}
	if !a.guard.AllowToken(a.guard.Source(r)) {
		return rateLimited(w)
	}
	tok, err := a.guard.Token()
	if err != nil {
		return fmt.Errorf("api: issue token: %w", err)
	}
	a.writeJSON(w, r, http.StatusOK, struct {
		Token   string `json:"token"`
		PowBits int    `json:"pow_bits"`
	}{tok, a.guard.PowBits()})
	return nil
}

// postTip answers POST /api/v1/tips: JSON, or multipart/form-data with
// attachments. 201 and the receipt come only once the tip is durably
// stored. Nothing of the request is logged.
func (a *API) postTip(w http.ResponseWriter, r *http.Request) error {
	if err := a.tipsOff(); err != nil {
		return err
	}
	if err := noQuery(r); err != nil {
		return err
	}
	if !a.guard.AllowSubmit(a.guard.Source(r)) {
		return rateLimited(w)
	}
	// With no room to store it, a tip is refused before its body is read:
	// the body's length is the guess of its size. Submit checks again.
	if err := a.desk.Room(r.Context(), max(r.ContentLength, 0)); err != nil {
		return tipError(w, err)
	}
	var sub intake.Submission
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "multipart/form-data":
		release, err := a.guard.BeginUpload(w, r)
		if err != nil {
			return uploadError(w, err)
		}
		defer release()
		s, err := tiphttp.ReadMultipart(r)
		if err != nil {
			return tipError(w, err)
		}
		sub = s
	case "application/json":
		if err := jsonContentType(r.Header.Get("Content-Type")); err != nil {
			return err
		}
		body, err := readBody(w, r, intake.MaxJSONBytes)
		if err != nil {
			return err
		}
		s, err := intake.ReadJSON(body)
		if err != nil {
			return tipError(w, err)
		}
		sub = s
	default:
		return &apiError{kind: kindUnsupportedMediaType, msg: "Send the tip as application/json, or as multipart/form-data with attachments."}
	}
	// The tip is checked before the token is used up, so that a tip with a
	// mistake can be sent again with the same token.
	if fe := sub.Tip.Validate(); fe != nil {
		return tipError(w, fe)
	}
	if fe := sub.Tip.StripFiles(); fe != nil {
		return tipError(w, fe)
	}
	if err := a.desk.RoomFor(r.Context(), &sub.Tip); err != nil {
		return tipError(w, err)
	}
	if err := a.guard.Redeem(r.Context(), sub.Token, sub.Pow); err != nil {
		return tokenError(w, err)
	}
	receipt, err := a.desk.Submit(r.Context(), sub.Tip)
	if err != nil {
		return tipError(w, err)
	}
	a.writeJSON(w, r, http.StatusCreated, struct {
		Receipt string `json:"receipt"`
	}{receipt.String()})
	return nil
}

type receiptBody struct {
	Receipt string `json:"receipt"`
	Message string `json:"message"`
}

// readReceiptBody decodes {"receipt": "..."} (and "message" when withMsg).
func readReceiptBody(w http.ResponseWriter, r *http.Request, withMsg bool) (seal.Receipt, string, error) {
	if err := noQuery(r); err != nil {
		return seal.Receipt{}, "", err
	}
	if err := jsonContentType(r.Header.Get("Content-Type")); err != nil {
		return seal.Receipt{}, "", err
	}
	body, err := readBody(w, r, 64<<10)
	if err != nil {
		return seal.Receipt{}, "", err
	}
	want := `Send one JSON object with "receipt".`
	if withMsg {
		want = `Send one JSON object with "receipt" and "message".`
	}
	var b receiptBody
	if err := decodeBody(body, &b, "body", want); err != nil {
		return seal.Receipt{}, "", err
	}
	if !withMsg && b.Message != "" {
		return seal.Receipt{}, "", invalid("message", "This endpoint takes only a receipt.")
	}
	rc, err := seal.ParseReceipt(b.Receipt)
	if err != nil {
		return seal.Receipt{}, "", invalid("receipt", "A receipt is 28 digits, as it was given.")
	}
	return rc, b.Message, nil
}

// postTipStatus answers POST /api/v1/tips/status: the tip's status and
// conversation for the receipt in the body. Known receipt or not, the
// answer leaves after the same least time (tiphttp.LookupFloor).
func (a *API) postTipStatus(w http.ResponseWriter, r *http.Request) error {
	return a.floored(w, r, a.tipStatus)
}

// floored serves h with its whole answer, errors included, held back until
// tiphttp.LookupFloor has passed.
func (a *API) floored(w http.ResponseWriter, r *http.Request, h func(http.ResponseWriter, *http.Request) error) error {
	fw, finish := tiphttp.Floored(w, time.Now())
	if err := h(fw, r); err != nil {
		a.writeError(fw, r, err)
	}
	finish()
	return nil
}

func (a *API) tipStatus(w http.ResponseWriter, r *http.Request) error {
	if err := a.tipsOff(); err != nil {
		return err
	}
	if !a.guard.AllowLookup(a.guard.Source(r)) {
		return rateLimited(w)
	}
	rc, _, err := readReceiptBody(w, r, false)
	if err != nil {
		return err
	}
	st, err := a.desk.Status(r.Context(), rc)
	if err != nil {
		return tipError(w, err)
	}
	a.writeJSON(w, r, http.StatusOK, st)
	return nil
}

// postTipMessage answers POST /api/v1/tips/messages: a message from the
// receipt holder, after the same least time as a look-up.
func (a *API) postTipMessage(w http.ResponseWriter, r *http.Request) error {
	return a.floored(w, r, a.tipMessage)
}

func (a *API) tipMessage(w http.ResponseWriter, r *http.Request) error {
	if err := a.tipsOff(); err != nil {
		return err
	}
	if !a.guard.AllowSubmit(a.guard.Source(r)) {
		return rateLimited(w)
	}
	rc, msg, err := readReceiptBody(w, r, true)
	if err != nil {
		return err
	}
	if err := a.desk.AddTipsterMessage(r.Context(), rc, msg); err != nil {
		return tipError(w, err)
	}
	a.writeJSON(w, r, http.StatusCreated, struct{}{})
	return nil
}

func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &apiError{kind: kindTooLarge, msg: fmt.Sprintf("The request body is larger than %d bytes.", limit)}
		}
		// The client went away or sent a broken body: its doing, not
		// the server's, and not logged (a tip route's log line would
		// carry the time).
		return nil, invalid("body", "The request body could not be read whole.")
	}
	return body, nil
}

// uploadError turns BeginUpload's error into an API error.
func uploadError(w http.ResponseWriter, err error) error {
	switch {
	case errors.Is(err, tiphttp.ErrUploadBusy):
		return rateLimited(w)
	case errors.Is(err, tiphttp.ErrBodyCut):
		return invalid("body", "The request body stopped arriving, or arrived too slowly.")
	}
	return err
}

func rateLimited(w http.ResponseWriter) error {
	w.Header().Set("Retry-After", "60")
	return &apiError{kind: kindRateLimited, msg: "Too many requests. Try again in a minute."}
}

// tipError turns an intake error into an API error.
func tipError(w http.ResponseWriter, err error) error {
	var fe *intake.FieldError
	var full *intake.FullError
	switch {
	case errors.As(err, &full):
		// Not logged: a refusal's log line would carry a tip's time, and
		// a full desk would write one per tip.
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(full.RetryAfter.Seconds())))))
		return &apiError{kind: kindUnavailable, msg: "The server is storing no more tips or messages for now. Nothing was stored: send it again after the seconds Retry-After gives."}
	case errors.As(err, &fe):
		if fe.Code == intake.CodeTooBig && fe.Field == "body" {
			return &apiError{kind: kindTooLarge, msg: "The request body is too large."}
		}
		clipped := *fe // a field name is the client's and may be long
		clipped.Field = echo(fe.Field)
		return invalid(clipped.Field, clipped.Error())
	case errors.Is(err, intake.ErrUnknownReceipt):
		return &apiError{kind: kindNotFound, msg: "No tip has this receipt."}
	case errors.Is(err, intake.ErrClosed):
		return &apiError{kind: kindUnavailable, msg: "This server does not take tips yet: its operators have not set a recovery key."}
	}
	return err
}

// tokenError turns a form-token error into an API error.
func tokenError(w http.ResponseWriter, err error) error {
	var tooNew abuse.TooNewError
	switch {
	case errors.As(err, &tooNew):
		secs := int(math.Ceil(tooNew.Wait.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		return invalid("token", fmt.Sprintf("The form was sent too soon after the token was issued; send it again in %d seconds.", secs))
	case errors.Is(err, abuse.ErrPowInvalid):
		return invalid("pow", "The proof of work does not solve the token's challenge.")
	case errors.Is(err, abuse.ErrTokenExpired):
		return invalid("token", "The token has expired; get a new one.")
	case errors.Is(err, abuse.ErrTokenUsed):
		return invalid("token", "The token was already used; get a new one.")
	case errors.Is(err, abuse.ErrTokenBusy):
		return rateLimited(w)
	case errors.Is(err, abuse.ErrTokenStore):
		return fmt.Errorf("api: use up a form token: %w", err) // the server's failure: the desk counts it (tip routes log nothing)
	}
	return invalid("token", "Get a token from GET /api/v1/tips/token and send it with the tip.")
}
