package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/haven-project/haven/internal/abuse"
	"github.com/haven-project/haven/internal/i18n"
	"github.com/haven-project/haven/internal/intake"
	"github.com/haven-project/haven/internal/seal"
	"github.com/haven-project/haven/internal/tiphttp"
)

// SetTips turns on the report form and the receipt page. Without it they
// answer 404.
func (p *Pages) SetTips(d *intake.Desk, g *tiphttp.Gate) {
	p.desk, p.guard = d, g
}

// reportValues are the text fields of the form, kept when it comes back
// with a problem. Files are never kept.
type reportValues struct {
	WhatHappened, Where, When, People, ReplyContact, Reply string
}

type formError struct {
	Field string // the id of the field, for the link; "" for none
	Text  string
}

type radioOption struct {
	ID, Name, Value, Label string
	Checked                bool
}

type radioGroup struct {
	Name, Legend string
	Options      []radioOption
}

type reportView struct {
	base
	Emergency      *contactView
	Recipient      string
	LawEnforcement string // "yes", "no" or "" (not said)
	Open           bool
	Token          string
	PowBits        int
	FormJS         string // the form's script: the length counter, and the proof of work when PowBits > 0
	WhatMax        int    // the most characters "What happened?" takes
	Values         reportValues
	Choices        []radioGroup
	Errors         []formError
	MaxFiles       int
	MaxFileMB      int
	// After sending: the receipt in its groups of digits, how many days
	// to allow for an answer (0: the organization has not said) and how
	// many days the report is kept after its last change.
	Receipt       string
	ReceiptGroups []string
	AnswerDays    int
	KeptDays      int
	DangerFirst   bool
}

type statusMessageView struct {
	Author, Date, Text string
}

type statusView struct {
	base
	Errors   []formError
	Found    bool
	Added    bool
	Receipt  string
	State    string
	Messages []statusMessageView
	Draft    string // a message that could not be stored, given back
}

func (p *Pages) reportBase(r *http.Request, loc string) (reportView, error) {
	v := reportView{
		base:      p.base(loc, "report", "/report"),
		Recipient: p.tr(loc, "tips.recipient", p.meta.Tips.Recipient),
		Open:      p.desk.Open(r.Context()),
		PowBits:   p.guard.PowBits(),
		FormJS:    p.reportJS.path,
		WhatMax:   intake.MaxWhatRunes,
		MaxFiles:  intake.MaxFiles,
		MaxFileMB: intake.MaxFileBytes >> 20,
	}
	if le := p.meta.Tips.LawEnforcement; le != nil {
		v.LawEnforcement = yesNo(*le)
	}
	var err error
	if v.Emergency, err = p.emergency(r); err != nil {
		return v, err
	}
	return v, nil
}

// choices builds the radio groups of the form, with the answers given.
func (p *Pages) choices(l *i18n.Localizer, t intake.Tip) ([]radioGroup, error) {
	danger := ""
	if t.Danger != nil {
		danger = yesNo(*t.Danger)
	}
	specs := []struct {
		name, key, given string
		values           []string
	}{
		{intake.FieldDanger, "report.danger", danger, []string{"yes", "no"}},
		{intake.FieldMinors, "report.minors", t.MinorsInvolved, intake.Minors},
		{intake.FieldKind, "report.kind", t.Kind, intake.Kinds},
	}
	var out []radioGroup
	for _, s := range specs {
		legend, err := l.T(s.key + ".legend")
		if err != nil {
			return nil, err
		}
		g := radioGroup{Name: s.name, Legend: legend}
		for _, v := range s.values {
			label, err := l.T(s.key + "." + v)
			if err != nil {
				return nil, err
			}
			g.Options = append(g.Options, radioOption{ID: s.name + "-" + v, Name: s.name, Value: v, Label: label, Checked: v == s.given})
		}
		out = append(out, g)
	}
	return out, nil
}

