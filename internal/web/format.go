package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/i18n"
	"github.com/haven-project/haven/internal/pack"
)

// Formatting for pages: dates, clock times, hours, sources, open now, and
// the pack's translations of record texts.

type windowView struct {
	Days          string // "Every day" or "Mon, Tue"
	Opens, Closes string
}

type hoursView struct {
	Always   bool
	Weekly   bool
	Unknown  bool
	Display  template.HTML
	TimeZone string
	Windows  []windowView
	Notes    []template.HTML
}

// sourceView is a record's source as a page cites it: the document's
// title (its file name only when the pack gives no title), in the pack's
// language and isolated, so a right-to-left page keeps its order; the line
// numbers, left to right.
type sourceView struct {
	Title     template.HTML
	Lines     template.HTML
	LineCount int
	Verified  string
}

func (p *Pages) source(l *i18n.Localizer, s directory.Source) sourceView {
	v := sourceView{Verified: s.Verified, LineCount: len(s.Lines)}
	title := s.Document
	if d, ok := p.sources[s.Document]; ok && d.Title != "" {
		title = d.Title
	}
	v.Title = p.inPackLanguage(l.Locale(), title)
	if t, err := time.Parse(time.DateOnly, s.Verified); err == nil {
		if d, err := date(l, t); err == nil {
			v.Verified = d
		}
	}
	lines := make([]string, len(s.Lines))
	for i, n := range s.Lines {
		lines[i] = strconv.Itoa(n)
	}
	v.Lines = ltr(strings.Join(lines, ", "))
	return v
}

// date writes a day as the locale does (format.date, format.month.mN).
func date(l *i18n.Localizer, t time.Time) (string, error) {
	month, err := l.T("format.month.m" + strconv.Itoa(int(t.Month())))
	if err != nil {
		return "", err
	}
	return l.T("format.date", "Month", month, "Day", strconv.Itoa(t.Day()), "Year", strconv.Itoa(t.Year()))
}

// clock writes a time of day given as "HH:MM" as the locale does: on a
// 12-hour or a 24-hour clock (format.hour_cycle).
func clock(l *i18n.Localizer, hhmm string) (string, error) {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return "", fmt.Errorf("web: time of day %q: %w", hhmm, err)
	}
	cycle, err := l.T("format.hour_cycle")
	if err != nil {
		return "", err
	}
	mm := fmt.Sprintf("%02d", t.Minute())
	if cycle == "24" {
		return l.T("format.time", "H", fmt.Sprintf("%02d", t.Hour()), "MM", mm)
	}
	h := t.Hour() % 12
	if h == 0 {
		h = 12
	}
	key := "format.time_am"
	if t.Hour() >= 12 {
		key = "format.time_pm"
	}
	return l.T(key, "H", strconv.Itoa(h), "MM", mm)
}

// hours is a record's hours in l's locale; key is the record's text key
// ("service.nhth") for the translations of its display and notes.
func (p *Pages) hours(l *i18n.Localizer, key string, h directory.Hours) (hoursView, error) {
	loc := l.Locale()
	v := hoursView{Display: p.trh(loc, key+".hours.display", h.Display), TimeZone: h.TimeZone, Notes: p.trhList(loc, key+".hours.notes", h.Notes)}
	switch h.Kind {
	case directory.HoursAlways:
		v.Always = true
	case directory.HoursWeekly:
		v.Weekly = true
		for _, w := range h.Windows {
			opens, err := clock(l, w.Opens)
			if err != nil {
				return v, err
			}
			closes, err := clock(l, w.Closes)
			if err != nil {
				return v, err
			}
			wv := windowView{Opens: opens, Closes: closes}
			if len(w.Days) == 0 {
				s, err := label(l, "hours.every_day")
				if err != nil {
					return v, err
				}
				wv.Days = s
			} else {
				names := make([]string, len(w.Days))
				for i, d := range w.Days {
					s, err := label(l, "day."+strings.ToLower(d))
					if err != nil {
						return v, err
					}
					names[i] = s
				}
				wv.Days = strings.Join(names, ", ")
			}
			v.Windows = append(v.Windows, wv)
		}
	default:
		v.Unknown = true
	}
	return v, nil
}

// openLabel names whether a service is open: "open", "closed", or "" when
// its hours are unknown.
func openLabel(open *bool) string {
	switch {
	case open == nil:
		return ""
	case *open:
		return "open"
	default:
		return "closed"
	}
}

// tr returns a record's text in locale: the pack's translation of key
// when it was made from exactly english, else english. It is for the
// page's title and attributes; a page's body shows trh.
func (p *Pages) tr(locale, key, english string) string {
	if p.texts == nil || english == "" {
		return english
	}
	t, _ := p.texts.Translation(locale, key, english)
	return t
}

// trh is tr for a page's body: a text not translated yet into locale is
// shown in the pack's language and marked with it (lang="en"), so that a
// screen reader reads it with the right voice and a browser can offer to
// translate it.
func (p *Pages) trh(locale, key, english string) template.HTML {
	if english == "" {
		return ""
	}
	if p.texts != nil {
		if t, ok := p.texts.Translation(locale, key, english); ok {
			return template.HTML(template.HTMLEscapeString(t))
		}
	}
	return p.inPackLanguage(locale, english)
}

// inPackLanguage marks a text written in the pack's language (its records'
// language) on a page of another language; it isolates it too, as its
// direction may differ from the page's.
func (p *Pages) inPackLanguage(locale, s string) template.HTML {
	if locale == p.defaultLocale() {
		return template.HTML(template.HTMLEscapeString(s))
	}
	return template.HTML(`<bdi lang="` + template.HTMLEscapeString(p.defaultLocale()) + `">` + template.HTMLEscapeString(s) + "</bdi>")
}

// trhList is trh for a list of texts keyed prefix.0, prefix.1, ...
func (p *Pages) trhList(locale, prefix string, items []string) []template.HTML {
	if len(items) == 0 {
		return nil
	}
	out := make([]template.HTML, len(items))
	for i, s := range items {
		out[i] = p.trh(locale, prefix+"."+strconv.Itoa(i), s)
	}
	return out
}

// trhRouting translates a message of the routing rules, found by its
// text, for a page's body (see trh).
func (p *Pages) trhRouting(locale, english string) template.HTML {
	if key, ok := p.routing[english]; ok {
		return p.trh(locale, "routing."+key, english)
	}
	return p.inPackLanguage(locale, english)
}

// topicLabel is a topic's label in locale.
func (p *Pages) topicLabel(locale string, t pack.Topic) string {
	return p.tr(locale, "topic."+t.Slug, t.Label)
}
