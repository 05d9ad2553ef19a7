package imgstrip

import "bytes"

// JPEG markers (ITU T.81, table B.1) that StripJPEG knows.
const (
	jpegSOF0  = 0xC0 // SOF0–SOF15 are frame headers, but for the three below
	jpegDHT   = 0xC4 // Huffman tables
	jpegJPG   = 0xC8 // reserved for JPEG extensions
	jpegDAC   = 0xCC // arithmetic coding conditioning
	jpegSOF15 = 0xCF
	jpegRST0  = 0xD0 // restart markers RST0–RST7, no length
	jpegRST7  = 0xD7
	jpegSOI   = 0xD8 // start of image
	jpegEOI   = 0xD9 // end of image
	jpegSOS   = 0xDA // start of scan
	jpegDQT   = 0xDB // quantization tables
	jpegDNL   = 0xDC // number of lines
	jpegDRI   = 0xDD // restart interval
	jpegTEM   = 0x01 // no length
	jpegAPP0  = 0xE0
	jpegAPP14 = 0xEE
	jpegAPP15 = 0xEF
	jpegCOM   = 0xFE
)

// jfifHeaderLen is the length of an APP0 "JFIF" payload without thumbnail:
// identifier (5), version (2), units (1), densities (4), thumbnail size (2).
// adobeLen is that of an APP14 "Adobe" payload: identifier (5), version (2),
// flags (4), colour transform (1).
const (
	jfifHeaderLen = 14
	jfifIDLen     = 5
	adobeLen      = 12
)

// StripJPEG returns a copy of the JPEG image b without metadata, byte-wise,
// without re-encoding. It keeps only what decoding needs, and refuses what
// it does not know:
//
//   - kept: the frame header (SOF0–SOF15 but for DHT, JPG and DAC), the
//     tables (DHT, DQT, DAC), DRI, DNL, each scan (SOS and its
//     entropy-coded data, restart markers included) and EOI. A kept
//     segment must be exactly as long as its content (T.81 B.2–B.3 and
//     E.1): slack after the last table or component, where anything could
//     hide, is refused;
//   - APP0 "JFIF" is kept without its thumbnail and APP14 "Adobe", which
//     decoders need to get colours right, without anything after its 12
//     bytes; other APP0 and APP14 segments are dropped;
//   - dropped: every other APP1–APP15 segment (EXIF and its GPS tags, XMP,
//     ICC profiles, multi-picture data, IPTC in APP13, maker data), every
//     COM (comment) segment, TEM, and anything after the end-of-image
//     marker (appended videos of "motion photos", vendor trailers). A
//     thumbnail can show what the tipster cropped out;
//   - refused: any other marker (JPG, JPG0–JPG13, the reserved 0x02–0xBF,
//     the hierarchical DHP and EXP). Decoders such as libjpeg and
//     image/jpeg refuse these too, so such a file is no image a viewer
//     would show; dropping the segment instead would pass on a file that
//     may decode differently, or not at all, as cleaned.
//
// Dropping ICC profiles means wide-gamut photos are shown as sRGB, slightly
// less vivid; profiles can name the device. A refused, structurally
// malformed or truncated JPEG is an error wrapping [ErrImageMalformed].
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
		case m == jpegTEM:
			continue // no content: nothing to keep
		case jpegRST0 <= m && m <= jpegRST7:
			out = append(out, 0xFF, m)
			continue
		case !jpegKnown(m):
			return nil, malformed("JPEG: unknown marker 0x%02X at byte %d", m, i-1)
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
		case m == jpegAPP14:
			out = appendAdobe(out, payload)
		case jpegAPP0 < m && m <= jpegAPP15, m == jpegCOM:
			// metadata: dropped
		case m == jpegSOS:
			if !jpegLengthOK(m, payload) {
				return nil, malformed("JPEG: scan header at byte %d has a bad length", i-n-2)
			}
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
			if !jpegLengthOK(m, payload) {
				return nil, malformed("JPEG: segment 0x%02X at byte %d is not as long as its content", m, i-n-2)
			}
			out = append(out, 0xFF, m)
			out = append(out, seg...)
		}
	}
}

