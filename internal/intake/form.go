package intake

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/haven-project/haven/internal/strictjson"
)

// Request size limits. A multipart body may carry MaxFiles files of
// MaxFileBytes and the text fields; a JSON body only text.
const (
	MaxJSONBytes      = 256 << 10
	MaxMultipartBytes = MaxFiles*MaxFileBytes + 1<<20
)

// Submission is a tip as a request carries it, with the form token and
// the proof of work.
type Submission struct {
	Tip   Tip
	Token string
	Pow   string
	// Reply is the report form's choice: "receipt" (answer only on the
	// site) or "contact" (at ReplyContact); "" when not given.
	Reply string
}

// jsonTip is the JSON body of POST /api/v1/tips.
type jsonTip struct {
	Token          *string `json:"token"`
	Pow            *string `json:"pow"`
	WhatHappened   *string `json:"what_happened"`
	Where          *string `json:"where"`
	When           *string `json:"when"`
	PeopleCount    *int    `json:"people_count"`
	MinorsInvolved *string `json:"minors_involved"`
	Kind           *string `json:"kind"`
	Danger         *bool   `json:"danger"`
	ReplyContact   *string `json:"reply_contact"`
	Language       *string `json:"language"`
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ReadJSON decodes a JSON tip strictly (see strictjson.Decode): one
// object, known fields only, each named exactly, once, of its type and in
// valid UTF-8. A problem is a *FieldError naming the field ("body" for the
// body as a whole).
func ReadJSON(body []byte) (Submission, error) {
	var j jsonTip
	if err := strictjson.Decode(body, &j); err != nil {
		return Submission{}, jsonFieldError(err)
	}
	return Submission{
		Token: deref(j.Token),
		Pow:   deref(j.Pow),
		Tip: Tip{
			WhatHappened: deref(j.WhatHappened), Where: deref(j.Where), When: deref(j.When),
			PeopleCount: j.PeopleCount, MinorsInvolved: deref(j.MinorsInvolved), Kind: deref(j.Kind),
			Danger: j.Danger, ReplyContact: deref(j.ReplyContact), Language: deref(j.Language),
		},
	}, nil
}

// jsonFieldError turns a strictjson error into a *FieldError.
func jsonFieldError(err error) error {
	var je *strictjson.Error
	if !errors.As(err, &je) || je.Field == "" {
		return &FieldError{Field: "body", Code: CodeInvalid}
	}
	switch je.Problem {
	case strictjson.Unknown:
		return &FieldError{Field: je.Field, Code: CodeUnknown}
	case strictjson.Duplicate:
		return &FieldError{Field: je.Field, Code: CodeDuplicate}
	case strictjson.InvalidUTF8:
		return &FieldError{Field: je.Field, Code: CodeNotUTF8}
	}
	return &FieldError{Field: je.Field, Code: CodeInvalid}
}

// Set puts one text field of a form into the submission. Choice fields
// left empty mean "not answered".
func (s *Submission) Set(name, v string) error {
	t := &s.Tip
	switch name {
	case FieldToken:
		s.Token = v
	case FieldPow:
		s.Pow = v
	case FieldWhat:
		t.WhatHappened = v
	case FieldWhere:
		t.Where = v
	case FieldWhen:
		t.When = v
	case FieldReply:
		t.ReplyContact = v
	case FieldLanguage:
		t.Language = v
	case FieldMinors:
		t.MinorsInvolved = v
	case FieldKind:
		t.Kind = v
	case FieldPeople:
		v = strings.TrimSpace(v)
		if v == "" {
			return nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return &FieldError{Field: FieldPeople, Code: CodeInvalid}
		}
		t.PeopleCount = &n
	case FieldDanger:
		switch v {
		case "":
		case "yes", "true":
			yes := true
			t.Danger = &yes
		case "no", "false":
			no := false
			t.Danger = &no
		default:
			return &FieldError{Field: FieldDanger, Code: CodeInvalid}
		}
	case "reply":
		if v != "" && v != "receipt" && v != "contact" {
			return &FieldError{Field: "reply", Code: CodeInvalid}
		}
		s.Reply = v
	default:
		return &FieldError{Field: name, Code: CodeUnknown}
	}
	return nil
}

// String describes a submission without its content, for errors.
func (s Submission) String() string {
	return fmt.Sprintf("tip submission (%d files)", len(s.Tip.Files))
}
