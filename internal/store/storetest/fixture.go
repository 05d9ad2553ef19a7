package storetest

import (
	"fmt"

	"github.com/haven-project/haven/internal/directory"
)

// Fixture returns a new copy of the suite's directory: four organizations
// and five services that between them set every field of the record model,
// including a contact with its own hours, AnonymousOK true, false and nil,
// text outside ASCII, and text holding "%" and "_". Empty lists are nil,
// as a store gives them back. Each call returns fresh values, so callers
// may change them.
//
// Services in pack order:
//
//	national-hotline  polaris  hotline           topics labor, sex, youth  not law enforcement
//	ice-tip-line      dhs      tip_line          topics labor, sex         law enforcement
//	online-form       dhs      online_reporting  topics labor              law enforcement
//	bare-service      bare     resource          no topics                 not law enforcement
//	ecoute            ecoute   hotline           topics sex                not law enforcement
func Fixture() *directory.Directory {
	yes, no := true, false
	return &directory.Directory{
		Organizations: []directory.Organization{
			{
				Slug:          "polaris",
				Name:          "Polaris Project",
				AlternateName: "Polaris",
				Description:   "A non-profit that runs the national hotline.",
				Website:       "https://polarisproject.org",
				WebsiteText:   "polarisproject.org",
				Social: []directory.Social{
					{Network: "x", Handle: "@Polaris_Project", URL: "https://x.com/Polaris_Project"},
					{Network: "facebook", Handle: "polarisproject", URL: "https://facebook.com/polarisproject"},
				},
				Notes:  []string{"Operates under a federal grant.", "Second note, kept in order."},
				Source: directory.Source{Document: "us-directory.pdf", Lines: []int{3, 20}, Verified: "2025-05-01"},
			},
			{
				Slug:          "dhs",
				Name:          "U.S. Department of Homeland Security",
				AlternateName: "DHS",
				Website:       "https://www.dhs.gov",
				Social:        []directory.Social{{Network: "x", Handle: "@DHSgov", URL: "https://x.com/DHSgov"}},
				Source:        directory.Source{Document: "us-directory.pdf", Lines: []int{41}, Verified: "2025-05-02"},
			},
			{
				Slug: "bare",
				Name: "Bare Minimum Org",
			},
			{
				Slug:        "ecoute",
				Name:        "Écoute Solidarité",
				Description: "Organisme québécois.",
				Notes:       []string{"Répond en français."},
				Source:      directory.Source{Document: "qc.pdf", Lines: []int{7, 8, 9}, Verified: "2025-04-30"},
			},
		},
		Services: []directory.Service{
			{
				Slug:                 "national-hotline",
				Organization:         "polaris",
				Name:                 "National Human Trafficking Hotline",
				AlternateName:        "NHTH",
				Description:          "Confidential help for survivors, any hour.",
				Kind:                 directory.KindHotline,
				LawEnforcement:       &no,
				ImmigrationAuthority: &no,
				Topics:               []string{"labor", "sex", "youth"},
				Areas:                []directory.Area{{Scope: directory.AreaNational}},
				AnonymousOK:          &yes,
				Multilingual:         true,
				Languages:            []string{"en", "es"},
				Hours: directory.Hours{
					Kind:    directory.HoursAlways,
					Display: "24 hours a day, 7 days a week",
					Notes:   []string{"Holidays included."},
				},
				Contacts: []directory.Contact{
					{
						Channel: directory.ChannelCall, Display: "1-888-373-7888", Value: "+18883737888",
						Scope: directory.ScopeDomestic, Purpose: "report",
						Source: directory.Source{Document: "us-directory.pdf", Lines: []int{4}, Verified: "2025-05-01"},
					},
					{
						Channel: directory.ChannelText, Display: "233733", DisplayAlt: "BeFree", Value: "233733",
						Keywords: []string{"HELP", "INFO"}, Scope: directory.ScopeDomestic, Purpose: "help",
						Hours: &directory.Hours{
							Kind:     directory.HoursWeekly,
							TimeZone: "America/New_York",
							Windows: []directory.Window{
								{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Opens: "09:00", Closes: "17:00"},
								{Opens: "10:00", Closes: "14:00"},
								{Days: []string{"sat"}, Opens: "12:00", Closes: "24:00"},
							},
							Display: "Weekdays 9am to 5pm (ET); every day 10am to 2pm",
							Notes:   []string{"The source names no days for the second window."},
						},
						Source: directory.Source{Document: "us-directory.pdf", Lines: []int{5, 6}, Verified: "2025-05-01"},
					},
					{
						Channel: directory.ChannelEmail, Display: "help@example.org", Value: "help@example.org",
						Scope: directory.ScopeInternational,
					},
				},
				Notes:  []string{"Interpreters in 200 languages.", "Run by Polaris."},
				Source: directory.Source{Document: "us-directory.pdf", Lines: []int{3, 4, 5, 6}, Verified: "2025-05-01"},
			},
			{
				Slug:                 "ice-tip-line",
				Organization:         "dhs",
				Name:                 "ICE Tip Line",
				AlternateName:        "HSI Tip Line",
				Description:          "Report crimes to federal law enforcement; 100% of tips are reviewed.",
				Kind:                 directory.KindTipLine,
				LawEnforcement:       &yes,
				ImmigrationAuthority: &yes,
				Topics:               []string{"labor", "sex"},
				Areas:                []directory.Area{{Scope: directory.AreaNational}, {Scope: directory.AreaInternational}},
				AnonymousOK:          &no,
				Hours: directory.Hours{
					Kind:     directory.HoursWeekly,
					TimeZone: "America/Chicago",
					Windows:  []directory.Window{{Days: []string{"mon", "fri"}, Opens: "07:00", Closes: "20:00"}},
					Display:  "7:00am to 8:00pm (CT)",
				},
				Contacts: []directory.Contact{
					{
						Channel: directory.ChannelCall, Display: "1-866-DHS-2-ICE", DisplayAlt: "1-866-347-2423",
						Value: "+18663472423", Scope: directory.ScopeDomestic,
						Source: directory.Source{Document: "us-directory.pdf", Lines: []int{42}, Verified: "2025-05-02"},
					},
					{
						Channel: directory.ChannelCall, Display: "+1-802-872-6199", Value: "+18028726199",
						Scope: directory.ScopeInternational, Purpose: "from abroad",
						Hours:  &directory.Hours{Kind: directory.HoursAlways},
						Source: directory.Source{Document: "us-directory.pdf", Lines: []int{43}, Verified: "2025-05-02"},
					},
				},
				Source: directory.Source{Document: "us-directory.pdf", Lines: []int{41, 42, 43}, Verified: "2025-05-02"},
			},
			{
				Slug:           "online-form",
				Organization:   "dhs",
				Name:           "Online Tip Form",
				Description:    "A web form for tips.",
				Kind:           directory.KindOnlineReporting,
				LawEnforcement: &yes,
				Topics:         []string{"labor"},
				Hours:          directory.Hours{Kind: directory.HoursUnknown},
				Contacts: []directory.Contact{
					{Channel: directory.ChannelOnline, Display: "ice.gov/tips", Value: "https://www.ice.gov/webform/hsi-tip-form"},
				},
				Source: directory.Source{Document: "us-directory.pdf", Lines: []int{44}, Verified: "2025-05-02"},
			},
			{
				Slug:         "bare-service",
				Organization: "bare",
				Name:         "Bare Service",
				Kind:         directory.KindResource,
			},
			{
				Slug:           "ecoute",
				Organization:   "ecoute",
				Name:           "Ligne d'écoute",
				Description:    "Écoute confidentielle, en français.",
				Kind:           directory.KindHotline,
				LawEnforcement: &no,
				Topics:         []string{"sex"},
				Areas:          []directory.Area{{Scope: directory.AreaRegion, Name: "Québec"}},
				AnonymousOK:    &yes,
				Languages:      []string{"fr"},
				Hours:          directory.Hours{Kind: directory.HoursAlways},
				Contacts: []directory.Contact{
					{
						Channel: directory.ChannelWebsite, Display: "ecoute.example", Value: "https://ecoute.example",
						Source: directory.Source{Document: "qc.pdf", Lines: []int{8}, Verified: "2025-04-30"},
					},
					{
						Channel: directory.ChannelSocial, Display: "@ecoute", Value: "https://x.com/ecoute",
					},
				},
				Source: directory.Source{Document: "qc.pdf", Lines: []int{7}, Verified: "2025-04-30"},
			},
		},
	}
}

