package web

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"text/template/parse"

	"github.com/haven-project/haven/internal/directory"
	"github.com/haven-project/haven/internal/i18n"
)

// The catalog keys pages use: every t and tn call in the templates, found
// by walking their parse trees, and the keys Go code chooses, all checked
// against the catalogs at boot.

// codeKeys are the catalog keys that Go code (not templates) looks up;
// New checks that each exists.
func codeKeys() []string {
	keys := []string{"hours.every_day", "area.national", "area.international", "area.region",
		"service.hours.always", "service.hours.window", "service.hours.time_zone"}
	for _, k := range directory.Kinds {
		keys = append(keys, "kind."+k)
	}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		keys = append(keys, "day."+d)
	}
	for _, n := range knownNetworks() {
		keys = append(keys, "social."+n)
	}
	for _, subject := range []string{"home.hotline", "service"} {
		for _, e := range statementEndings {
			keys = append(keys, subject+"."+e)
		}
	}
	keys = append(keys, badParamKeys()...)
	return append(keys, helpKeys()...)
}

// knownNetworks are the social networks the catalog names.
func knownNetworks() []string { return []string{"x"} }

// catalogCall is one {{t "key" "Name" value}} or {{tn "key" n "Name" value}}
// in a template file.
type catalogCall struct {
	File   string
	Line   int
	Func   string // "t" or "tn"
	Key    string
	Params []string // placeholder names the call passes
}

// catalogCalls finds every t and tn call in the template files by walking
// their parse trees. Keys must be string literals so that they can be
// checked here, before any page is served.
func catalogCalls() ([]catalogCall, error) {
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	var calls []catalogCall
	for _, file := range files {
		src, err := fs.ReadFile(templateFS, file)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", file, err)
		}
		trees := map[string]*parse.Tree{}
		pt := parse.New(file)
		pt.Mode = parse.SkipFuncCheck
		if _, err := pt.Parse(string(src), "", "", trees); err != nil {
			return nil, fmt.Errorf("parse %s: %w", file, err)
		}
		names := make([]string, 0, len(trees))
		for n := range trees {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			tr := trees[n]
			if tr.Root == nil {
				continue
			}
			var werr error
			walk(tr.Root, func(c *parse.CommandNode) {
				if werr != nil || len(c.Args) == 0 {
					return
				}
				id, ok := c.Args[0].(*parse.IdentifierNode)
				if !ok || (id.Ident != "t" && id.Ident != "tn") {
					return
				}
				line, _ := tr.ErrorContext(c)
				call := catalogCall{File: file, Func: id.Ident, Line: lineOf(line)}
				args := c.Args[1:]
				if len(args) == 0 {
					werr = fmt.Errorf("%s: %s without a key", line, id.Ident)
					return
				}
				key, ok := args[0].(*parse.StringNode)
				if !ok {
					werr = fmt.Errorf("%s: %s: the key must be a string literal", line, id.Ident)
					return
				}
				call.Key = key.Text
				args = args[1:]
				if id.Ident == "tn" {
					if len(args) == 0 {
						werr = fmt.Errorf("%s: tn %q without a count", line, call.Key)
						return
					}
					args = args[1:]
				}
				if len(args)%2 != 0 {
					werr = fmt.Errorf("%s: %s %q: arguments come in name/value pairs", line, id.Ident, call.Key)
					return
				}
				for i := 0; i < len(args); i += 2 {
					name, ok := args[i].(*parse.StringNode)
					if !ok {
						werr = fmt.Errorf("%s: %s %q: placeholder names must be string literals", line, id.Ident, call.Key)
						return
					}
					call.Params = append(call.Params, name.Text)
				}
				sort.Strings(call.Params)
				calls = append(calls, call)
			})
			if werr != nil {
				return nil, werr
			}
		}
	}
	return calls, nil
}

func lineOf(loc string) int {
	// loc is "file:line:col".
	parts := strings.Split(loc, ":")
	if len(parts) < 2 {
		return 0
	}
	var n int
	_, _ = fmt.Sscanf(parts[1], "%d", &n)
	return n
}

// walk calls fn for every command node under n.
func walk(n parse.Node, fn func(*parse.CommandNode)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walk(c, fn)
		}
	case *parse.ActionNode:
		walk(n.Pipe, fn)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walk(c, fn)
		}
	case *parse.CommandNode:
		fn(n)
		for _, a := range n.Args {
			walk(a, fn)
		}
	case *parse.IfNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.TemplateNode:
		walk(n.Pipe, fn)
	}
}

func walkBranch(b *parse.BranchNode, fn func(*parse.CommandNode)) {
	walk(b.Pipe, fn)
	walk(b.List, fn)
	if b.ElseList != nil {
		walk(b.ElseList, fn)
	}
}

// checkCalls checks each call against the source catalog: the key exists,
// t is used for simple messages and tn for plural ones, and the call passes
// exactly the placeholders the message uses (tn passes Count itself).
func checkCalls(cat *i18n.Catalog, calls []catalogCall) error {
	var problems []string
	for _, c := range calls {
		m, ok := cat.Message(i18n.SourceLocale, c.Key)
		if !ok {
			problems = append(problems, fmt.Sprintf("%s:%d: no catalog key %q", c.File, c.Line, c.Key))
			continue
		}
		if m.Plural != (c.Func == "tn") {
			problems = append(problems, fmt.Sprintf("%s:%d: %q: use tn for plural messages and t for the others", c.File, c.Line, c.Key))
			continue
		}
		want := i18n.MessagePlaceholders(m)
		got := c.Params
		if c.Func == "tn" {
			want = without(want, "Count")
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			problems = append(problems, fmt.Sprintf("%s:%d: %q passes [%s], the message uses [%s]", c.File, c.Line, c.Key, strings.Join(got, ", "), strings.Join(want, ", ")))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("templates and catalog disagree:\n%s", strings.Join(problems, "\n"))
	}
	return nil
}

func without(list []string, s string) []string {
	var out []string
	for _, v := range list {
		if v != s {
			out = append(out, v)
		}
	}
	return out
}
