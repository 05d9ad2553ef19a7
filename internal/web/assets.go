package web

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
)

//go:embed assets/haven.css
var stylesheet []byte

//go:embed assets/exit.js
var exitScript []byte

//go:embed assets/report.js
var reportScript []byte

// asset is a static file served at a path that carries a hash of its
// content, so that it can be cached forever.
type asset struct {
	file        string // "haven.0123456789.css"
	path        string // "/assets/" + file
	contentType string
	pg          *rendered
}

func newAsset(base, ext, contentType string, data []byte) (*asset, error) {
	sum := sha256.Sum256(data)
	file := base + "." + hex.EncodeToString(sum[:5]) + ext
	pg, err := newRendered(data)
	if err != nil {
		return nil, err
	}
	return &asset{file: file, path: "/assets/" + file, contentType: contentType, pg: pg}, nil
}

func (p *Pages) asset(w http.ResponseWriter, r *http.Request) {
	var a *asset
	for _, c := range []*asset{p.css, p.js, p.reportJS} {
		if r.PathValue("file") == c.file {
			a = c
		}
	}
	if a == nil {
		p.notFound(w, r, p.locale(r))
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	serve(w, r, http.StatusOK, a.pg)
}
