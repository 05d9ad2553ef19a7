// Package pack loads and checks a jurisdiction pack: a folder of YAML files
// that holds everything specific to a country: its directory of services,
// its routing rules (situation to plan) and its learn content, each
// checked against the source documents the records cite.
//
// Layout of a pack folder:
//
//	pack.yaml           id, country, locale, time zone, sources, topics
//	organizations.yaml  organizations:
//	services.yaml       services: (each may list the slugs of its locations:)
//	locations.yaml      locations: where services are offered (optional)
//	routing.yaml        rules from a situation to a plan (optional)
//	learn.yaml          what the sources say, quoted, for people who want to learn (optional)
//	sources/            the source documents records cite (optional)
//	locales/            translations of the records' texts, locales/es.yaml (optional)
//
// A service's locations: list makes one service at location per location,
// whose slug is the service's, "-at-" and the location's. The directory
// also holds Haven's own taxonomies (directory.HavenTaxonomies): the haven
// terms and one haven-topics term per topic of pack.yaml; records'
// attributes may name those terms.
//
// Load never half-loads: it returns a Pack only when every check passes, and
// otherwise every problem found, each with its file and line.
package pack

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/triage"
)

// File names inside a pack folder.
const (
	MetaFile          = "pack.yaml"
	OrganizationsFile = "organizations.yaml"
	ServicesFile      = "services.yaml"
	LocationsFile     = "locations.yaml"
	RoutingFile       = "routing.yaml"
	LearnFile         = "learn.yaml"
	SourcesDir        = "sources"
)

// maxFileSize bounds each pack file; a pack is hand-written text.
const maxFileSize = 4 << 20

// SourceDoc is a document that records cite.
type SourceDoc struct {
	Document string `yaml:"document" json:"document"`
	Title    string `yaml:"title" json:"title"`
	URL      string `yaml:"url,omitempty" json:"url,omitempty"`
	SHA256   string `yaml:"sha256,omitempty" json:"sha256,omitempty"`
}

// Topic is a subject services are filed under.
type Topic struct {
	Slug  string `yaml:"slug" json:"slug"`
	Label string `yaml:"label" json:"label"`
}

// LearnItem is a passage of a source, quoted word for word (lines of the
// source joined by spaces), with a title of the pack's own.
type LearnItem struct {
	ID     string           `yaml:"id" json:"id"`
	Title  string           `yaml:"title" json:"title"`
	Text   string           `yaml:"text" json:"text"`
	Source directory.Source `yaml:"source" json:"source"`
}

// Home names the services the home page shows, in order: the emergency
// line first, then the hotline recommended as a first step, then others.
type Home struct {
	Emergency string   `yaml:"emergency" json:"emergency"`
	Hotline   string   `yaml:"hotline" json:"hotline"`
	More      []string `yaml:"more,omitempty" json:"more,omitempty"`
}

// Meta is pack.yaml.
type Meta struct {
	ID              string `yaml:"id" json:"id"`
	Name            string `yaml:"name" json:"name"`
	Country         string `yaml:"country" json:"country"`
	DefaultLocale   string `yaml:"default_locale" json:"default_locale"`
	DefaultTimeZone string `yaml:"default_time_zone" json:"default_time_zone"`
	QuickExitURL    string `yaml:"quick_exit_url" json:"quick_exit_url"`
	// SiteName, when set, names the site in the header and the tab title
	// instead of "Haven": an organization may want a neutral name that
	// says nothing about trafficking to whoever sees the screen.
	SiteName   string      `yaml:"site_name,omitempty" json:"site_name,omitempty"`
	Sources    []SourceDoc `yaml:"sources" json:"sources"`
	ShortCodes []string    `yaml:"short_codes,omitempty" json:"short_codes,omitempty"`
	Topics     []Topic     `yaml:"topics" json:"topics"`
	Home       Home        `yaml:"home" json:"home"`
	Tips       Tips        `yaml:"tips" json:"tips"`
}

// Topic returns the topic with the slug, if the pack defines it.
func (m Meta) Topic(slug string) (Topic, bool) {
	for _, t := range m.Topics {
		if t.Slug == slug {
			return t, true
		}
	}
	return Topic{}, false
}

// HasTopic reports whether the pack defines the topic slug.
func (m Meta) HasTopic(slug string) bool {
	_, ok := m.Topic(slug)
	return ok
}

// Pack is a loaded, checked jurisdiction pack.
type Pack struct {
	Meta      Meta
	Directory directory.Directory
	// Routing is routing.yaml; nil when the pack has none.
	Routing *triage.Rules
	// Learn is learn.yaml, in its order; empty when the pack has none.
	Learn []LearnItem
	// Translations of the pack's texts, by locale; empty when the pack
	// has none.
	Translations map[string]*Translation
	// Hash is the hex SHA-256 of every file of the pack, names included.
	Hash string
	// Warnings are what Load found that does not stop the pack from
	// serving: a text not translated yet into a locale (shown in the
	// pack's own language until it is), or a translation made from an
	// English text that has changed since (not used). `haven check`
	// prints them.
	Warnings []Problem

	texts map[string]string // Texts(), for Translated

	routingRoot *yaml.Node // for the lines of routing problems
}

