// Package i18n holds Haven's message catalogs and picks a locale for a
// request.
//
// A catalog is one YAML file per locale under locales/, named for its BCP 47
// tag (en.yaml, es.yaml, pt-BR.yaml). Keys nest with "." ("home.emergency.title").
// A leaf is either a string, or a map of CLDR plural forms (zero, one, two,
// few, many, other) for a message that counts something. Placeholders use
// the go-i18n template form "{{.Name}}"; a plural message's count is
// "{{.Count}}".
//
// Every catalog starts with a "meta" map that is not a message: the
// language's name in itself (shown by the language switcher), its writing
// direction (ltr or rtl), who or what produced the catalog and, when a
// native speaker reviewed it, who did. Pages in a locale nobody reviewed
// say so.
//
// English (SourceLocale) is the reference: every other locale translates its
// keys. A locale may lag behind English; Localize then falls back to English,
// and Check reports what is missing so that a test can refuse it.
package i18n

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

// SourceLocale is the locale every other catalog translates.
const SourceLocale = "en"

// Plural form names, as catalogs write them.
const (
	FormZero  = "zero"
	FormOne   = "one"
	FormTwo   = "two"
	FormFew   = "few"
	FormMany  = "many"
	FormOther = "other"
)

// pluralForms lists the form names in CLDR order.
var pluralForms = []string{FormZero, FormOne, FormTwo, FormFew, FormMany, FormOther}

//go:embed locales/*.yaml
var embedded embed.FS

// Message is one catalog entry. A simple message has only the "other" form.
type Message struct {
	Key    string
	Plural bool
	// Forms maps a plural form name to its text; a simple message has
	// only FormOther.
	Forms map[string]string
}

// Text returns the message's "other" form, which every message has.
func (m Message) Text() string { return m.Forms[FormOther] }

// Catalog is every locale's messages. It is read-only after Load and safe
// for concurrent use.
type Catalog struct {
	bundle   *goi18n.Bundle
	locales  []string // SourceLocale first, then the others sorted
	tags     []language.Tag
	matcher  language.Matcher
	messages map[string]map[string]Message // locale -> key -> message
	meta     map[string]Meta
	loc      map[string]*Localizer
	// bundleTags maps a locale CLDR gives no plural rules (Haitian Creole)
	// to the tag its messages are filed under in the bundle: the root
	// locale, whose rule gives every count the form "other". Such a
	// language has no grammatical plural (Haitian Creole marks it with
	// "yo"), so "other" is right for it. alias is the reverse map.
	bundleTags map[string]language.Tag
	alias      map[language.Tag]string // only to refuse two locales on one tag
}

// hasPluralRule reports whether go-i18n has CLDR plural rules for tag.
func hasPluralRule(tag language.Tag) bool {
	return goi18n.NewBundle(tag).AddMessages(tag, &goi18n.Message{ID: "probe", Other: "x"}) == nil
}

// bundleTag is the tag a locale's messages are filed under in the bundle:
// the locale's own, or, when CLDR has no plural rules for it, a private-use
// tag under Japanese ("ja-x-ht"), whose CLDR rule is the root rule (every
// count takes "other"). go-i18n finds a rule through a tag's parents, and
// the private-use subtag keeps the locale apart from a real Japanese one.
func bundleTag(tag language.Tag) language.Tag {
	if hasPluralRule(tag) {
		return tag
	}
	base, _ := tag.Base()
	t, err := language.Parse("ja-x-" + base.String())
	if err != nil {
		return tag
	}
	return t
}

// Meta describes one locale's catalog.
type Meta struct {
	// Name is the language's name in itself: "Español", "العربية".
	Name string `yaml:"name"`
	// Dir is the writing direction: "ltr" or "rtl".
	Dir string `yaml:"dir"`
	// ProducedBy says who or what wrote the catalog: a person, a team, or
	// a machine translation and its date.
	ProducedBy string `yaml:"produced_by"`
	// ReviewedBy names the native speaker who reviewed the catalog; empty
	// when nobody has.
	ReviewedBy string `yaml:"reviewed_by"`
}

// Reviewed reports whether a native speaker reviewed the catalog.
func (m Meta) Reviewed() bool { return strings.TrimSpace(m.ReviewedBy) != "" }

// metaKey is the top-level catalog key that holds Meta, not messages.
const metaKey = "meta"

// Load reads the catalogs embedded in the binary.
func Load() (*Catalog, error) {
	sub, err := fs.Sub(embedded, "locales")
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	return LoadFS(sub)
}