// reportPage answers GET /{lang}/report: the form, with a fresh token.
func (p *Pages) reportPage(w http.ResponseWriter, r *http.Request) {
	loc := p.locale(r)
	if p.desk == nil {
		p.notFound(w, r, loc)
		return
	}
	v, err := p.reportBase(r, loc)
	if err == nil {
		v.Choices, err = p.choices(p.cat.Localizer(loc), intake.Tip{})
	}
	status := http.StatusOK
	if err == nil && v.Open {
		if p.guard.AllowToken(p.guard.Source(r)) {
			v.Token, err = p.guard.Token()
		} else {
			v.Errors = []formError{{Text: p.msg(p.cat.Localizer(loc), "report.error.busy")}}
			status = http.StatusTooManyRequests
		}
	}
	if err != nil {
		p.fail(w, r, loc, err)
		return
	}
	p.renderNoStore(w, r, loc, pageReport, status, v)
}

func (p *Pages) renderNoStore(w http.ResponseWriter, r *http.Request, loc, page string, status int, v any) {
	pg, err := p.renderFresh(r, loc, page, v)
	if err != nil {
		p.fail(w, r, loc, err)
		return
	}
	p.writeWith(w, r, status, loc, pg, cacheNoStore)
}

// reportPost answers POST /{lang}/report: the tip is checked, sealed and
// stored, and the receipt shown; or the form comes back with the text
// given and what to fix.
func (p *Pages) reportPost(w http.ResponseWriter, r *http.Request) {
	loc := p.locale(r)
	if p.desk == nil {
		p.notFound(w, r, loc)
		return
	}
	v, err := p.reportBase(r, loc)
	if err != nil {
		p.fail(w, r, loc, err)
		return
	}
	f := &reportReply{p: p, w: w, r: r, loc: loc, l: p.cat.Localizer(loc), v: v, source: p.guard.Source(r)}
	if !p.guard.AllowSubmit(f.source) {
		f.again(http.StatusTooManyRequests, intake.Submission{}, false, formError{Text: f.msg("report.error.busy")})
		return
	}
	release, err := p.guard.BeginUpload(w, r)
	switch {
	case errors.Is(err, tiphttp.ErrUploadBusy):
		f.again(http.StatusTooManyRequests, intake.Submission{}, false, formError{Text: f.msg("report.error.busy")})
		return
	case errors.Is(err, tiphttp.ErrBodyCut):
		f.again(http.StatusBadRequest, intake.Submission{}, false, formError{Text: f.msg("report.error.failed")})
		return
	case err != nil:
		return // the visitor went away while waiting
	}
	defer release()
	sub, err := tiphttp.ReadMultipart(r)
	if err != nil {
		f.again(http.StatusBadRequest, sub, false, p.fieldError(f.l, err))
		return
	}
	if fe := sub.Tip.Validate(); fe != nil {
		f.again(http.StatusBadRequest, sub, false, p.fieldError(f.l, fe))
		return
	}
	if fe := sub.Tip.StripFiles(); fe != nil {
		f.again(http.StatusBadRequest, sub, false, p.fieldError(f.l, fe))
		return
	}
	// No room to store the tip: asked before the token is used up, so
	// that the same form can be sent again later.
	if err := p.desk.RoomFor(r.Context(), &sub.Tip); err != nil {
		status, msg := p.submitFailed(w, r, f.l, err)
		f.again(status, sub, false, msg)
		return
	}
	if err := p.guard.Redeem(r.Context(), sub.Token, sub.Pow); err != nil {
		f.redeemFailed(sub, err)
		return
	}
	receipt, err := p.desk.Submit(r.Context(), sub.Tip)
	if err != nil {
		var fe *intake.FieldError
		if errors.As(err, &fe) {
			f.again(http.StatusBadRequest, sub, true, p.fieldError(f.l, fe))
			return
		}
		status, msg := p.submitFailed(w, r, f.l, err)
		f.again(status, sub, true, msg)
		return
	}
	f.v.Receipt = receipt.String()
	f.v.ReceiptGroups = strings.Fields(f.v.Receipt)
	f.v.AnswerDays = p.meta.Tips.AnswerWithinDays
	f.v.KeptDays = int(math.Ceil(p.desk.Retention().Hours() / 24))
	f.v.DangerFirst = sub.Tip.Danger != nil && *sub.Tip.Danger
	f.v.base = p.base(loc, "report", "/report")
	p.renderNoStore(w, r, loc, pageReport, http.StatusCreated, f.v)
}

