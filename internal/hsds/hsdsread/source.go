package hsdsread

import (
	"archive/zip"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Errors that stop Read, wrapped with what is at fault.
var (
	// ErrUnsafePath: a zip entry or a symbolic link that leads out of
	// the input's folder ("../x.csv", "/etc/passwd", a link to /).
	ErrUnsafePath = errors.New("hsdsread: a path that leads out of the input")
	// ErrZipBomb: a zip entry that expands more than Limits.MaxRatio.
	ErrZipBomb = errors.New("hsdsread: a zip entry expands too much")
	// ErrNotZip: a .zip that is not one, or is cut short.
	ErrNotZip = errors.New("hsdsread: not a readable zip file")
)

// Read reads the HSDS data at path: a folder (a tabular data package, JSON
// files, or both), a .zip of one, a datapackage.json (its folder), or a
// single .csv, .json, .ndjson or .jsonl file. Each record goes to sink as
// it is read. The Report says what was delivered and every problem; the
// error is for what stops the whole read: the context, the sink, an
// unsafe path or a zip bomb, a limit on the whole input, an unreadable
// input. The Report is returned with the error too, as far as it got.
func Read(ctx context.Context, p string, sink Sink, opt Options) (*Report, error) {
	s := newState(ctx, sink, opt)
	err := s.readPath(p)
	return s.done(err)
}

// ReadFS reads a folder-like tree as Read reads a folder. Symbolic links
// are followed only as far as fsys lets them: give it os.Root.FS (as Read
// does) for a folder on disk.
func ReadFS(ctx context.Context, fsys fs.FS, sink Sink, opt Options) (*Report, error) {
	s := newState(ctx, sink, opt)
	return s.done(s.readTree(fsys, "."))
}

// ReadZip reads a zip file as Read reads a folder, after checking every
// entry's path and size against the Options' limits.
func ReadZip(ctx context.Context, r io.ReaderAt, size int64, sink Sink, opt Options) (*Report, error) {
	s := newState(ctx, sink, opt)
	return s.done(s.readZip(r, size, "input.zip"))
}

// ReadFile reads one file from r: name (only its extension and base name
// matter) says whether it is CSV (.csv, .tsv, .txt) or JSON (.json,
// .ndjson, .jsonl), and which table or kind of object it holds
// ("phones.csv", "service_full.json"); with another extension the first
// byte decides ('{' or '[' is JSON).
func ReadFile(ctx context.Context, r io.Reader, name string, sink Sink, opt Options) (*Report, error) {
	s := newState(ctx, sink, opt)
	if strings.EqualFold(path.Ext(name), ".zip") {
		return s.rep, fmt.Errorf("%w: %s: a zip is read with ReadZip or Read, not as a stream", ErrNotZip, name)
	}
	c := &counter{r: r, max: s.opt.Limits.MaxFileBytes, total: &s.prog.BytesRead}
	return s.done(s.readOne(c, name))
}

func (s *state) done(err error) (*Report, error) {
	if err == nil {
		s.finish()
	}
	s.progress(s.prog.File, true)
	var stop errStop
	if errors.As(err, &stop) {
		err = stop.err
	}
	return s.rep, err
}

func (s *state) readPath(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("hsdsread: %w", err)
	}
	if !fi.IsDir() && strings.EqualFold(filepath.Base(p), "datapackage.json") {
		p = filepath.Dir(p)
		fi, err = os.Stat(p)
		if err != nil {
			return fmt.Errorf("hsdsread: %w", err)
		}
	}
	if fi.IsDir() {
		root, err := os.OpenRoot(p)
		if err != nil {
			return fmt.Errorf("hsdsread: %w", err)
		}
		defer root.Close()
		return s.readTree(root.FS(), ".")
	}
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("hsdsread: %w", err)
	}
	defer f.Close()
	if strings.EqualFold(filepath.Ext(p), ".zip") {
		return s.readZip(f, fi.Size(), filepath.Base(p))
	}
	s.prog.BytesTotal = fi.Size()
	c := &counter{r: f, max: s.opt.Limits.MaxFileBytes, total: &s.prog.BytesRead}
	return s.readOne(c, filepath.Base(p))
}

