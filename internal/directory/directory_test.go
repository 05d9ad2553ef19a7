package directory

import (
	"testing"
	"time"
)

func TestDialDigits(t *testing.T) {
	for display, want := range map[string]string{
		"1-800-THE-LOST":  "18008435678",
		"1-866-DHS-2-ICE": "18663472423",
		"1-866-4USWAGE":   "18664879243",
		"1-888-373-7888":  "18883737888",
		"911":             "911",
	} {
		if got := DialDigits(display); got != want {
			t.Errorf("DialDigits(%q) = %q, want %q", display, got, want)
		}
	}
}

func TestToE164(t *testing.T) {
	got, err := ToE164("1-800-THE-LOST", "US")
	if err != nil || got != "+18008435678" {
		t.Fatalf("ToE164 = %q, %v", got, err)
	}
	for _, bad := range []string{"1-800-12", "", "abc", "1-000-000-0000"} {
		if v, err := ToE164(bad, "US"); err == nil {
			t.Errorf("ToE164(%q) = %q, want an error", bad, v)
		}
	}
}

func TestIsE164(t *testing.T) {
	for v, want := range map[string]bool{"+18008435678": true, "18008435678": false, "+0123456789": false, "+1800abc5678": false, "+1": false} {
		if IsE164(v) != want {
			t.Errorf("IsE164(%q) = %v", v, !want)
		}
	}
}

func TestOpenAt(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	eeoc := Hours{Kind: HoursWeekly, TimeZone: "America/New_York", Windows: []Window{{Opens: "07:00", Closes: "20:00"}}}
	weekdays := Hours{Kind: HoursWeekly, TimeZone: "America/New_York", Windows: []Window{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Opens: "09:00", Closes: "17:00"}}}
	cases := []struct {
		name string
		h    Hours
		at   time.Time
		want *bool
	}{
		{"24/7", Hours{Kind: HoursAlways}, time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC), ptr(true)},
		{"unknown", Hours{Kind: HoursUnknown}, time.Now(), nil},
		{"empty", Hours{}, time.Now(), nil},
		// The source names no days for the EEOC: inside its hours Haven
		// cannot say whether today is one of them; outside, it is closed.
		{"EEOC opening minute", eeoc, time.Date(2026, 11, 24, 7, 0, 0, 0, ny), nil},
		{"EEOC last minute", eeoc, time.Date(2026, 11, 24, 19, 59, 0, 0, ny), nil},
		{"EEOC on a Sunday", eeoc, time.Date(2026, 11, 29, 10, 0, 0, 0, ny), nil},
		{"EEOC closing minute", eeoc, time.Date(2026, 11, 24, 20, 0, 0, 0, ny), ptr(false)},
		{"EEOC early", eeoc, time.Date(2026, 11, 24, 6, 59, 0, 0, ny), ptr(false)},
		// 11:30 UTC in July is 7:30 EDT: open; in January it is 6:30 EST: closed.
		{"EEOC summer time from UTC", eeoc, time.Date(2026, 7, 14, 11, 30, 0, 0, time.UTC), nil},
		{"EEOC summer 06:59 EDT from UTC", eeoc, time.Date(2026, 7, 14, 10, 59, 0, 0, time.UTC), ptr(false)},
		{"EEOC winter time from UTC", eeoc, time.Date(2026, 1, 13, 11, 30, 0, 0, time.UTC), ptr(false)},
		{"weekday window on Saturday", weekdays, time.Date(2026, 11, 28, 10, 0, 0, 0, ny), ptr(false)},
		{"weekday window on Friday", weekdays, time.Date(2026, 11, 27, 10, 0, 0, 0, ny), ptr(true)},
		{"bad zone", Hours{Kind: HoursWeekly, TimeZone: "Nowhere/City", Windows: eeoc.Windows}, time.Now(), nil},
	}
	for _, tc := range cases {
		got := tc.h.OpenAt(tc.at)
		if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
			t.Errorf("%s: OpenAt = %v, want %v", tc.name, show(got), show(tc.want))
		}
	}
}

func TestHoursValidate(t *testing.T) {
	good := []Hours{
		{Kind: HoursAlways}, {Kind: HoursUnknown},
		{Kind: HoursWeekly, TimeZone: "UTC", Windows: []Window{{Days: []string{"sat"}, Opens: "00:00", Closes: "24:00"}}},
	}
	for _, h := range good {
		if err := h.Validate(); err != nil {
			t.Errorf("%+v: %v", h, err)
		}
	}
	bad := []Hours{
		{}, {Kind: "sometimes"},
		{Kind: HoursAlways, Windows: []Window{{Opens: "01:00", Closes: "02:00"}}},
		{Kind: HoursWeekly, Windows: []Window{{Opens: "01:00", Closes: "02:00"}}},
		{Kind: HoursWeekly, TimeZone: "UTC"},
		{Kind: HoursWeekly, TimeZone: "UTC", Windows: []Window{{Days: []string{"funday"}, Opens: "01:00", Closes: "02:00"}}},
		{Kind: HoursWeekly, TimeZone: "UTC", Windows: []Window{{Opens: "1:00", Closes: "02:00"}}},
		{Kind: HoursWeekly, TimeZone: "UTC", Windows: []Window{{Opens: "24:30", Closes: "02:00"}}},
		{Kind: HoursWeekly, TimeZone: "UTC", Windows: []Window{{Opens: "05:00", Closes: "05:00"}}},
	}
	for _, h := range bad {
		if err := h.Validate(); err == nil {
			t.Errorf("%+v: want an error", h)
		}
	}
}

func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"07:00", "24:00", "24:01", "aa:bb", "", "7:00", "+7:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseClock(s)
		if err == nil && (m < 0 || m > 24*60) {
			t.Fatalf("ParseClock(%q) = %d", s, m)
		}
	})
}

func ptr(b bool) *bool { return &b }

func show(b *bool) string {
	if b == nil {
		return "nil"
	}
	if *b {
		return "true"
	}
	return "false"
}
