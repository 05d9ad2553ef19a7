// Package scaffold holds the files of a new jurisdiction pack, as `haven
// pack new` writes them: pack.yaml, organizations.yaml, services.yaml,
// routing.yaml and sources/, each with one commented, invented example of
// each record. The scaffold loads without a problem as written, so a new
// pack starts from something `haven check` accepts and `haven serve` runs.
package scaffold

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

//go:embed files
var files embed.FS

// FS returns the scaffold: a pack folder at its root.
func FS() fs.FS {
	sub, err := fs.Sub(files, "files")
	if err != nil {
		panic(err) // "files" is embedded above; Sub fails only on a bad name
	}
	return sub
}

// Permissions of what Write makes.
const (
	FileMode fs.FileMode = 0o644
	DirMode  fs.FileMode = 0o755
)

// Write writes the scaffold into dir, making dir and its parents as
// needed: files FileMode and folders DirMode, whatever the umask (an
// empty folder that was already there keeps its own). It refuses a dir that exists and is not an empty folder, so that
// it never overwrites or mixes with files already there. It returns the
// paths it wrote, in order.
func Write(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	existed := err == nil
	switch {
	case existed && len(entries) > 0:
		return nil, fmt.Errorf("%s already exists and is not empty: give a new folder", dir)
	case existed, errors.Is(err, fs.ErrNotExist):
	default:
		if st, serr := os.Stat(dir); serr == nil && !st.IsDir() {
			return nil, fmt.Errorf("%s already exists and is not a folder: give a new folder", dir)
		}
		return nil, fmt.Errorf("pack folder %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return nil, fmt.Errorf("make pack folder: %w", err)
	}
	if !existed {
		if err := chmod(dir, DirMode); err != nil {
			return nil, err
		}
	}
	var wrote []string
	err = fs.WalkDir(FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			if p == "." {
				return nil
			}
			if err := os.Mkdir(target, DirMode); err != nil {
				return fmt.Errorf("make folder: %w", err)
			}
			return chmod(target, DirMode)
		}
		data, err := fs.ReadFile(FS(), p)
		if err != nil {
			return err
		}
		f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, FileMode)
		if err != nil {
			return fmt.Errorf("write scaffold: %w", err)
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", target, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("write %s: %w", target, err)
		}
		wrote = append(wrote, target)
		return chmod(target, FileMode)
	})
	if err != nil {
		return wrote, err
	}
	return wrote, nil
}

// chmod gives what Write made its mode whatever the umask: the scaffold
// holds nothing secret, and the people who edit a pack share it.
func chmod(path string, mode fs.FileMode) error {
	if err := os.Chmod(path, mode); err != nil {
		return fmt.Errorf("write scaffold: %w", err)
	}
	return nil
}