// Synthetic returns a directory of n services, ten to an organization,
// each with two contacts, weekly hours and a few topics: a size closer to a
// real pack, for paging past store.MaxLimit and for benchmarks.
func Synthetic(n int) *directory.Directory {
	d := &directory.Directory{}
	yes, no := true, false
	topics := []string{"labor", "sex", "youth", "online"}
	for i := 0; i < n; i++ {
		org := fmt.Sprintf("org-%04d", i/10)
		if i%10 == 0 {
			d.Organizations = append(d.Organizations, directory.Organization{
				Slug:   org,
				Name:   fmt.Sprintf("Organization %d", i/10),
				Notes:  []string{"Synthetic."},
				Source: directory.Source{Document: "synthetic", Lines: []int{i}, Verified: "2025-01-01"},
			})
		}
		d.Services = append(d.Services, directory.Service{
			Slug:           fmt.Sprintf("service-%04d", i),
			Organization:   org,
			Name:           fmt.Sprintf("Service %d", i),
			Description:    fmt.Sprintf("Synthetic service number %d.", i),
			Kind:           directory.Kinds[i%len(directory.Kinds)],
			LawEnforcement: map[bool]*bool{true: &yes, false: &no}[i%3 == 0],
			Topics:         []string{topics[i%4], topics[(i+1)%4]},
			Areas:          []directory.Area{{Scope: directory.AreaNational}},
			AnonymousOK:    &yes,
			Languages:      []string{"en"},
			Hours: directory.Hours{
				Kind:     directory.HoursWeekly,
				TimeZone: "America/New_York",
				Windows:  []directory.Window{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Opens: "09:00", Closes: "17:00"}},
			},
			Contacts: []directory.Contact{
				{Channel: directory.ChannelCall, Display: "1-800-555-0100", Value: "+18005550100", Scope: directory.ScopeDomestic},
				{Channel: directory.ChannelText, Display: "233733", Value: "233733", Keywords: []string{"HELP"},
					Hours: &directory.Hours{Kind: directory.HoursAlways}},
			},
			Source: directory.Source{Document: "synthetic", Lines: []int{i, i + 1}, Verified: "2025-01-01"},
		})
	}
	return d
}
