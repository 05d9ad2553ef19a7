package pack

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/language"

	"github.com/haven-project/haven/internal/directory"
)

// LocalesDir holds the pack's translations of its own records, one file per
// locale (locales/es.yaml), each a flat map of text keys to translations.
const LocalesDir = "locales"

// Tips is who reads the tips sent through the report form.
type Tips struct {
	// Recipient names them, as the form says "Your report will be read
	// by ...".
	Recipient string `yaml:"recipient" json:"recipient"`
	// LawEnforcement: true, false, or nil when the pack does not say.
	LawEnforcement *bool `yaml:"law_enforcement" json:"law_enforcement"`
	// AnswerWithinDays is how many days a tipster should allow for a first
	// answer, as the receipt page says; 0 when the organization has not
	// said (the page then says so, and promises nothing).
	AnswerWithinDays int `yaml:"answer_within_days,omitempty" json:"answer_within_days,omitempty"`
}

// Translation is one locale's translation of the pack's texts.
type Translation struct {
	Locale     string            `yaml:"locale"`
	ProducedBy string            `yaml:"produced_by"`
	ReviewedBy string            `yaml:"reviewed_by"`
	Texts      map[string]string `yaml:"texts"`
	// MadeFrom holds, for each text, SourceHash of the English it was
	// translated from. A text whose English has changed since is refused
	// by the loader, so no page shows a translation of words the record
	// no longer says.
	MadeFrom map[string]string `yaml:"made_from"`
}

// SourceHash fingerprints an English text for Translation.MadeFrom: the
// first 12 hex digits of its SHA-256.
func SourceHash(english string) string {
	sum := sha256.Sum256([]byte(english))
	return hex.EncodeToString(sum[:6])
}

// Texts returns every text of the pack that a page shows and a translation
// may replace, keyed as the locale files key them:
//
//	pack.name, site_name, topic.<slug>, tips.recipient,
//	org.<slug>.name|alternate_name|description|notes.<i>,
//	service.<slug>.name|alternate_name|description|notes.<i>|areas.<i>,
//	service.<slug>.hours.display|hours.notes.<i>,
//	service.<slug>.contacts.<i>.purpose|hours.display|hours.notes.<j>,
//	routing.<message key>.
func (p *Pack) Texts() map[string]string {
	out := map[string]string{}
	add := func(key, text string) {
		if text != "" {
			out[key] = text
		}
	}
	list := func(prefix string, items []string) {
		for i, s := range items {
			add(prefix+"."+strconv.Itoa(i), s)
		}
	}
	hours := func(prefix string, h *directory.Hours) {
		if h == nil {
			return
		}
		add(prefix+".hours.display", h.Display)
		list(prefix+".hours.notes", h.Notes)
	}
	add("pack.name", p.Meta.Name)
	add("site_name", p.Meta.SiteName)
	add("tips.recipient", p.Meta.Tips.Recipient)
	for _, t := range p.Meta.Topics {
		add("topic."+t.Slug, t.Label)
	}
	for _, o := range p.Directory.Organizations {
		k := "org." + o.Slug
		add(k+".name", o.Name)
		add(k+".alternate_name", o.AlternateName)
		add(k+".description", o.Description)
		list(k+".notes", o.Notes)
	}
	for _, s := range p.Directory.Services {
		k := "service." + s.Slug
		add(k+".name", s.Name)
		add(k+".alternate_name", s.AlternateName)
		add(k+".description", s.Description)
		list(k+".notes", s.Notes)
		hours(k, &s.Hours)
		for i, a := range s.Areas {
			add(k+".areas."+strconv.Itoa(i), a.Name)
		}
		for i, c := range s.Contacts {
			ck := k + ".contacts." + strconv.Itoa(i)
			add(ck+".purpose", c.Purpose)
			hours(ck, c.Hours)
		}
	}
	if p.Routing != nil {
		for key, text := range p.Routing.Messages {
			add("routing."+key, text)
		}
	}
	return out
}

// protectedRE finds what a translation must copy exactly: web and email
// addresses, handles, and numbers; a number's hyphen-joined groups
// ("1-888-373-7888") are one token, so that no group can be changed or
// moved alone.
var protectedRE = regexp.MustCompile(`https?://[^\s)]+|[\w.+-]+@[\w-]+\.[\w.]+|@\w+|\b[\w-]+\.(?:org|gov|com|net|info)\b[^\s)]*|\d+(?:-\d+)*`)

