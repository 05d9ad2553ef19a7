package tips

import "bytes"

// JPEG markers (ITU T.81, table B.1) that StripJPEG treats specially.
const (
	jpegSOI   = 0xD8 // start of image
	jpegEOI   = 0xD9 // end of image
	jpegSOS   = 0xDA // start of scan
	jpegRST0  = 0xD0 // restart markers RST0–RST7, no length
	jpegRST7  = 0xD7
	jpegTEM   = 0x01 // no length
	jpegAPP0  = 0xE0
	jpegAPP14 = 0xEE
	jpegAPP15 = 0xEF
	jpegCOM   = 0xFE
)

// jfifHeaderLen is the length of an APP0 "JFIF" payload without thumbnail:
// identifier (5), version (2), units (1), densities (4), thumbnail size (2).
const jfifHeaderLen = 14

// StripJPEG returns a copy of the JPEG image b without metadata, byte-wise,
// without re-encoding:
//
//   - every APP1–APP15 segment is dropped (EXIF and its GPS tags, XMP, ICC
//     profiles, multi-picture data, IPTC in APP13, maker data), except APP14
//     "Adobe", which decoders need to get colours right;
//   - every COM (comment) segment is dropped;
//   - APP0 "JFIF" is kept but any thumbnail in it is removed, and other APP0
//     segments (JFXX thumbnails and the like) are dropped: a thumbnail can
//     show what the tipster cropped out;
//   - anything after the end-of-image marker is dropped (appended videos of
//     "motion photos", vendor trailers);
//   - everything else, including the entropy-coded data of every scan, is
//     copied unchanged.
//
// Dropping ICC profiles means wide-gamut photos are shown as sRGB, slightly
// less vivid; profiles can name the device. A structurally malformed or
// truncated JPEG is an error wrapping [ErrImageMalformed].
func StripJPEG(b []byte) ([]byte, error) {
	if len(b) < 2 || b[0] != 0xFF || b[1] != jpegSOI {
		return nil, malformed("JPEG: no start-of-image marker")
	}
	out := make([]byte, 0, len(b))
	out = append(out, 0xFF, jpegSOI)
	sawScan := false
	for i := 2; ; {
		if i >= len(b) {
			return nil, malformed("JPEG: truncated, no end-of-image marker")
		}
		if b[i] != 0xFF {
			return nil, malformed("JPEG: expected a marker at byte %d", i)
		}
		for i < len(b) && b[i] == 0xFF { // fill bytes may precede a marker
			i++
		}
		if i >= len(b) {
			return nil, malformed("JPEG: truncated, no end-of-image marker")
		}
		m := b[i]
		i++
		switch {
		case m == jpegEOI:
			if !sawScan {
				return nil, malformed("JPEG: no image data")
			}
			return append(out, 0xFF, jpegEOI), nil
		case m == 0x00 || m == jpegSOI:
			return nil, malformed("JPEG: unexpected marker 0x%02X at byte %d", m, i-1)
		case m == jpegTEM || (jpegRST0 <= m && m <= jpegRST7):
			out = append(out, 0xFF, m)
			continue
		}

		// Every other marker starts a segment with a 16-bit length that
		// counts itself.
		if i+2 > len(b) {
			return nil, malformed("JPEG: truncated segment 0x%02X", m)
		}
		n := int(b[i])<<8 | int(b[i+1])
		if n < 2 || i+n > len(b) {
			return nil, malformed("JPEG: segment 0x%02X at byte %d has a bad length", m, i-2)
		}
		seg := b[i : i+n] // length and payload
		payload := seg[2:]
		i += n
		switch {
		case m == jpegAPP0:
			out = appendJFIF(out, payload)
		case m == jpegAPP14 && bytes.HasPrefix(payload, []byte("Adobe")):
			out = append(out, 0xFF, m)
			out = append(out, seg...)
		case jpegAPP0 < m && m <= jpegAPP15, m == jpegCOM:
			// metadata: dropped
		case m == jpegSOS:
			out = append(out, 0xFF, m)
			out = append(out, seg...)
			end, err := jpegScanEnd(b, i)
			if err != nil {
				return nil, err
			}
			out = append(out, b[i:end]...)
			i = end
			sawScan = true
		default:
			out = append(out, 0xFF, m)
			out = append(out, seg...)
		}
	}
}

// appendJFIF appends an APP0 segment with payload to out if it is a JFIF
// header, without its thumbnail; any other APP0 is left out.
func appendJFIF(out, payload []byte) []byte {
	if !bytes.HasPrefix(payload, []byte("JFIF\x00")) {
		return out
	}
	if len(payload) >= jfifHeaderLen {
		out = append(out, 0xFF, jpegAPP0, 0, 2+jfifHeaderLen)
		out = append(out, payload[:jfifHeaderLen-2]...)
		return append(out, 0, 0) // thumbnail width and height
	}
	out = append(out, 0xFF, jpegAPP0, 0, byte(2+len(payload)))
	return append(out, payload...)
}

// jpegScanEnd returns the index of the marker that ends the entropy-coded data
// starting at b[i]. Inside it 0xFF is followed by 0x00 (a stuffed byte), a
// restart marker or more 0xFF fill bytes; any other byte after 0xFF is a
// marker, and the returned index is that of its last 0xFF.
func jpegScanEnd(b []byte, i int) (int, error) {
	for {
		k := bytes.IndexByte(b[i:], 0xFF)
		if k < 0 {
			return 0, malformed("JPEG: truncated scan data")
		}
		i += k
		if i+1 >= len(b) {
			return 0, malformed("JPEG: truncated scan data")
		}
		switch c := b[i+1]; {
		case c == 0x00, jpegRST0 <= c && c <= jpegRST7:
			i += 2
		case c == 0xFF:
			i++
		default:
			return i, nil
		}
	}
}
