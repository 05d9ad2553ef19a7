// Package imgstrip removes what photos say about where, when and with what
// they were taken (EXIF with GPS, XMP, comments, thumbnails, text chunks),
// byte-wise and without re-encoding: JPEG and PNG keep only an allowlist of
// the parts an image needs, and an image with parts it does not know is
// refused rather than passed on as stripped ([Strip]).
package imgstrip

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"strings"
)

// ErrImageMalformed is wrapped by every error of StripJPEG, StripPNG and
// Strip: the upload is not a well-formed image of the type its bytes (or its
// declared type) say, and should be refused with a clear message.
var ErrImageMalformed = errors.New("imgstrip: malformed image")

// Magic numbers that identify the formats Strip handles.
const (
	jpegMagic = "\xFF\xD8\xFF"
	pngMagic  = "\x89PNG\r\n\x1a\n"
)

// Strip removes metadata from an uploaded image, choosing the format by its
// magic bytes, never by the declared contentType:
//
//   - JPEG: see [StripJPEG];
//   - PNG: see [StripPNG];
//   - anything else is returned unchanged (the same slice) with stripped
//     false, and the caller decides what to do with a file that may still
//     carry metadata (GIF, WebP, HEIC, PDF and so on).
//
// The one use of contentType is a consistency check: if it claims JPEG or PNG
// but the bytes are neither, Strip returns an error wrapping
// [ErrImageMalformed] rather than pass the file on unstripped.
func Strip(contentType string, b []byte) (out []byte, stripped bool, err error) {
	switch {
	case bytes.HasPrefix(b, []byte(jpegMagic)):
		out, err = StripJPEG(b)
		return out, err == nil, err
	case bytes.HasPrefix(b, []byte(pngMagic)):
		out, err = StripPNG(b)
		return out, err == nil, err
	}
	if mt, _, perr := mime.ParseMediaType(contentType); perr == nil {
		switch strings.ToLower(mt) {
		case "image/jpeg", "image/jpg", "image/pjpeg", "image/png", "image/x-png", "image/apng":
			return nil, false, fmt.Errorf("%w: declared %s but the content is neither JPEG nor PNG", ErrImageMalformed, mt)
		}
	}
	return b, false, nil
}

// malformed returns an error wrapping ErrImageMalformed.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrImageMalformed}, args...)...)
}