// Unreachable lists routing rules that no situation can reach, with their
// lines. It tries every situation the rules can tell apart, which takes up
// to a few seconds, so `haven check` runs it and serving does not.
func (p *Pack) Unreachable() []Problem {
	if p.Routing == nil {
		return nil
	}
	var out []Problem
	for _, pr := range p.Routing.Unreachable() {
		out = append(out, Problem{File: RoutingFile, Line: lineAt(p.routingRoot, pr.Path...), Msg: pr.Msg})
	}
	return out
}

// Problem is one thing wrong with a pack, at a file and line.
type Problem struct {
	File string
	Line int // 0 when the problem is with the file as a whole
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// Error holds every problem Load found.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return "pack: " + strings.Join(lines, "\n")
}

// Load reads and checks the pack in fsys. On any problem it returns a nil
// Pack and an *Error listing them all.
func Load(fsys fs.FS) (*Pack, error) {
	l := &loader{fsys: fsys}
	p := l.load()
	if len(l.problems) > 0 {
		sortProblems(l.problems)
		return nil, &Error{Problems: l.problems}
	}
	sortProblems(l.warnings)
	p.Warnings = l.warnings
	return p, nil
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
}

// Problems returns the problems of err if it is a pack *Error.
func Problems(err error) []Problem {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Problems
	}
	return nil
}

type loader struct {
	fsys     fs.FS
	problems []Problem
	warnings []Problem
	// Root nodes of the parsed files, for line numbers.
	metaRoot, orgRoot, svcRoot, locRoot, routingRoot, learnRoot *yaml.Node
}

// serviceEntry is a service as services.yaml writes it: the record and the
// slugs of the locations it is offered at.
type serviceEntry struct {
	directory.Service `yaml:",inline"`
	Locations         []string `yaml:"locations,omitempty"`
}

func (l *loader) addf(file string, line int, format string, args ...any) {
	l.problems = append(l.problems, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// warnf records what does not stop the pack from loading.
func (l *loader) warnf(file string, line int, format string, args ...any) {
	l.warnings = append(l.warnings, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// read returns a file's bytes, or nil after recording why it could not.
func (l *loader) read(name string, required bool) []byte {
	f, err := l.fsys.Open(name)
	if err != nil {
		if required || !errors.Is(err, fs.ErrNotExist) {
			l.addf(name, 0, "cannot read: %v", err)
		}
		return nil
	}
	defer f.Close()
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		l.addf(name, 0, "cannot read: %v", err)
		return nil
	}
	if n > maxFileSize {
		l.addf(name, 0, "larger than %d bytes", maxFileSize)
		return nil
	}
	return buf.Bytes()
}

// decode parses YAML strictly (unknown fields are errors) into v and
// returns the document's root node for line look-ups.
func (l *loader) decode(name string, data []byte, v any) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		l.yamlError(name, data, err)
		return nil
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		l.yamlError(name, data, err)
		return nil
	}
	return &root
}

// yamlError records err, from decoding the file name holding data.
func (l *loader) yamlError(name string, data []byte, err error) {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		for _, e := range te.Errors {
			line, msg := splitYAMLLine(e)
			l.addf(name, line, "%s", msg)
		}
		return
	}
	line, msg := splitYAMLLine(err.Error())
	if n := syntaxErrorLine(data); n > 0 {
		line = n
	}
	l.addf(name, line, "%s", msg)
}

// syntaxErrorLine returns the line of the YAML syntax error in data, or 0
// when data parses. The error's own line is not it: yaml.v3 names the
// start of the block the parser was in (its context mark, go-yaml/yaml#542),
// so a mis-indented key deep in a long list is reported on the list's
// first line. The parser reads from the top, so the shortest run of whole
// lines from the top that fails with the same error ends on the line it
// stopped at.
func syntaxErrorLine(data []byte) int {
	want := yaml.Unmarshal(data, new(yaml.Node))
	if want == nil {
		return 0
	}
	// ends[i] is where line i+1 ends, after its newline.
	var ends []int
	for i, b := range data {
		if b == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] < len(data) {
		ends = append(ends, len(data))
	}
	// The whole of data fails with want, so the search ends on a line.
	return 1 + sort.Search(len(ends), func(i int) bool {
		err := yaml.Unmarshal(data[:ends[i]], new(yaml.Node))
		return err != nil && err.Error() == want.Error()
	})
}

// splitYAMLLine turns "yaml: line 12: did not find..." into (12, "did not
// find..."), and the decoder's "field x not found in type directory.Service"
// into words for the people who edit packs.
func splitYAMLLine(s string) (int, string) {
	s = strings.TrimPrefix(s, "yaml: ")
	var line int
	if _, err := fmt.Sscanf(s, "line %d:", &line); err == nil {
		if i := strings.Index(s, ": "); i >= 0 {
			s = strings.TrimSpace(s[i+2:])
		}
	}
	var field string
	if _, err := fmt.Sscanf(s, "field %s not found in type", &field); err == nil {
		s = fmt.Sprintf("unknown field %q (misspelled, or not part of the pack format)", field)
	}
	return line, s
}