// reportReply is the answer to one post of the report form.
type reportReply struct {
	p      *Pages
	w      http.ResponseWriter
	r      *http.Request
	loc    string
	l      *i18n.Localizer
	v      reportView
	source string // the address the limits go by; never kept
}

func (f *reportReply) msg(key string, args ...any) string { return f.p.msg(f.l, key, args...) }

// again shows the form once more, with the text given and msgs. It keeps
// the visitor's token unless newToken (the token was used up or is no
// good) or there was none; a new one counts against the token limit like
// the form's own, or each refused post would hand out one more. Past the
// limit the form comes back without a token, and says to wait.
func (f *reportReply) again(status int, sub intake.Submission, newToken bool, msgs ...formError) {
	p, v := f.p, &f.v
	v.Values = reportValues{
		WhatHappened: sub.Tip.WhatHappened, Where: sub.Tip.Where, When: sub.Tip.When,
		ReplyContact: sub.Tip.ReplyContact, Reply: sub.Reply,
	}
	if sub.Tip.PeopleCount != nil {
		v.Values.People = strconv.Itoa(*sub.Tip.PeopleCount)
	}
	v.Token = sub.Token
	if newToken || v.Token == "" {
		v.Token = ""
		if !p.guard.AllowToken(f.source) {
			if status < http.StatusInternalServerError {
				status = http.StatusTooManyRequests
			}
			msgs = append(msgs, formError{Text: f.msg("report.error.token_wait")})
		} else {
			var err error
			if v.Token, err = p.guard.Token(); err != nil {
				p.fail(f.w, f.r, f.loc, err)
				return
			}
		}
	}
	var err error
	if v.Choices, err = p.choices(f.l, sub.Tip); err != nil {
		p.fail(f.w, f.r, f.loc, err)
		return
	}
	if len(sub.Tip.Files) > 0 {
		msgs = append(msgs, formError{Field: "attachments", Text: f.msg("report.error.files_again")})
	}
	v.Errors = msgs
	p.renderNoStore(f.w, f.r, f.loc, pageReport, status, *v)
}

// redeemFailed answers a form whose token could not be used up: too soon
// (wait), the store failing (the server's fault; the token stays good), or
// a token that is used, expired or forged (a new one).
func (f *reportReply) redeemFailed(sub intake.Submission, err error) {
	var tooNew abuse.TooNewError
	switch {
	case errors.As(err, &tooNew):
		secs := int(math.Ceil(tooNew.Wait.Seconds()))
		f.again(http.StatusBadRequest, sub, false, formError{Field: "what_happened", Text: f.p.msgN(f.l, "report.error.wait", secs)})
	case errors.Is(err, abuse.ErrTokenUsed):
		// The same form sent twice (a double tap, a reload): the report
		// went once; say so rather than "open for a long time".
		f.again(http.StatusBadRequest, sub, true, formError{Field: "what_happened", Text: f.msg("report.error.already_sent")})
	case errors.Is(err, abuse.ErrTokenStore):
		// The server's failure: counted, never logged on its own (a tip
		// route), and the token is not used up.
		f.p.desk.Failed(fmt.Errorf("web: use up a form token: %w", err))
		f.again(http.StatusServiceUnavailable, sub, false, formError{Text: f.msg("report.error.failed")})
	default:
		f.again(http.StatusBadRequest, sub, true, formError{Field: "what_happened", Text: f.msg("report.error.expired")})
	}
}