// isDataFile tells the files Read reads in a folder.
func isDataFile(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".csv", ".tsv", ".json", ".ndjson", ".jsonl":
		return true
	}
	return false
}

// readTree reads every data file under dir of fsys, in dependency order.
func (s *state) readTree(fsys fs.FS, dir string) error {
	var files []string
	sizes := map[string]int64{}
	descriptor := ""
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p != dir {
				return nil
			}
			return unsafeOr(p, err)
		}
		base := d.Name()
		if p != dir && (strings.HasPrefix(base, ".") || base == "__MACOSX") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 || !d.Type().IsRegular() {
			// Opened through fsys, which (os.Root) refuses a link out.
			fi, err := fs.Stat(fsys, p)
			if err != nil {
				return unsafeOr(p, err)
			}
			if !fi.Mode().IsRegular() {
				return nil
			}
		}
		if strings.EqualFold(base, "datapackage.json") {
			if descriptor == "" || strings.Count(p, "/") < strings.Count(descriptor, "/") {
				descriptor = p
			}
			return nil
		}
		if !isDataFile(base) {
			return nil
		}
		if len(files) >= s.opt.Limits.MaxFiles {
			return fmt.Errorf("hsdsread: more than %d files: %w", s.opt.Limits.MaxFiles, ErrTooLarge)
		}
		fi, err := fs.Stat(fsys, p)
		if err != nil {
			return unsafeOr(p, err)
		}
		files = append(files, p)
		sizes[p] = fi.Size()
		s.prog.BytesTotal += fi.Size()
		return nil
	})
	if err != nil {
		return err
	}
	if s.prog.BytesTotal > s.opt.Limits.MaxTotalBytes {
		return fmt.Errorf("hsdsread: %d bytes of files: %w", s.prog.BytesTotal, ErrTooLarge)
	}
	if descriptor != "" {
		if err := s.checkDescriptor(fsys, descriptor); err != nil {
			return err
		}
	}
	sortByRank(files)
	for _, p := range files {
		if sizes[p] > s.opt.Limits.MaxFileBytes {
			s.drop(Problem{File: p, Kind: TooLarge, Message: fmt.Sprintf("%d bytes, over the limit of %d; not read", sizes[p], s.opt.Limits.MaxFileBytes)})
			continue
		}
		if err := s.readFSFile(fsys, p); err != nil {
			return err
		}
	}
	return nil
}

// unsafeOr turns an error opening p through an os.Root into ErrUnsafePath
// when that is why it failed.
func unsafeOr(p string, err error) error {
	if strings.Contains(err.Error(), "escapes") || strings.Contains(err.Error(), "path escapes from parent") {
		return fmt.Errorf("%w: %s: %v", ErrUnsafePath, p, err)
	}
	return fmt.Errorf("hsdsread: %s: %w", p, err)
}

func (s *state) readFSFile(fsys fs.FS, p string) error {
	f, err := fsys.Open(p)
	if err != nil {
		return unsafeOr(p, err)
	}
	defer f.Close()
	s.progress(p, true)
	remaining := s.opt.Limits.MaxTotalBytes - s.prog.BytesRead
	c := &counter{r: f, max: min(s.opt.Limits.MaxFileBytes, remaining), total: &s.prog.BytesRead}
	return s.readOne(c, p)
}

// checkDescriptor reports the files a datapackage.json lists and the
// package lacks.
func (s *state) checkDescriptor(fsys fs.FS, p string) error {
	data, err := fs.ReadFile(fsys, p)
	if err != nil {
		return unsafeOr(p, err)
	}
	if int64(len(data)) > int64(s.opt.Limits.MaxObjectBytes) {
		s.problem(Problem{File: p, Kind: TooLarge, Message: "the descriptor is over the size limit; not read"})
		return nil
	}
	var d descriptor
	if err := jsonUnmarshal(data, &d); err != nil {
		s.problem(Problem{File: p, Kind: BadJSON, Message: "the descriptor: " + err.Error() + "; the files present are read"})
		return nil
	}
	base := path.Dir(p)
	for _, f := range d.paths() {
		if strings.Contains(f, "://") {
			continue // a remote resource, not fetched
		}
		name := path.Join(base, path.Clean("/" + f)[1:])
		if _, err := fs.Stat(fsys, name); err != nil {
			s.problem(Problem{File: name, Kind: MissingFile, Message: "listed in " + p + " and not in the package"})
		}
	}
	return nil
}

