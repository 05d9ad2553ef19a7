package web

import "net/http"

// safetyView is the "Browse safely" page: advice only, the same for
// everyone in a locale.
type safetyView struct {
	base
}

// safetyPage answers GET /{lang}/safety.
func (p *Pages) safetyPage(w http.ResponseWriter, r *http.Request) {
	ctx, loc := r.Context(), p.locale(r)
	snap, err := p.current(ctx)
	if err != nil {
		p.fail(w, r, loc, err)
		return
	}
	p.serveCached(w, r, loc, snap, pageKey{locale: loc, name: pageSafety}, func() (any, error) {
		return safetyView{base: p.base(loc, "safety", "/safety")}, nil
	})
}