// LoadFS reads every *.yaml catalog at the root of fsys. It fails when a
// file does not parse, is named for no valid language tag, or when the
// source locale is missing; Check reports the softer problems.
func LoadFS(fsys fs.FS) (*Catalog, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("i18n: list catalogs: %w", err)
	}
	c := &Catalog{
		bundle:   goi18n.NewBundle(language.MustParse(SourceLocale)),
		messages: map[string]map[string]Message{},
		meta:     map[string]Meta{},
		loc:      map[string]*Localizer{},
		alias:    map[language.Tag]string{},

		bundleTags: map[string]language.Tag{},
	}
	for _, name := range names {
		locale := strings.TrimSuffix(path.Base(name), ".yaml")
		tag, err := language.Raw.Parse(locale)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: file name is not a language tag: %w", name, err)
		}
		if tag.String() != locale {
			return nil, fmt.Errorf("i18n: %s: write the tag as %q", name, tag.String())
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("i18n: read %s: %w", name, err)
		}
		msgs, meta, err := parseCatalog(data)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		if err := meta.validate(); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		c.meta[locale] = meta
		gm := make([]*goi18n.Message, 0, len(msgs))
		for _, m := range msgs {
			gm = append(gm, &goi18n.Message{
				ID:    m.Key,
				Zero:  m.Forms[FormZero],
				One:   m.Forms[FormOne],
				Two:   m.Forms[FormTwo],
				Few:   m.Forms[FormFew],
				Many:  m.Forms[FormMany],
				Other: m.Forms[FormOther],
			})
		}
		btag := bundleTag(tag)
		if btag != tag {
			if prev, taken := c.alias[btag]; taken {
				return nil, fmt.Errorf("i18n: %s: CLDR has no plural rules for it, nor for %s; only one such locale is supported", name, prev)
			}
			c.alias[btag] = locale
			c.bundleTags[locale] = btag
		}
		if err := c.bundle.AddMessages(btag, gm...); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		c.messages[locale] = msgs
		c.locales = append(c.locales, locale)
	}
	if _, ok := c.messages[SourceLocale]; !ok {
		return nil, fmt.Errorf("i18n: no catalog for the source locale %q", SourceLocale)
	}
	sort.Slice(c.locales, func(i, j int) bool {
		a, b := c.locales[i], c.locales[j]
		if (a == SourceLocale) != (b == SourceLocale) {
			return a == SourceLocale
		}
		return a < b
	})
	for _, l := range c.locales {
		c.tags = append(c.tags, language.Raw.Make(l))
		lang := l
		if t, ok := c.bundleTags[l]; ok {
			lang = t.String()
		}
		c.loc[l] = &Localizer{
			locale: l,
			cat:    c,
			gl:     goi18n.NewLocalizer(c.bundle, lang),
		}
	}
	c.matcher = language.NewMatcher(c.tags)
	return c, nil
}

func (m Meta) validate() error {
	switch {
	case strings.TrimSpace(m.Name) == "":
		return errors.New("meta.name: give the language's name in itself")
	case m.Dir != "ltr" && m.Dir != "rtl":
		return fmt.Errorf("meta.dir %q: want ltr or rtl", m.Dir)
	case strings.TrimSpace(m.ProducedBy) == "":
		return errors.New("meta.produced_by: say who or what produced this catalog")
	}
	return nil
}

// parseCatalog flattens one YAML catalog into messages keyed by dotted key,
// and reads its meta map.
func parseCatalog(data []byte) (map[string]Message, Meta, error) {
	var root yaml.Node
	var meta Meta
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, meta, err
	}
	out := map[string]Message{}
	if len(root.Content) == 0 {
		return out, meta, nil
	}
	doc := root.Content[0]
	if doc.Kind == yaml.MappingNode {
		// Take meta out before flattening the messages.
		rest := &yaml.Node{Kind: yaml.MappingNode, Tag: doc.Tag, Line: doc.Line}
		for i := 0; i+1 < len(doc.Content); i += 2 {
			k, v := doc.Content[i], doc.Content[i+1]
			if k.Value != metaKey {
				rest.Content = append(rest.Content, k, v)
				continue
			}
			if err := v.Decode(&meta); err != nil {
				return nil, meta, fmt.Errorf("line %d: meta: %w", v.Line, err)
			}
		}
		doc = rest
	}
	if err := flatten(doc, "", out); err != nil {
		return nil, meta, err
	}
	return out, meta, nil
}