// readOne reads one file's bytes as CSV or JSON.
func (s *state) readOne(r io.Reader, name string) error {
	s.prog.File = name
	var err error
	switch strings.ToLower(path.Ext(name)) {
	case ".csv", ".tsv", ".txt":
		err = s.readCSV(r, name)
	case ".json", ".ndjson", ".jsonl":
		err = s.readJSON(newTextReaderReporting(s, r, name), name)
	default:
		br := bufio.NewReader(r)
		head, _ := br.Peek(512)
		if t := strings.TrimLeft(string(head), " \t\r\n\ufeff"); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
			err = s.readJSON(newTextReaderReporting(s, br, name), name)
		} else {
			err = s.readCSV(br, name)
		}
	}
	s.progress(name, true)
	return err
}

// newTextReaderReporting is a textReader for a JSON file that reports,
// once it is read, that the file was not UTF-8.
func newTextReaderReporting(s *state, r io.Reader, name string) io.Reader {
	return &reportingText{textReader: newTextReader(r), s: s, name: name}
}

type reportingText struct {
	*textReader
	s        *state
	name     string
	reported bool
}

func (r *reportingText) Read(p []byte) (int, error) {
	n, err := r.textReader.Read(p)
	if r.fixed != "" && !r.reported {
		r.reported = true
		r.s.problem(Problem{File: r.name, Kind: Encoding, Message: "not UTF-8; read as " + r.fixed})
	}
	return n, err
}

// sortByRank orders files (or tables) so that parents are read before
// their children, then by name.
func sortByRank(names []string) {
	sort.SliceStable(names, func(i, j int) bool {
		ri, rj := rankOfFile(names[i]), rankOfFile(names[j])
		if ri != rj {
			return ri < rj
		}
		return names[i] < names[j]
	})
}

// zipPathOK tells a zip entry's name that stays inside the folder it is
// unpacked in.
func zipPathOK(name string) bool {
	n := strings.ReplaceAll(name, `\`, "/")
	if n == "" || strings.HasPrefix(n, "/") || (len(n) > 1 && n[1] == ':') {
		return false
	}
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return false
		}
	}
	return true
}

func (s *state) readZip(r io.ReaderAt, size int64, name string) error {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return fmt.Errorf("%w: %s: %v", ErrNotZip, name, err)
	}
	l := s.opt.Limits
	var total uint64
	for _, f := range zr.File {
		if !zipPathOK(f.Name) {
			return fmt.Errorf("%w: %s holds %q", ErrUnsafePath, name, f.Name)
		}
		if f.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%w: %s holds a symbolic link %q", ErrUnsafePath, name, f.Name)
		}
		if f.FileInfo().IsDir() {
			continue
		}
		u, c := f.UncompressedSize64, f.CompressedSize64
		if u > uint64(l.MaxFileBytes) {
			return fmt.Errorf("hsdsread: %s: %q is %d bytes unpacked, over %d: %w", name, f.Name, u, l.MaxFileBytes, ErrTooLarge)
		}
		if u > 1<<20 && (c == 0 || u/c > uint64(l.MaxRatio)) {
			return fmt.Errorf("%w: %s: %q is %d bytes from %d (limit: %d times)", ErrZipBomb, name, f.Name, u, c, l.MaxRatio)
		}
		total += u
		if total > uint64(l.MaxTotalBytes) {
			return fmt.Errorf("hsdsread: %s: over %d bytes unpacked: %w", name, l.MaxTotalBytes, ErrTooLarge)
		}
	}
	return s.readTree(zr, ".")
}