// protectedTokens returns the distinct protected tokens of text, sorted:
// protectedRE's, and every keyword or dialled word of the pack's contacts
// it holds (each matched as a whole word).
func protectedTokens(text string, words []*regexp.Regexp) []string {
	seen := map[string]bool{}
	for _, m := range protectedRE.FindAllString(text, -1) {
		if m = strings.TrimRight(m, ".,;:"); m != "" {
			seen[m] = true
		}
	}
	for _, w := range words {
		if m := w.FindString(text); m != "" {
			seen[m] = true
		}
	}
	out := make([]string, 0, len(seen))
	for m := range seen {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// tokenDiff returns the protected tokens of want that got lacks, and those
// got has that want does not: a translation must have exactly the English
// text's numbers, addresses and keywords, no fewer and no more.
func tokenDiff(want, got []string) (missing, extra []string) {
	has := map[string]bool{}
	for _, g := range got {
		has[g] = true
	}
	for _, w := range want {
		if !has[w] {
			missing = append(missing, w)
		}
		delete(has, w)
	}
	for _, g := range got {
		if has[g] {
			extra = append(extra, g)
		}
	}
	return missing, extra
}

// contactWords are the keywords and lettered numbers of the pack's
// contacts: a translation that changes one sends a person to nobody.
func (p *Pack) contactWords() []string {
	seen := map[string]bool{}
	var out []string
	add := func(w string) {
		if w != "" && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	letters := regexp.MustCompile(`[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*`)
	for _, s := range p.Directory.Services {
		for _, c := range s.Contacts {
			for _, k := range c.Keywords {
				add(k)
			}
			if c.Channel == "call" || c.Channel == "text" {
				for _, d := range []string{c.Display, c.DisplayAlt} {
					for _, w := range letters.FindAllString(d, -1) {
						if len(w) > 2 {
							add(w)
						}
					}
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// loadTranslations reads locales/*.yaml and checks each against the
// pack's texts: every key present and known, nothing empty, every
// protected token copied.
func (l *loader) loadTranslations(p *Pack, files map[string][]byte) map[string]*Translation {
	names, err := fs.Glob(l.fsys, LocalesDir+"/*.yaml")
	if err != nil {
		l.addf(LocalesDir, 0, "cannot list: %v", err)
		return nil
	}
	if len(names) == 0 {
		return nil
	}
	texts := p.Texts()
	keys := make([]string, 0, len(texts))
	for k := range texts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var words []*regexp.Regexp
	for _, w := range p.contactWords() {
		words = append(words, regexp.MustCompile(`\b`+regexp.QuoteMeta(w)+`\b`))
	}
	// What each English text protects is the same for every locale.
	protected := make(map[string][]string, len(texts))
	for k, t := range texts {
		protected[k] = protectedTokens(t, words)
	}
	out := map[string]*Translation{}
	for _, name := range names {
		data := l.read(name, true)
		if data == nil {
			continue
		}
		files[name] = data
		var tr Translation
		root := l.decode(name, data, &tr)
		if root == nil {
			continue
		}
		want := strings.TrimSuffix(path.Base(name), ".yaml")
		tag, err := language.Raw.Parse(want)
		switch {
		case err != nil || tag.String() != want:
			l.addf(name, 0, "file name %q is not a canonical language tag", want)
			continue
		case tr.Locale != want:
			l.addf(name, l.line(root, "locale"), "locale %q: the file is named for %q", tr.Locale, want)
		case strings.TrimSpace(tr.ProducedBy) == "":
			l.addf(name, l.line(root, "produced_by"), "produced_by: say who or what made this translation")
		}
		// A text not translated yet, or translated from English that has
		// changed since, is a warning: the page shows the pack's own text,
		// marked with its language, until a translator catches up. A
		// translation that changes a number or keyword is refused.
		for _, k := range keys {
			t, ok := tr.Texts[k]
			if !ok {
				l.warnf(name, l.line(root, "texts"), "not translated yet: %s (shown in the pack's language until it is)", k)
				continue
			}
			if strings.TrimSpace(t) == "" {
				l.warnf(name, l.line(root, "texts", k), "%s is empty (the pack's own text is shown)", k)
				delete(tr.Texts, k)
				continue
			}
			if got, want := tr.MadeFrom[k], SourceHash(texts[k]); got != want {
				l.warnf(name, l.line(root, "texts", k), "%s: the English text is not the one this was translated from (made_from %q, the English now %q), so the English is shown: translate it again and set made_from to the new value", k, got, want)
				delete(tr.Texts, k)
				continue
			}
			missing, extra := tokenDiff(protected[k], protectedTokens(t, words))
			for _, tok := range missing {
				l.addf(name, l.line(root, "texts", k), "%s: keep %q exactly as the English text writes it", k, tok)
			}
			for _, tok := range extra {
				l.addf(name, l.line(root, "texts", k), "%s: %q is not in the English text: a translation adds no number, address or keyword", k, tok)
			}
		}
		for k := range tr.Texts {
			if _, ok := texts[k]; !ok {
				l.warnf(name, l.line(root, "texts", k), "%s: the pack has no such text (ignored)", k)
				delete(tr.Texts, k)
			}
		}
		out[want] = &tr
	}
	return out
}

// Translated returns the text of key in locale: the translation when the
// pack has one, else the English. english is the text the caller has (from
// the store); a translation is used only when the pack's own English text
// for key is exactly english, so that a record changed since it was
// translated is shown as written, never in an outdated translation.
func (p *Pack) Translated(locale, key, english string) string {
	t, _ := p.Translation(locale, key, english)
	return t
}

// Translation is Translated that also says whether the text it returns is
// a translation (true) or the English, given back because the locale has
// none made from exactly english (false). A page marks such English with
// its language.
func (p *Pack) Translation(locale, key, english string) (string, bool) {
	tr := p.Translations[locale]
	if tr == nil {
		return english, false
	}
	if p.texts == nil || p.texts[key] != english {
		return english, false
	}
	if t, ok := tr.Texts[key]; ok {
		return t, true
	}
	return english, false
}

// String names a translation for messages.
func (t *Translation) String() string { return fmt.Sprintf("%s translation", t.Locale) }