func flatten(n *yaml.Node, prefix string, out map[string]Message) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if prefix == "" {
			return fmt.Errorf("line %d: a catalog is a map of keys", n.Line)
		}
		if n.Tag != "!!str" {
			return fmt.Errorf("line %d: %s: quote the value; it must be a string", n.Line, prefix)
		}
		out[prefix] = Message{Key: prefix, Forms: map[string]string{FormOther: n.Value}}
		return nil
	case yaml.MappingNode:
	default:
		return fmt.Errorf("line %d: %s: want a string or a map", n.Line, prefix)
	}
	if isPluralNode(n) {
		if prefix == "" {
			return fmt.Errorf("line %d: plural forms at the top level", n.Line)
		}
		m := Message{Key: prefix, Plural: true, Forms: map[string]string{}}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if v.Kind != yaml.ScalarNode || v.Tag != "!!str" {
				return fmt.Errorf("line %d: %s.%s: want a string", v.Line, prefix, k.Value)
			}
			m.Forms[k.Value] = v.Value
		}
		out[prefix] = m
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value == "" || strings.ContainsAny(k.Value, ". ") {
			return fmt.Errorf("line %d: key %q: use letters, digits and _ only", k.Line, k.Value)
		}
		key := k.Value
		if prefix != "" {
			key = prefix + "." + k.Value
		}
		if _, dup := out[key]; dup {
			return fmt.Errorf("line %d: key %s given twice", k.Line, key)
		}
		if err := flatten(v, key, out); err != nil {
			return err
		}
	}
	return nil
}

// isPluralNode reports whether every key of a map is a plural form name.
func isPluralNode(n *yaml.Node) bool {
	if len(n.Content) == 0 {
		return false
	}
	for i := 0; i < len(n.Content); i += 2 {
		if !isPluralForm(n.Content[i].Value) {
			return false
		}
	}
	return true
}

func isPluralForm(s string) bool {
	for _, f := range pluralForms {
		if s == f {
			return true
		}
	}
	return false
}

// Locales returns the catalog's locales, the source locale first.
func (c *Catalog) Locales() []string { return append([]string(nil), c.locales...) }

// Meta returns a locale's meta; the zero Meta for an unknown locale.
func (c *Catalog) Meta(locale string) Meta { return c.meta[locale] }

// Has reports whether the catalog has a locale.
func (c *Catalog) Has(locale string) bool {
	_, ok := c.messages[locale]
	return ok
}

// Fold returns the catalog's locale that is tag but for letter case
// ("pt-BR" for "PT-br": language tags are case-insensitive), or "" when it
// has none.
func (c *Catalog) Fold(tag string) string {
	for _, l := range c.locales {
		if strings.EqualFold(l, tag) {
			return l
		}
	}
	return ""
}

// Keys returns the keys of a locale's catalog, sorted.
func (c *Catalog) Keys(locale string) []string {
	keys := make([]string, 0, len(c.messages[locale]))
	for k := range c.messages[locale] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Message returns one message of a locale, without fallback.
func (c *Catalog) Message(locale, key string) (Message, bool) {
	m, ok := c.messages[locale][key]
	return m, ok
}

// Match picks the best catalog locale for an Accept-Language header value;
// fallback when nothing matches (or when fallback is not a catalog locale,
// the source locale).
func (c *Catalog) Match(acceptLanguage, fallback string) string {
	loc, _ := c.Negotiate(acceptLanguage, fallback)
	return loc
}

// Negotiate is Match that also says whether the locale is close to what
// the browser asked for: the same language and script (es for es-MX, en
// for en-US), not a stand-in (Simplified Chinese for zh-TW, which asks for
// Traditional; the fallback for a language the catalog lacks). A page
// tells a visitor who did not get close that it is not in their language,
// rather than change it silently. An empty or unreadable header is close:
// it asked for nothing.
func (c *Catalog) Negotiate(acceptLanguage, fallback string) (locale string, close bool) {
	if _, ok := c.loc[fallback]; !ok {
		fallback = SourceLocale
	}
	if acceptLanguage == "" {
		return fallback, true
	}
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return fallback, true
	}
	_, i, conf := c.matcher.Match(prefs...)
	if conf == language.No {
		return fallback, false
	}
	// Close means close to the first language asked: a browser sending
	// "zh-TW,zh;q=0.9" takes any Chinese, but would rather read
	// Traditional, and should hear that this is not it.
	return c.locales[i], conf >= language.High && sameScript(prefs[0], c.tags[i])
}

