package directory

import (
	"fmt"
	"strings"
	"time"
)

// Hours kinds.
const (
	HoursAlways  = "24/7"
	HoursWeekly  = "weekly"
	HoursUnknown = "unknown"
)

// Hours says when a service answers. Kind is "24/7", "weekly" or "unknown".
// A weekly schedule has an IANA time zone and one or more windows. "Open now"
// is always computed from these, never stored.
//
// Hours hold an HSDS 3.0 schedule: a WEEKLY rule's BYDAY, opens_at and
// closes_at are a window, its valid_from and valid_to are ValidFrom and
// ValidTo, its description is Description, and what a window cannot say
// (a MONTHLY rule, "by appointment") is kept in words in Description with
// Kind unknown, so Haven never claims to know when such a service is open.
type Hours struct {
	Kind     string   `yaml:"kind" json:"kind"`
	TimeZone string   `yaml:"time_zone,omitempty" json:"time_zone,omitempty"`
	Windows  []Window `yaml:"windows,omitempty" json:"windows,omitempty"`
	// Display is the hours as the source writes them ("7:00am to 8:00pm (EST)").
	Display string   `yaml:"display,omitempty" json:"display,omitempty"`
	Notes   []string `yaml:"notes,omitempty" json:"notes,omitempty"`
	// ValidFrom and ValidTo, when set, are the first and last days
	// (YYYY-MM-DD, in the hours' time zone, or UTC when they have none) on
	// which the hours hold; outside them "open now" is unknown.
	ValidFrom string `yaml:"valid_from,omitempty" json:"valid_from,omitempty"`
	ValidTo   string `yaml:"valid_to,omitempty" json:"valid_to,omitempty"`
	// Description says in words what the windows cannot ("by
	// appointment", "first Monday of the month").
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// Holidays says what happens on public holidays ("closed on federal
	// holidays"). "Open now" does not know holidays and ignores it.
	Holidays string `yaml:"holidays,omitempty" json:"holidays,omitempty"`
}