// jpegKnown reports whether StripJPEG keeps or knowingly drops segments
// with marker m (SOI, EOI, TEM and RSTn aside).
func jpegKnown(m byte) bool {
	switch {
	case jpegSOF0 <= m && m <= jpegSOF15 && m != jpegJPG: // frames, DHT, DAC
		return true
	case m == jpegSOS, m == jpegDQT, m == jpegDNL, m == jpegDRI:
		return true
	case jpegAPP0 <= m && m <= jpegAPP15, m == jpegCOM:
		return true
	}
	return false
}

// jpegLengthOK reports whether the payload of a kept segment with marker m
// is exactly as long as what it holds says (ITU T.81 B.2.2–B.2.4, B.2.5,
// B.3 and E.1), leaving no slack.
func jpegLengthOK(m byte, p []byte) bool {
	switch m {
	case jpegSOS: // Ns, Ns × (Cs, Td/Ta), Ss, Se, Ah/Al
		return len(p) >= 1 && 1 <= p[0] && p[0] <= 4 && len(p) == 1+2*int(p[0])+3
	case jpegDRI, jpegDNL: // Ri or NL
		return len(p) == 2
	case jpegDAC: // Tc/Tb, Cs per table; Tc 0 or 1, Tb 0 to 3
		if len(p) == 0 || len(p)%2 != 0 {
			return false
		}
		for ; len(p) > 0; p = p[2:] {
			if p[0]>>4 > 1 || p[0]&0x0F > 3 {
				return false
			}
		}
		return true
	case jpegDQT: // Pq/Tq, then 64 values of 8 or 16 bits, per table; Tq 0 to 3
		if len(p) == 0 {
			return false
		}
		for len(p) > 0 {
			size := 1 + 64
			if p[0]>>4 == 1 {
				size = 1 + 128
			} else if p[0]>>4 != 0 || p[0]&0x0F > 3 {
				return false
			}
			if len(p) < size {
				return false
			}
			p = p[size:]
		}
		return true
	case jpegDHT: // Tc/Th, 16 counts, then at most 256 values, per table; Tc 0 or 1, Th 0 to 3
		if len(p) == 0 {
			return false
		}
		for len(p) > 0 {
			if len(p) < 17 || p[0]>>4 > 1 || p[0]&0x0F > 3 {
				return false
			}
			values := 0
			for _, c := range p[1:17] {
				values += int(c)
			}
			if values > 256 || len(p) < 17+values {
				return false
			}
			p = p[17+values:]
		}
		return true
	}
	// A frame header: P, Y, X, Nf, then Nf × (C, H/V, Tq).
	return len(p) >= 6 && p[5] > 0 && len(p) == 6+3*int(p[5])
}

// appendJFIF appends an APP0 segment with payload to out if it is a JFIF
// header, without its thumbnail; any other APP0 is left out. A header too
// short to hold the version and densities is cut to its identifier, which
// is all a decoder reads of it.
func appendJFIF(out, payload []byte) []byte {
	if !bytes.HasPrefix(payload, []byte("JFIF\x00")) {
		return out
	}
	if len(payload) < jfifHeaderLen {
		out = append(out, 0xFF, jpegAPP0, 0, 2+jfifIDLen)
		return append(out, payload[:jfifIDLen]...)
	}
	out = append(out, 0xFF, jpegAPP0, 0, 2+jfifHeaderLen)
	out = append(out, payload[:jfifHeaderLen-2]...)
	return append(out, 0, 0) // thumbnail width and height
}

// appendAdobe appends an APP14 segment with payload to out if it is an
// Adobe header, cut to its 12 bytes; decoders read no more of it, and
// ignore one that is shorter, which is left out like any other APP14.
func appendAdobe(out, payload []byte) []byte {
	if !bytes.HasPrefix(payload, []byte("Adobe")) || len(payload) < adobeLen {
		return out
	}
	out = append(out, 0xFF, jpegAPP14, 0, 2+adobeLen)
	return append(out, payload[:adobeLen]...)
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