// sameScript reports whether two tags are of one language in one script,
// the script inferred where a tag leaves it out (zh-TW is written in Hant).
func sameScript(a, b language.Tag) bool {
	// tl and fil are one language; so are iw and he.
	if c, err := language.All.Canonicalize(a); err == nil {
		a = c
	}
	if c, err := language.All.Canonicalize(b); err == nil {
		b = c
	}
	ab, _ := a.Base()
	bb, _ := b.Base()
	as, _ := a.Script()
	bs, _ := b.Script()
	return ab == bb && as == bs
}

// MatchTag picks the catalog locale for one BCP 47 tag, with the matcher
// Match uses for a header ("es-MX" is es, "pt" is pt-BR). ok is false, and
// the locale the source locale, when the tag does not parse or no catalog
// locale matches it.
func (c *Catalog) MatchTag(tag string) (locale string, ok bool) {
	t, err := language.Parse(tag)
	if err != nil {
		return SourceLocale, false
	}
	_, i, conf := c.matcher.Match(t)
	if conf == language.No {
		return SourceLocale, false
	}
	return c.locales[i], true
}

// Localizer returns the localizer of a locale, or of the source locale
// when the catalog has no such locale.
func (c *Catalog) Localizer(locale string) *Localizer {
	if l, ok := c.loc[locale]; ok {
		return l
	}
	return c.loc[SourceLocale]
}

// Localizer renders the messages of one locale, falling back to the source
// locale for keys the locale lacks. It is safe for concurrent use.
type Localizer struct {
	locale string
	cat    *Catalog
	gl     *goi18n.Localizer
}

// Locale returns the localizer's locale tag.
func (l *Localizer) Locale() string { return l.locale }

// Has reports whether key exists in the source catalog.
func (l *Localizer) Has(key string) bool {
	_, ok := l.cat.messages[SourceLocale][key]
	return ok
}

// T renders a simple message. args are name/value pairs that fill the
// message's placeholders: T("error.bad_param", "Param", "topic").
func (l *Localizer) T(key string, args ...any) (string, error) {
	m, ok := l.lookup(key)
	if !ok {
		return "", fmt.Errorf("i18n: no message %q", key)
	}
	if m.Plural {
		return "", fmt.Errorf("i18n: message %q counts something; render it with a count", key)
	}
	data, err := templateData(key, args)
	if err != nil {
		return "", err
	}
	s, err := l.localizer(key).Localize(&goi18n.LocalizeConfig{MessageID: key, TemplateData: data})
	if err != nil {
		return "", fmt.Errorf("i18n: %s: %w", key, err)
	}
	return s, nil
}

// N renders a plural message for count, choosing the form by the
// locale's CLDR rules; the count fills {{.Count}}.
func (l *Localizer) N(key string, count int, args ...any) (string, error) {
	m, ok := l.lookup(key)
	if !ok {
		return "", fmt.Errorf("i18n: no message %q", key)
	}
	if !m.Plural {
		return "", fmt.Errorf("i18n: message %q has no plural forms", key)
	}
	data, err := templateData(key, args)
	if err != nil {
		return "", err
	}
	if data == nil {
		data = map[string]any{}
	}
	data["Count"] = count
	s, err := l.localizer(key).Localize(&goi18n.LocalizeConfig{MessageID: key, TemplateData: data, PluralCount: count})
	if err != nil {
		return "", fmt.Errorf("i18n: %s: %w", key, err)
	}
	return s, nil
}

// localizer returns the go-i18n localizer that has key: this locale's, or
// the source locale's for a key this locale lacks.
func (l *Localizer) localizer(key string) *goi18n.Localizer {
	if _, ok := l.cat.messages[l.locale][key]; ok {
		return l.gl
	}
	return l.cat.loc[SourceLocale].gl
}

func (l *Localizer) lookup(key string) (Message, bool) {
	if m, ok := l.cat.messages[l.locale][key]; ok {
		return m, true
	}
	m, ok := l.cat.messages[SourceLocale][key]
	return m, ok
}

func templateData(key string, args []any) (map[string]any, error) {
	if len(args) == 0 {
		return nil, nil
	}
	if len(args)%2 != 0 {
		return nil, fmt.Errorf("i18n: %s: arguments come in name/value pairs", key)
	}
	data := make(map[string]any, len(args)/2)
	for i := 0; i < len(args); i += 2 {
		name, ok := args[i].(string)
		if !ok {
			return nil, fmt.Errorf("i18n: %s: argument %d: want a placeholder name", key, i)
		}
		data[name] = args[i+1]
	}
	return data, nil
}