// Window is a daily opening window. Days are three-letter English day names
// ("mon".."sun"); when the source names no days, Days is empty (the pack
// notes the gap). Opens and Closes are "HH:MM"
// in 24-hour time; Closes "24:00" means midnight at the end of the day.
// Inside a window with no days, "open now" is unknown (nil).
type Window struct {
	Days   []string `yaml:"days,omitempty" json:"days,omitempty"`
	Opens  string   `yaml:"opens" json:"opens"`
	Closes string   `yaml:"closes" json:"closes"`
}

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// ParseClock parses "HH:MM" (00:00 to 24:00) into minutes after midnight.
func ParseClock(s string) (int, error) {
	if len(s) != 5 || s[2] != ':' || !isDigit(s[0]) || !isDigit(s[1]) || !isDigit(s[3]) || !isDigit(s[4]) {
		return 0, fmt.Errorf("time %q: want HH:MM", s)
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("time %q: out of range", s)
	}
	return h*60 + m, nil
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// Validate reports the first problem with the hours, or nil.
func (h Hours) Validate() error {
	from, to, err := h.validity()
	if err != nil {
		return err
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return fmt.Errorf("valid_to %s is before valid_from %s", h.ValidTo, h.ValidFrom)
	}
	if h.TimeZone != "" {
		if _, err := time.LoadLocation(h.TimeZone); err != nil {
			return fmt.Errorf("time_zone %q is not an IANA time zone", h.TimeZone)
		}
	}
	switch h.Kind {
	case HoursAlways, HoursUnknown:
		if len(h.Windows) > 0 {
			return fmt.Errorf("hours of kind %q take no windows", h.Kind)
		}
		return nil
	case HoursWeekly:
	default:
		return fmt.Errorf("hours kind %q: want %q, %q or %q", h.Kind, HoursAlways, HoursWeekly, HoursUnknown)
	}
	if h.TimeZone == "" {
		return fmt.Errorf("weekly hours need a time_zone")
	}
	if _, err := time.LoadLocation(h.TimeZone); err != nil {
		return fmt.Errorf("time_zone %q is not an IANA time zone", h.TimeZone)
	}
	if len(h.Windows) == 0 {
		return fmt.Errorf("weekly hours need at least one window")
	}
	for _, w := range h.Windows {
		for _, d := range w.Days {
			if _, ok := dayNames[d]; !ok {
				return fmt.Errorf("day %q: want one of mon, tue, wed, thu, fri, sat, sun", d)
			}
		}
		o, err := ParseClock(w.Opens)
		if err != nil {
			return fmt.Errorf("opens: %w", err)
		}
		c, err := ParseClock(w.Closes)
		if err != nil {
			return fmt.Errorf("closes: %w", err)
		}
		if c <= o {
			return fmt.Errorf("window %s-%s closes before it opens", w.Opens, w.Closes)
		}
	}
	return nil
}

// OpenAt reports whether the service answers at t, in the service's own time
// zone. It returns nil when the hours are unknown (or invalid), and inside
// a window whose days the source does not name: outside every window the
// service is closed whatever its days, but inside one Haven cannot say
// whether today is one of them. Haven never guesses.
//
// Outside the days from ValidFrom to ValidTo the hours do not hold, and
// OpenAt returns nil.
func (h Hours) OpenAt(t time.Time) *bool {
	if h.Kind != HoursWeekly && h.TimeZone == "" {
		return h.OpenIn(t, time.UTC) // 24/7 or unknown: no zone needed
	}
	loc, err := time.LoadLocation(h.TimeZone)
	if err != nil {
		return nil
	}
	return h.OpenIn(t, loc)
}

// OpenIn is OpenAt with the time zone already loaded (time.LoadLocation
// reads the zone file on every call): loc must be h.TimeZone's location
// (UTC when it has none).
func (h Hours) OpenIn(t time.Time, loc *time.Location) *bool {
	yes, no := true, false
	if (h.ValidFrom != "" || h.ValidTo != "") && !h.validOn(t.In(loc)) {
		return nil
	}
	switch h.Kind {
	case HoursAlways:
		return &yes
	case HoursWeekly:
	default:
		return nil
	}
	local := t.In(loc)
	minute := local.Hour()*60 + local.Minute()
	unsure := false
	for _, w := range h.Windows {
		o, err1 := ParseClock(w.Opens)
		c, err2 := ParseClock(w.Closes)
		if err1 != nil || err2 != nil {
			return nil
		}
		if minute < o || minute >= c {
			continue
		}
		if len(w.Days) == 0 {
			unsure = true
			continue
		}
		if w.onDay(local.Weekday()) {
			return &yes
		}
	}
	if unsure {
		return nil
	}
	return &no
}

// validity parses ValidFrom and ValidTo; a zero time is a bound not set.
func (h Hours) validity() (from, to time.Time, err error) {
	if h.ValidFrom != "" {
		if from, err = time.Parse(time.DateOnly, h.ValidFrom); err != nil {
			return from, to, fmt.Errorf("valid_from %q: want a date such as 2026-11-25", h.ValidFrom)
		}
	}
	if h.ValidTo != "" {
		if to, err = time.Parse(time.DateOnly, h.ValidTo); err != nil {
			return from, to, fmt.Errorf("valid_to %q: want a date such as 2026-11-25", h.ValidTo)
		}
	}
	return from, to, nil
}

// validOn reports whether local's calendar day is inside the hours'
// validity; invalid bounds are not, so "open now" is unknown.
func (h Hours) validOn(local time.Time) bool {
	from, to, err := h.validity()
	if err != nil {
		return false
	}
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	return (from.IsZero() || !day.Before(from)) && (to.IsZero() || !day.After(to))
}

func (w Window) onDay(d time.Weekday) bool {
	for _, name := range w.Days {
		if dayNames[strings.ToLower(name)] == d {
			return true
		}
	}
	return false
}
