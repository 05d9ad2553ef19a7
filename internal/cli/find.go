package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/search"
)

func runFind(ctx context.Context, env Env, args []string) error {
	fs := flagSet(env, "find", "[QUERY] [--topic T] [--kind K] [--json]", "Search the directory: services whose name, description or organization contains QUERY.")
	var sf storeFlags
	sf.register(fs, env)
	topic := fs.String("topic", "", "only services on this topic (see the pack's topics)")
	kind := fs.String("kind", "", "only services of this kind: "+strings.Join(directory.Kinds, ", "))
	notPolice := fs.Bool("not-law-enforcement", false, "only services that are not law enforcement")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	p, st, err := openData(ctx, env, sf)
	if err != nil {
		return err
	}
	defer st.Close()
	// The same parser as the pages and the API: one set of rules.
	q := url.Values{search.ParamTopic: {*topic}, search.ParamKind: {*kind}, search.ParamQuery: {strings.Join(pos, " ")}}
	if *notPolice {
		q.Set(search.ParamLawEnforcement, "false")
	}
	f, err := search.ParseFilter(q, p.Meta.HasTopic, search.Options{EmptyIsAny: true})
	var pe *search.ParamError
	if errors.As(err, &pe) {
		switch pe.Param {
		case search.ParamTopic:
			var known []string
			for _, t := range p.Meta.Topics {
				known = append(known, t.Slug)
			}
			return fmt.Errorf("--topic %q: want one of %s: %w", *topic, strings.Join(known, ", "), errUsage)
		case search.ParamKind:
			return fmt.Errorf("--kind %q: want one of %s: %w", *kind, strings.Join(directory.Kinds, ", "), errUsage)
		case search.ParamQuery:
			return fmt.Errorf("QUERY: want at most %d characters of text, without control characters: %w", search.MaxQueryRunes, errUsage)
		}
		return fmt.Errorf("%v: %w", err, errUsage)
	}
	var all []directory.Service
	for {
		page, total, err := st.ListServices(ctx, f)
		if err != nil {
			return fmt.Errorf("search: %w", err)
		}
		all = append(all, page...)
		f.Offset += len(page)
		if len(page) == 0 || f.Offset >= total {
			break
		}
	}
	if *asJSON {
		out := make([]directory.Service, len(all))
		for i, s := range all {
			out[i] = s.ForJSON()
		}
		return writeJSON(env.Stdout, out)
	}
	if len(all) == 0 {
		fmt.Fprintln(env.Stdout, "No service matches. Try fewer words, or `haven find` to list all.")
		return nil
	}
	for _, s := range all {
		fmt.Fprintf(env.Stdout, "%-22s %s\n", s.Slug, s.Name)
		if c, ok := mainContact(s); ok {
			fmt.Fprintf(env.Stdout, "%-22s %s\n", "", contactLine(c))
		}
		fmt.Fprintf(env.Stdout, "%-22s %s\n", "", enforcementLine(s))
	}
	return nil
}

// mainContact is the contact a person would use first.
func mainContact(s directory.Service) (directory.Contact, bool) {
	for _, ch := range []string{directory.ChannelCall, directory.ChannelText, directory.ChannelOnline, directory.ChannelEmail, directory.ChannelWebsite} {
		if cs := s.ContactsBy(ch); len(cs) > 0 {
			return cs[0], true
		}
	}
	return directory.Contact{}, false
}

func contactLine(c directory.Contact) string {
	d := c.Display
	if c.DisplayAlt != "" {
		d += " (" + c.DisplayAlt + ")"
	}
	var s string
	switch c.Channel {
	case directory.ChannelCall:
		s = "call " + d
	case directory.ChannelText:
		s = "text " + strings.Join(c.Keywords, " or ") + " to " + d
		if len(c.Keywords) == 0 {
			s = "text " + d
		}
	case directory.ChannelEmail:
		s = "e-mail " + d
	case directory.ChannelOnline:
		s = "online " + d
	default:
		s = c.Channel + " " + d
	}
	if c.Scope == directory.ScopeInternational {
		s += " (from outside the U.S.)"
	}
	if c.Purpose != "" && c.Scope != directory.ScopeInternational {
		s += " (" + c.Purpose + ")"
	}
	return s
}

func enforcementLine(s directory.Service) string {
	return enforcementWords(s.LawEnforcement, s.ImmigrationAuthority)
}

// enforcementWords says what a source says of police and immigration ties;
// nil is "not stated", never "no".
func enforcementWords(law, immigration *bool) string {
	word := func(b *bool, yes, no string) string {
		switch {
		case b == nil:
			return ""
		case *b:
			return yes
		}
		return no
	}
	l := word(law, "law enforcement", "not law enforcement")
	i := word(immigration, "immigration authority", "not immigration")
	switch {
	case l == "" && i == "":
		return "law enforcement or immigration: not stated in the source"
	case l == "":
		return i + "; law enforcement: not stated in the source"
	case i == "":
		return l + "; immigration: not stated in the source"
	case *law && *immigration:
		return "law enforcement and immigration authority"
	}
	return l + ", " + i
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}