// submitFailed is the answer to a tip the desk did not store: 503, and
// for want of room (intake.FullError) a Retry-After and a message saying
// so. Only failures of the server are logged: a refusal for want of room
// is not, or a full desk would log one line per tip, with its time.
func (p *Pages) submitFailed(w http.ResponseWriter, r *http.Request, l *i18n.Localizer, err error) (int, formError) {
	var full *intake.FullError
	switch {
	case errors.As(err, &full):
		w.Header().Set("Retry-After", retryAfter(full.RetryAfter))
		return http.StatusServiceUnavailable, formError{Text: p.msg(l, "report.error.full")}
	case !errors.Is(err, intake.ErrClosed):
		p.desk.Failed(fmt.Errorf("web: store a tip: %w", err)) // counted, never logged on its own
	}
	return http.StatusServiceUnavailable, formError{Text: p.msg(l, "report.error.failed")}
}

// retryAfter is a Retry-After header's value for d: whole seconds, at
// least one.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
}

// msg renders a catalog message; a missing one is a build defect caught
// by codeKeys, so an error here only logs.
func (p *Pages) msg(l *i18n.Localizer, key string, args ...any) string {
	s, err := l.T(key, args...)
	if err != nil {
		p.log.Error("web: message", "key", key, "err", err)
	}
	return s
}

func (p *Pages) msgN(l *i18n.Localizer, key string, n int, args ...any) string {
	s, err := l.N(key, n, args...)
	if err != nil {
		p.log.Error("web: message", "key", key, "err", err)
	}
	return s
}

// fieldLabels are the catalog keys naming each field in messages.
var fieldLabels = map[string]string{
	intake.FieldWhat: "report.what.label", intake.FieldWhere: "report.where.label", intake.FieldWhen: "report.when.label",
	intake.FieldReply: "report.reply.contact_label", intake.FieldPeople: "report.people.label",
	intake.FieldMinors: "report.minors.legend", intake.FieldKind: "report.kind.legend", intake.FieldDanger: "report.danger.legend",
	"reply": "report.reply.legend",
}

// fieldError writes an intake error for the visitor.
func (p *Pages) fieldError(l *i18n.Localizer, err error) formError {
	var fe *intake.FieldError
	if !errors.As(err, &fe) {
		return formError{Text: p.msg(l, "report.error.failed")}
	}
	label := ""
	if k, ok := fieldLabels[fe.Field]; ok {
		label = p.msg(l, k)
	}
	field := fe.Field
	if _, ok := fieldLabels[field]; !ok && field != intake.FieldAttachments {
		field = ""
	}
	switch {
	case fe.Field == intake.FieldWhat && fe.Code == intake.CodeRequired:
		return formError{Field: field, Text: p.msg(l, "report.error.what")}
	case fe.Field == "body":
		return formError{Text: p.msg(l, "report.error.too_big")}
	case fe.Code == intake.CodeTooLong:
		return formError{Field: field, Text: p.msg(l, "report.error.too_long", "Field", label, "Max", fe.Max)}
	case fe.Code == intake.CodeTooLongBytes && label != "":
		// One part of the body, counted in bytes, not characters.
		return formError{Field: field, Text: p.msg(l, "report.error.too_long_bytes", "Field", label, "Size", fe.Max>>10)}
	case fe.Code == intake.CodeTooLongBytes:
		return formError{Text: p.msg(l, "report.error.too_big")}
	case fe.Field == intake.FieldPeople:
		return formError{Field: field, Text: p.msg(l, "report.error.people")}
	case fe.Field == intake.FieldAttachments && fe.Code == intake.CodeTooMany:
		return formError{Field: field, Text: p.msgN(l, "report.error.too_many_files", fe.Max)}
	case fe.Field == intake.FieldAttachments && fe.Code == intake.CodeTooBig:
		return formError{Field: field, Text: p.msg(l, "report.error.file_too_big", "Name", fe.Name, "Size", fe.Max>>20)}
	case fe.Field == intake.FieldAttachments:
		return formError{Field: field, Text: p.msg(l, "report.error.bad_image", "Name", fe.Name)}
	case label != "":
		return formError{Field: field, Text: p.msg(l, "report.error.choice", "Field", label)}
	}
	return formError{Text: p.msg(l, "report.error.failed")}
}

