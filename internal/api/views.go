package api

import (
	"time"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/store"
)

// The JSON shapes below embed the directory records, so every stored field
// keeps the name its json tag gives it. The API adds only computed values
// (open_now) and turns absent lists into empty ones, so that clients never
// see null where a list belongs. openapi.json documents each shape.

// serviceView is a directory.Service as served.
type serviceView struct {
	directory.Service
	// Contacts shadows Service.Contacts to add each contact's open_now.
	Contacts []contactView `json:"contacts"`
	// OpenNow is Hours.OpenAt(now): true, false, or null when the hours are
	// unknown.
	OpenNow *bool `json:"open_now"`
	// Locations are where the service is offered, as the public may see
	// them (Location.Public); only GET /services/{slug} sends them.
	Locations []locationView `json:"locations,omitempty"`
}

// locationView is a service at one of its locations, as served: the
// location's public fields, and the contacts and hours of the service
// there (its own, else the location's).
type locationView struct {
	Slug           string                    `json:"slug"`
	Type           string                    `json:"location_type"`
	Confidential   bool                      `json:"confidential"`
	Name           string                    `json:"name,omitempty"`
	AlternateName  string                    `json:"alternate_name,omitempty"`
	Description    string                    `json:"description,omitempty"`
	Transportation string                    `json:"transportation,omitempty"`
	URL            string                    `json:"url,omitempty"`
	Addresses      []directory.Address       `json:"addresses,omitempty"`
	Latitude       *float64                  `json:"latitude,omitempty"`
	Longitude      *float64                  `json:"longitude,omitempty"`
	Accessibility  []directory.Accessibility `json:"accessibility,omitempty"`
	Languages      []string                  `json:"languages,omitempty"`
	Contacts       []contactView             `json:"contacts,omitempty"`
	Hours          *directory.Hours          `json:"hours,omitempty"`
}

// newLocationView serves sl through Location.Public: a confidential
// location never shows its name, street or coordinates.
func newLocationView(sl store.ServiceLocation, now time.Time) locationView {
	l := sl.Location.Public()
	v := locationView{
		Slug: l.Slug, Type: l.Type, Confidential: l.Confidential, Name: l.Name, AlternateName: l.AlternateName,
		Description: l.Description, Transportation: l.Transportation, URL: l.URL, Addresses: l.Addresses,
		Latitude: l.Latitude, Longitude: l.Longitude, Accessibility: l.Accessibility, Languages: l.Languages,
		Hours: l.Hours,
	}
	if sl.At.Description != "" && !l.Confidential {
		v.Description = sl.At.Description
	}
	if sl.At.Hours != nil {
		v.Hours = sl.At.Hours
	}
	var open *bool
	if v.Hours != nil {
		open = v.Hours.OpenAt(now)
	}
	for _, c := range append(append([]directory.Contact(nil), sl.At.Contacts...), l.Contacts...) {
		c.Source.Lines = orEmptyInts(c.Source.Lines)
		co := open
		if c.Hours != nil {
			co = c.Hours.OpenAt(now)
		}
		v.Contacts = append(v.Contacts, contactView{Contact: c, OpenNow: co})
	}
	return v
}

func orEmptyInts(s []int) []int {
	if s == nil {
		return []int{}
	}
	return s
}

// contactView is a directory.Contact as served.
type contactView struct {
	directory.Contact
	// OpenNow is computed from the contact's own hours when it has them,
	// otherwise from its service's.
	OpenNow *bool `json:"open_now"`
}

func newServiceView(s directory.Service, now time.Time) serviceView {
	s = s.ForJSON()
	v := serviceView{Service: s, Contacts: make([]contactView, len(s.Contacts)), OpenNow: s.Hours.OpenAt(now)}
	for i, c := range s.Contacts {
		open := v.OpenNow
		if c.Hours != nil {
			open = c.Hours.OpenAt(now)
		}
		v.Contacts[i] = contactView{Contact: c, OpenNow: open}
	}
	v.Service.Contacts = nil // shadowed by v.Contacts
	return v
}

// serviceSummary names one of an organization's services.
type serviceSummary struct {
	Slug                 string `json:"slug"`
	Name                 string `json:"name"`
	Kind                 string `json:"kind"`
	LawEnforcement       *bool  `json:"law_enforcement"`
	ImmigrationAuthority *bool  `json:"immigration_authority"`
}

func newOrganizationView(o directory.Organization) directory.Organization {
	return o.ForJSON()
}

// organizationDetail is an organization with summaries of its services, in
// pack order.
type organizationDetail struct {
	directory.Organization
	Services []serviceSummary `json:"services"`
}

type servicePage struct {
	Items  []serviceView `json:"items"`
	Total  int           `json:"total"`
	Limit  int           `json:"limit"`
	Offset int           `json:"offset"`
}

type organizationPage struct {
	Items  []directory.Organization `json:"items"`
	Total  int                      `json:"total"`
	Limit  int                      `json:"limit"`
	Offset int                      `json:"offset"`
}
