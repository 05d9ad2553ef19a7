// Package packs embeds the jurisdiction packs that ship with Haven.
package packs

import (
	"embed"
	"io/fs"
)

//go:embed us
var embedded embed.FS

// US returns the United States pack, built from the source document.
func US() fs.FS {
	sub, err := fs.Sub(embedded, "us")
	if err != nil {
		panic(err) // the directory is embedded at build time; this cannot fail
	}
	return sub
}
