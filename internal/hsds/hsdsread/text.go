package hsdsread

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// ErrTooLarge is wrapped by the errors of inputs over a Limits bound.
var ErrTooLarge = errors.New("hsdsread: input over the size limit")

// errRead wraps an error reading the input itself (not its content).
var errRead = errors.New("hsdsread: reading the input")

// textReader makes a file's bytes UTF-8: a UTF-8 byte order mark is
// dropped, a UTF-16 one decodes the file as UTF-16, and any byte that is
// not part of valid UTF-8 is read as Windows-1252 (a superset of Latin-1,
// what spreadsheet programs on Windows write), so "Caf\xe9" becomes
// "Café". A file mixing both is read right on both counts. fixed tells
// whether any byte was read so, or the file was UTF-16.
type textReader struct {
	r     io.Reader
	raw   []byte // bytes read and not yet turned into out
	out   []byte
	eof   bool
	err   error
	fixed string // "" or what the file was read as
}

func newTextReader(r io.Reader) *textReader {
	br := bufio.NewReader(r)
	t := &textReader{}
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		_, _ = br.Discard(3)
		t.r = br
	case bytes.HasPrefix(head, []byte("\xff\xfe")), bytes.HasPrefix(head, []byte("\xfe\xff")):
		t.r = transform.NewReader(br, unicode.BOMOverride(unicode.UTF8.NewDecoder()))
		t.fixed = "UTF-16"
	default:
		t.r = br
	}
	return t
}

func (t *textReader) Read(p []byte) (int, error) {
	for len(t.out) == 0 {
		if t.eof {
			if t.err != nil {
				return 0, t.err
			}
			return 0, io.EOF
		}
		t.fill()
	}
	n := copy(p, t.out)
	t.out = t.out[n:]
	return n, nil
}

func (t *textReader) fill() {
	buf := make([]byte, 32<<10)
	n, err := t.r.Read(buf)
	t.raw = append(t.raw, buf[:n]...)
	if err != nil {
		t.eof = true
		if err != io.EOF {
			t.err = err
		}
	}
	out := t.out[:0]
	i := 0
	for i < len(t.raw) {
		b := t.raw[i]
		if b < utf8.RuneSelf {
			out = append(out, b)
			i++
			continue
		}
		if !t.eof && !utf8.FullRune(t.raw[i:]) {
			break // the rest of a sequence may come with the next read
		}
		r, size := utf8.DecodeRune(t.raw[i:])
		if r == utf8.RuneError && size == 1 {
			if t.fixed == "" {
				t.fixed = "Windows-1252"
			}
			out = utf8.AppendRune(out, charmap.Windows1252.DecodeByte(b))
			i++
			continue
		}
		out = append(out, t.raw[i:i+size]...)
		i += size
	}
	t.out = out
	t.raw = append(t.raw[:0], t.raw[i:]...)
}

// counter counts the bytes read through it, for progress and for the
// limit on a file's size.
type counter struct {
	r     io.Reader
	n     int64
	max   int64
	total *int64 // the whole input's count
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	*c.total += int64(n)
	if c.n > c.max {
		return n, ErrTooLarge
	}
	if err != nil && err != io.EOF {
		err = errors.Join(errRead, err)
	}
	return n, err
}