var placeholderRE = regexp.MustCompile(`\{\{\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// Placeholders returns the sorted, distinct placeholder names of a text.
func Placeholders(text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	return out
}

// MessagePlaceholders returns the placeholder names used by any form of m.
func MessagePlaceholders(m Message) []string {
	var all strings.Builder
	for _, f := range pluralForms {
		all.WriteString(m.Forms[f])
	}
	return Placeholders(all.String())
}

// RequiredPluralForms returns the CLDR cardinal plural forms a locale
// needs, in CLDR order: every form its rules give a whole number (Haven
// counts only whole things), and "other", which CLDR requires of every
// language. The forms are read from the same rules that choose them when
// a page is rendered (go-i18n's), by rendering a probe message.
func RequiredPluralForms(locale string) ([]string, error) {
	tag, err := language.Raw.Parse(locale)
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	tag = bundleTag(tag)
	b := goi18n.NewBundle(tag)
	probe := &goi18n.Message{ID: "probe", Zero: FormZero, One: FormOne, Two: FormTwo, Few: FormFew, Many: FormMany, Other: FormOther}
	if err := b.AddMessages(tag, probe); err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	l := goi18n.NewLocalizer(b, tag.String())
	seen := map[string]bool{FormOther: true}
	counts := []int{10000, 100000, 1000000, 10000000}
	for n := 0; n <= 1000; n++ {
		counts = append(counts, n)
	}
	for _, n := range counts {
		form, err := l.Localize(&goi18n.LocalizeConfig{MessageID: "probe", PluralCount: n})
		if err != nil {
			return nil, fmt.Errorf("i18n: plural rules of %s: %w", locale, err)
		}
		seen[form] = true
	}
	var out []string
	for _, f := range pluralForms {
		if seen[f] {
			out = append(out, f)
		}
	}
	return out, nil
}

// Problem is one thing wrong with a catalog.
type Problem struct {
	Locale string
	Key    string
	Msg    string
}

func (p Problem) String() string { return p.Locale + ": " + p.Key + ": " + p.Msg }

// ErrProblems is wrapped by the error CheckErr returns.
var ErrProblems = errors.New("i18n: catalog problems")

// Check reports every problem of the catalogs: keys a locale lacks or has
// beyond English, empty texts, placeholders that differ from English, and
// plural messages without the forms their locale's CLDR rules need.
func (c *Catalog) Check() []Problem {
	var ps []Problem
	add := func(locale, key, format string, args ...any) {
		ps = append(ps, Problem{Locale: locale, Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	src := c.messages[SourceLocale]
	for _, locale := range c.locales {
		msgs := c.messages[locale]
		required, err := RequiredPluralForms(locale)
		if err != nil {
			add(locale, "", "%v", err)
			continue
		}
		for _, key := range c.Keys(locale) {
			m := msgs[key]
			ref, inSource := src[key]
			if !inSource {
				add(locale, key, "not in the %s catalog", SourceLocale)
				continue
			}
			if m.Plural != ref.Plural {
				add(locale, key, "plural in one locale and not in the other")
				continue
			}
			for form, text := range m.Forms {
				if strings.TrimSpace(text) == "" {
					add(locale, key, "form %q is empty", form)
				}
			}
			if m.Plural {
				for _, f := range required {
					if _, ok := m.Forms[f]; !ok {
						add(locale, key, "missing plural form %q (CLDR forms for %s: %s)", f, locale, strings.Join(required, ", "))
					}
				}
			} else if _, ok := m.Forms[FormOther]; !ok {
				add(locale, key, "no text")
			}
			if got, want := strings.Join(MessagePlaceholders(m), ","), strings.Join(MessagePlaceholders(ref), ","); got != want {
				add(locale, key, "placeholders [%s], %s has [%s]", got, SourceLocale, want)
			}
		}
		for key := range src {
			if _, ok := msgs[key]; !ok {
				add(locale, key, "missing (in the %s catalog)", SourceLocale)
			}
		}
	}
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Locale != ps[j].Locale {
			return ps[i].Locale < ps[j].Locale
		}
		return ps[i].Key < ps[j].Key
	})
	return ps
}

// CheckErr returns Check's problems as one error wrapping ErrProblems, or
// nil when there are none.
func (c *Catalog) CheckErr() error {
	ps := c.Check()
	if len(ps) == 0 {
		return nil
	}
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return fmt.Errorf("%w:\n%s", ErrProblems, strings.Join(lines, "\n"))
}