// statusPage answers GET /{lang}/report/status: the receipt form.
func (p *Pages) statusPage(w http.ResponseWriter, r *http.Request) {
	loc := p.locale(r)
	if p.desk == nil {
		p.notFound(w, r, loc)
		return
	}
	p.renderNoStore(w, r, loc, pageStatus, http.StatusOK, statusView{base: p.base(loc, "status", "/report/status")})
}

// statusPost answers POST /{lang}/report/status: the conversation for the
// receipt in the body, after adding the message in the body if any. The
// receipt never goes in an address.
func (p *Pages) statusPost(w http.ResponseWriter, r *http.Request) {
	loc := p.locale(r)
	if p.desk == nil {
		p.notFound(w, r, loc)
		return
	}
	l := p.cat.Localizer(loc)
	v := statusView{base: p.base(loc, "status", "/report/status")}
	// Known receipt or not, the page leaves after the same least time.
	w, finish := tiphttp.Floored(w, time.Now())
	defer finish()
	if !p.guard.AllowLookup(p.guard.Source(r)) {
		v.Errors = []formError{{Text: p.msg(l, "report.error.busy")}}
		p.renderNoStore(w, r, loc, pageStatus, http.StatusTooManyRequests, v)
		return
	}
	if err := r.ParseForm(); err != nil {
		v.Errors = []formError{{Text: p.msg(l, "report.status.bad_receipt")}}
		p.renderNoStore(w, r, loc, pageStatus, http.StatusBadRequest, v)
		return
	}
	v.Receipt = r.PostForm.Get("receipt")
	rc, err := seal.ParseReceipt(v.Receipt)
	if err != nil {
		v.Errors = []formError{{Text: p.msg(l, "report.status.bad_receipt")}}
		p.renderNoStore(w, r, loc, pageStatus, http.StatusBadRequest, v)
		return
	}
	v.Receipt = rc.String()
	status := http.StatusOK
	if msg := r.PostForm.Get("message"); r.PostForm.Has("message") {
		// A message counts against the same limit as a tip, as in the API.
		if !p.guard.AllowSubmit(p.guard.Source(r)) {
			v.Errors = []formError{{Text: p.msg(l, "report.error.busy")}}
			p.renderNoStore(w, r, loc, pageStatus, http.StatusTooManyRequests, v)
			return
		}
		err := p.desk.AddTipsterMessage(r.Context(), rc, msg)
		var fe *intake.FieldError
		var full *intake.FullError
		switch {
		case errors.As(err, &fe):
			v.Errors = []formError{{Text: p.msg(l, "report.status.empty")}}
			status = http.StatusBadRequest
		case errors.As(err, &full):
			// Not logged, like a tip refused for want of room.
			v.Errors = []formError{{Text: p.msg(l, "report.status.full")}}
			v.Draft = msg
			w.Header().Set("Retry-After", retryAfter(full.RetryAfter))
			status = http.StatusServiceUnavailable
		case err != nil && !errors.Is(err, intake.ErrUnknownReceipt):
			p.fail(w, r, loc, err)
			return
		case err == nil:
			v.Added = true
		}
	}
	st, err := p.desk.Status(r.Context(), rc)
	if errors.Is(err, intake.ErrUnknownReceipt) {
		v.Errors = []formError{{Text: p.msg(l, "report.status.unknown")}}
		p.renderNoStore(w, r, loc, pageStatus, http.StatusNotFound, v)
		return
	}
	if err != nil {
		p.fail(w, r, loc, err)
		return
	}
	v.Found = true
	v.State = p.msg(l, "report.status."+string(st.Status))
	if v.State == "" {
		v.State = string(st.Status)
	}
	for _, m := range st.Messages {
		d, err := date(l, m.Created)
		if err != nil {
			d = m.Created.Format(time.DateOnly)
		}
		v.Messages = append(v.Messages, statusMessageView{Author: m.Author, Date: d, Text: m.Text})
	}
	p.renderNoStore(w, r, loc, pageStatus, status, v)
}

// yesNo is a form's answer for b.
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
