package storetest

import (
	"fmt"

	"github.com/haven-project/haven/internal/directory"
)

// Fixture returns a new copy of the suite's directory: four organizations,
// five services, three locations, two services at locations, two
// taxonomies and seven terms that between them set every field of the
// record model, including a contact with its own hours, AnonymousOK true,
// false and nil, a confidential location, a term listed before its parent,
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
	lat, lon := 38.9072, -77.0369
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
				Notes: []string{"Operates under a federal grant.", "Second note, kept in order."},
				Email: "info@polarisproject.org",
				Attributes: []directory.Attribute{
					{Term: "oe-legal", LinkType: "provides"},
					{Term: directory.TermSource, Value: "us-directory.pdf#3,20@2025-05-01"},
				},
				Source:     directory.Source{Document: "us-directory.pdf", Lines: []int{3, 20}, Verified: "2025-05-01"},
				ExternalID: "org-polaris",
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
				Areas: []directory.Area{
					{Scope: directory.AreaNational},
					{Scope: directory.AreaPostcode, Postcodes: []string{"10001", "10002"}, Description: "Two ZIP codes of Manhattan"},
				},
				AnonymousOK:  &yes,
				Multilingual: true,
				Languages:    []string{"en", "es"},
				Hours: directory.Hours{
					Kind:    directory.HoursAlways,
					Display: "24 hours a day, 7 days a week",
					Notes:   []string{"Holidays included."},
				},
				Contacts: []directory.Contact{
					{
						Channel: directory.ChannelCall, Display: "1-888-373-7888", Value: "+18883737888",
						Scope: directory.ScopeDomestic, Purpose: "report",
						Extension: "2", PhoneType: directory.PhoneVoice, Languages: []string{"en", "es"},
						Description: "Press 2 for Spanish.",
						Source:      directory.Source{Document: "us-directory.pdf", Lines: []int{4}, Verified: "2025-05-01"},
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
							Display:     "Weekdays 9am to 5pm (ET); every day 10am to 2pm",
							Notes:       []string{"The source names no days for the second window."},
							ValidFrom:   "2025-01-01",
							ValidTo:     "2025-12-31",
							Description: "Texts after 5pm are answered the next morning.",
							Holidays:    "Closed on federal holidays.",
						},
						Source: directory.Source{Document: "us-directory.pdf", Lines: []int{5, 6}, Verified: "2025-05-01"},
					},
					{
						Channel: directory.ChannelEmail, Display: "help@example.org", Value: "help@example.org",
						Scope: directory.ScopeInternational,
					},
				},
				Notes:              []string{"Interpreters in 200 languages.", "Run by Polaris."},
				Status:             directory.StatusActive,
				URL:                "https://humantraffickinghotline.org",
				Email:              "help@humantraffickinghotline.org",
				Eligibility:        "Anyone, of any age, status or language.",
				Fees:               "Free.",
				ApplicationProcess: "Call, text or chat; no appointment.",
				RequiredDocuments:  []string{"None", "An interpreter is found for you"},
				AssuredDate:        "2025-05-03",
				Assurer:            "directory@example.org",
				Attributes: []directory.Attribute{
					{Term: directory.TermLawEnforcement, Value: "false"},
					{Term: "oe-immigration", Value: "", LinkType: "eligibility"},
				},
				Source:     directory.Source{Document: "us-directory.pdf", Lines: []int{3, 4, 5, 6}, Verified: "2025-05-01"},
				ExternalID: "svc-nhth",
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
				Areas: []directory.Area{
					{Scope: directory.AreaRegion, Name: "Québec"},
					{Scope: directory.AreaCity, Name: "Montréal", Postcodes: []string{"H2X"}},
				},
				AnonymousOK: &yes,
				Languages:   []string{"fr"},
				Hours:       directory.Hours{Kind: directory.HoursAlways},
				Status:      directory.StatusTemporarilyClosed,
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
		Locations: []directory.Location{
			{
				Slug: "polaris-office", Type: directory.LocationPhysical, Organization: "polaris",
				Name: "Polaris DC office", AlternateName: "HQ", Description: "Offices; no walk-ins.",
				Transportation: "Metro: Farragut North.",
				Addresses: []directory.Address{
					{Type: directory.AddressPhysical, Attention: "Reception", Address1: "1 Example Street NW", Address2: "Suite 100_%",
						City: "Washington", Region: "Capital", StateProvince: "DC", PostalCode: "20001", Country: "US"},
					{Type: directory.AddressPostal, Address1: "PO Box 65323", City: "Washington", StateProvince: "DC", PostalCode: "20035", Country: "US"},
				},
				Latitude: &lat, Longitude: &lon,
				Accessibility: []directory.Accessibility{
					{Description: "Step-free entrance", Details: "Lift to every floor", URL: "https://example.org/access"},
					{Description: "Hearing loop"},
				},
				Languages: []string{"en", "es"},
				Contacts: []directory.Contact{
					{Channel: directory.ChannelCall, Display: "1-202-555-0100", Value: "+12025550100", Extension: "12",
						PhoneType: directory.PhoneFax, Languages: []string{"en"}, Description: "Fax",
						Hours:  &directory.Hours{Kind: directory.HoursWeekly, TimeZone: "America/New_York", Windows: []directory.Window{{Days: []string{"mon"}, Opens: "09:00", Closes: "12:00"}, {Opens: "13:00", Closes: "14:00"}}},
						Source: directory.Source{Document: "us-directory.pdf", Lines: []int{21}, Verified: "2025-05-01"}},
					{Channel: directory.ChannelEmail, Display: "dc@example.org", Value: "dc@example.org"},
				},
				Hours: &directory.Hours{Kind: directory.HoursWeekly, TimeZone: "America/New_York", ValidFrom: "2025-01-01",
					Windows: []directory.Window{{Days: []string{"mon", "tue"}, Opens: "09:00", Closes: "17:00"}},
					Notes:   []string{"By appointment on Fridays."}, Description: "Fridays by appointment", Holidays: "Closed on federal holidays"},
				Attributes: []directory.Attribute{{Term: "oe-legal", Value: "walk-in: no"}},
				Source:     directory.Source{Document: "us-directory.pdf", Lines: []int{20, 21}, Verified: "2025-05-01"},
				ExternalID: "loc-dc",
			},
			{
				Slug: "safe-house", Type: directory.LocationPhysical, Name: "Maison d'accueil", Confidential: true,
				Addresses: []directory.Address{{Type: directory.AddressPhysical, Address1: "12 rue Secrète", City: "Montréal",
					StateProvince: "QC", PostalCode: "H2X 1Y4", Country: "CA"}},
				Source: directory.Source{Document: "qc.pdf", Lines: []int{9}, Verified: "2025-04-30"},
			},
			{Slug: "online", Type: directory.LocationVirtual, URL: "https://chat.example.org"},
		},
		ServicesAtLocation: []directory.ServiceAtLocation{
			{
				Slug: "hotline-at-office", Service: "national-hotline", Location: "polaris-office",
				Description: "Staff answer calls from here.",
				Contacts:    []directory.Contact{{Channel: directory.ChannelCall, Display: "1-202-555-0101", Value: "+12025550101", PhoneType: directory.PhoneTextphone}},
				Hours:       &directory.Hours{Kind: directory.HoursUnknown, Description: "By appointment"},
				Attributes:  []directory.Attribute{{Term: directory.TermChannel, Value: "call"}},
				ExternalID:  "sal-1",
			},
			{Slug: "ecoute-at-safe-house", Service: "ecoute", Location: "safe-house"},
		},
		Taxonomies: []directory.Taxonomy{
			{
				Slug: "open-eligibility", Name: "Open Eligibility", Description: "A taxonomy of human services.",
				URI: "https://openeligibility.org", Version: "2.0", ExternalID: "tax-oe",
			},
			directory.HavenTaxonomies()[0],
		},
		Terms: append([]directory.TaxonomyTerm{
			// The child first: its parent comes later in the list.
			{
				Slug: "oe-immigration", Taxonomy: "open-eligibility", Code: "1111", Name: "Immigration",
				Description: "Help with immigration.", Parent: "oe-legal", Language: "en",
				URI: "https://openeligibility.org/1111", ExternalID: "term-1111",
			},
			{Slug: "oe-legal", Taxonomy: "open-eligibility", Code: "1110", Name: "Legal"},
		}, directory.HavenTerms()...),
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