func (l *loader) load() *Pack {
	var meta Meta
	var orgs struct {
		Organizations []directory.Organization `yaml:"organizations"`
	}
	var svcs struct {
		Services []serviceEntry `yaml:"services"`
	}
	files := map[string][]byte{}
	for _, f := range []struct {
		name string
		v    any
	}{{MetaFile, &meta}, {OrganizationsFile, &orgs}, {ServicesFile, &svcs}} {
		data := l.read(f.name, true)
		if data == nil {
			continue
		}
		files[f.name] = data
		if root := l.decode(f.name, data, f.v); root != nil {
			switch f.name {
			case MetaFile:
				l.metaRoot = root
			case OrganizationsFile:
				l.orgRoot = root
			case ServicesFile:
				l.svcRoot = root
			}
		}
	}
	var routing *triage.Rules
	if data := l.read(RoutingFile, false); data != nil {
		files[RoutingFile] = data
		routing = &triage.Rules{}
		l.routingRoot = l.decode(RoutingFile, data, routing)
	}
	var learn struct {
		Learn []LearnItem `yaml:"learn"`
	}
	if data := l.read(LearnFile, false); data != nil {
		files[LearnFile] = data
		l.learnRoot = l.decode(LearnFile, data, &learn)
	}
	var locs struct {
		Locations []directory.Location `yaml:"locations"`
	}
	if data := l.read(LocationsFile, false); data != nil {
		files[LocationsFile] = data
		l.locRoot = l.decode(LocationsFile, data, &locs)
	}
	if len(l.problems) > 0 {
		return nil
	}
	docs := l.readSources(meta, files)
	p := &Pack{
		Meta:      meta,
		Directory: directory.Directory{Organizations: orgs.Organizations, Locations: locs.Locations},
		Routing:   routing,
		Learn:     learn.Learn,
	}
	for _, e := range svcs.Services {
		p.Directory.Services = append(p.Directory.Services, e.Service)
		for _, loc := range e.Locations {
			p.Directory.ServicesAtLocation = append(p.Directory.ServicesAtLocation, directory.ServiceAtLocation{
				Slug: ServiceAtLocationSlug(e.Slug, loc), Service: e.Slug, Location: loc,
			})
		}
	}
	p.Directory.Taxonomies, p.Directory.Terms = havenTaxonomies(meta)
	l.check(p, docs, svcs.Services)
	if routing != nil && len(l.problems) == 0 {
		for _, pr := range routing.Check(&p.Directory) {
			l.addf(RoutingFile, l.line(l.routingRoot, pr.Path...), "%s", pr.Msg)
		}
	}
	if len(l.problems) > 0 {
		return nil
	}
	p.Translations = l.loadTranslations(p, files)
	if len(l.problems) > 0 {
		return nil
	}
	p.texts = p.Texts()
	p.Hash = hashFiles(files)
	p.routingRoot = l.routingRoot
	return p
}

// ServiceAtLocationSlug is the slug of the service at location that a
// service's locations: list makes.
func ServiceAtLocationSlug(service, location string) string {
	return service + "-at-" + location
}

// havenTaxonomies returns Haven's taxonomies and their terms: the haven
// terms, then one haven-topics term per topic of the pack, in its order.
func havenTaxonomies(m Meta) ([]directory.Taxonomy, []directory.TaxonomyTerm) {
	terms := directory.HavenTerms()
	for _, t := range m.Topics {
		terms = append(terms, directory.TaxonomyTerm{
			Slug: directory.TopicTermSlug(t.Slug), Taxonomy: directory.HavenTopicsTaxonomy,
			Code: t.Slug, Name: t.Label, Language: m.DefaultLocale,
		})
	}
	return directory.HavenTaxonomies(), terms
}

// readSources reads the cited documents the pack carries under sources/,
// split into lines (line n is lines[n-1]).
func (l *loader) readSources(meta Meta, files map[string][]byte) map[string][]string {
	docs := map[string][]string{}
	for _, s := range meta.Sources {
		if s.Document == "" || strings.ContainsAny(s.Document, `/\`) {
			continue // reported by check
		}
		name := path.Join(SourcesDir, s.Document)
		data := l.read(name, false)
		if data == nil {
			continue
		}
		files[name] = data
		if s.SHA256 != "" {
			sum := sha256.Sum256(data)
			if got := hex.EncodeToString(sum[:]); got != strings.ToLower(s.SHA256) {
				l.addf(MetaFile, l.line(l.metaRoot, "sources"), "source %s: sha256 is %s, pack.yaml says %s", s.Document, got, s.SHA256)
			}
		}
		docs[s.Document] = strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	}
	return docs
}

func hashFiles(files map[string][]byte) string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(files[n]))
		h.Write(files[n])
	}
	return hex.EncodeToString(h.Sum(nil))
}
