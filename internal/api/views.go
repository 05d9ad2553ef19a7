package api

import (
	"time"

	"github.com/haven-project/haven/internal/directory"
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
