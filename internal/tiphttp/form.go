package tiphttp

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/haven-project/haven/internal/intake"
)

// Limits of a multipart body beyond intake.MaxMultipartBytes in all.
const (
	MaxPartBytes = 128 << 10 // one text field
	maxParts     = 64
)

// ReadMultipart reads a multipart/form-data tip (the report form, or the
// API with attachments) entirely in memory: no part is ever written to a
// temporary file, as http.Request.ParseMultipartForm would for large ones.
// r.Body must already be limited (MaxMultipartBytes).
func ReadMultipart(r *http.Request) (intake.Submission, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return intake.Submission{}, &intake.FieldError{Field: "body", Code: intake.CodeInvalid}
	}
	var s intake.Submission
	seen := map[string]bool{}
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return s, readError(err)
		}
		if n >= maxParts {
			return s, &intake.FieldError{Field: "body", Code: intake.CodeTooMany, Max: maxParts}
		}
		name := part.FormName()
		if name == "" {
			return s, &intake.FieldError{Field: "body", Code: intake.CodeUnnamedPart}
		}
		if name == intake.FieldAttachments {
			if err := readFile(part, &s.Tip); err != nil {
				return s, err
			}
			continue
		}
		if seen[name] {
			return s, &intake.FieldError{Field: name, Code: intake.CodeInvalid}
		}
		seen[name] = true
		value, err := readText(part, name)
		if err != nil {
			return s, err
		}
		if err := s.Set(name, value); err != nil {
			return s, err
		}
	}
	if s.Reply == "receipt" {
		// Answer only on the site: a contact typed before choosing so is
		// not kept.
		s.Tip.ReplyContact = ""
	}
	return s, nil
}

func readError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &intake.FieldError{Field: "body", Code: intake.CodeTooBig, Max: int(tooLarge.Limit)}
	}
	return &intake.FieldError{Field: "body", Code: intake.CodeInvalid}
}

func readText(part *multipart.Part, name string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(part, MaxPartBytes+1))
	if err != nil {
		return "", readError(err)
	}
	if len(b) > MaxPartBytes {
		return "", &intake.FieldError{Field: name, Code: intake.CodeTooLongBytes, Max: MaxPartBytes}
	}
	return string(b), nil
}

func readFile(part *multipart.Part, t *intake.Tip) error {
	name := part.FileName()
	b, err := io.ReadAll(io.LimitReader(part, intake.MaxFileBytes+1))
	if err != nil {
		return readError(err)
	}
	if name == "" && len(b) == 0 {
		return nil // a file input left empty
	}
	if len(t.Files) >= intake.MaxFiles {
		return &intake.FieldError{Field: intake.FieldAttachments, Code: intake.CodeTooMany, Max: intake.MaxFiles}
	}
	if len(b) > intake.MaxFileBytes {
		return &intake.FieldError{Field: intake.FieldAttachments, Code: intake.CodeTooBig, Max: intake.MaxFileBytes, Name: name}
	}
	ct := part.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		ct = mt
	} else {
		ct = "application/octet-stream"
	}
	t.Files = append(t.Files, intake.File{Name: name, Type: ct, Data: b})
	return nil
}
