package api

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/haven-project/haven/internal/triage"
)

// maxRouteBody is the most bytes POST /api/v1/route reads: a situation is
// a few dozen short fields.
const maxRouteBody = 16 << 10

// routeRequest is the body of POST /api/v1/route: triage.Situation with at
// as text, so that a bad time is reported as the parameter "at".
type routeRequest struct {
	Danger           bool    `json:"danger"`
	Role             string  `json:"role"`
	Minor            bool    `json:"minor"`
	Sex              bool    `json:"sex"`
	Labor            bool    `json:"labor"`
	FFC              string  `json:"ffc"`
	OnlineChildAbuse bool    `json:"online_child_abuse"`
	VisaFraud        bool    `json:"visa_fraud"`
	Diplomat         bool    `json:"diplomat"`
	VisaProgram      string  `json:"visa_program"`
	Discrimination   bool    `json:"discrimination"`
	OutsideUS        bool    `json:"outside_us"`
	Anonymous        bool    `json:"anonymous"`
	NoPolice         bool    `json:"no_police"`
	Channel          string  `json:"channel"`
	At               *string `json:"at"`
	Lang             string  `json:"lang"`
}

// postRoute answers POST /api/v1/route: the plan for the situation in the
// body. Nothing of the request is kept or logged.
func (a *API) postRoute(w http.ResponseWriter, r *http.Request) error {
	if a.engine == nil {
		return &apiError{kind: kindNotImplemented, msg: "This server's jurisdiction pack has no routing rules, so it cannot make a plan."}
	}
	if err := noQuery(r); err != nil {
		return err
	}
	if err := jsonContentType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	body, err := readBody(w, r, maxRouteBody)
	if err != nil {
		return err
	}
	s, err := parseSituation(body)
	if err != nil {
		return err
	}
	plan, err := a.engine.Plan(s, a.now())
	if err != nil {
		var fe *triage.FieldError
		if errors.As(err, &fe) {
			return invalid(fe.Field, fe.Msg)
		}
		return fmt.Errorf("api: plan: %w", err)
	}
	a.writeJSON(w, r, http.StatusOK, plan)
	return nil
}

// jsonContentType accepts application/json, with no parameter but an
// optional charset=utf-8.
func jsonContentType(v string) error {
	bad := &apiError{kind: kindUnsupportedMediaType, msg: "Send the body as JSON, with Content-Type: application/json."}
	if v == "" {
		return bad
	}
	mt, params, err := mime.ParseMediaType(v)
	if err != nil || mt != "application/json" {
		return bad
	}
	for k, val := range params {
		if k != "charset" || !strings.EqualFold(val, "utf-8") {
			return bad
		}
	}
	return nil
}

// parseSituation decodes a route body strictly (decodeBody): one JSON
// object, only the known fields, each once and of the right type, then the
// values checked by the triage rules' own Validate. Errors name the field
// at fault.
func parseSituation(body []byte) (triage.Situation, error) {
	var req routeRequest
	if err := decodeBody(body, &req, "", "The body must be one JSON object, and nothing after it."); err != nil {
		return triage.Situation{}, err
	}
	s := triage.Situation{
		Danger: req.Danger, Role: req.Role, Minor: req.Minor, Sex: req.Sex, Labor: req.Labor, FFC: req.FFC,
		OnlineChildAbuse: req.OnlineChildAbuse, VisaFraud: req.VisaFraud, Diplomat: req.Diplomat,
		VisaProgram: req.VisaProgram, Discrimination: req.Discrimination, OutsideUS: req.OutsideUS,
		Anonymous: req.Anonymous, NoPolice: req.NoPolice, Channel: req.Channel, Lang: req.Lang,
	}
	if req.At != nil {
		t, err := time.Parse(time.RFC3339, *req.At)
		if err != nil {
			return triage.Situation{}, invalid("at", "Want an RFC 3339 date and time, such as 2026-11-30T10:00:00-05:00.")
		}
		s.At = &t
	}
	if err := s.Validate(); err != nil {
		var fe *triage.FieldError
		if errors.As(err, &fe) {
			return triage.Situation{}, invalid(fe.Field, echo(fe.Msg))
		}
		return triage.Situation{}, err
	}
	return s, nil
}

func typeName(goType string) string {
	switch goType {
	case "bool":
		return "true or false"
	case "string", "*string":
		return "string"
	}
	return goType
}
