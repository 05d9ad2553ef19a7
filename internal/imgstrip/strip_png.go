package imgstrip

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
)

// PNG colour types (IHDR).
const (
	pngGrey      = 0
	pngRGB       = 2
	pngPalette   = 3
	pngGreyAlpha = 4
	pngRGBA      = 6
)

// pngKeepLen reports whether StripPNG keeps a chunk of type typ with n bytes
// of data, in an image of colour type ct whose palette has plte entries.
// Each kept chunk is one that affects how the image is shown and holds
// numbers of a fixed meaning, never free text, and must have the length the
// PNG specification (third edition) gives it for the colour type, so that
// nothing can ride along after its fields. For every other chunk, and a
// kept type of another length, it reports false.
func pngKeepLen(typ string, n int, ct byte, plte int) bool {
	switch typ {
	case "tRNS": // transparency: a grey or RGB sample, or an alpha per palette entry
		switch ct {
		case pngGrey:
			return n == 2
		case pngRGB:
			return n == 6
		case pngPalette:
			return 1 <= n && n <= plte
		}
		return false // the image has an alpha channel
	case "bKGD": // background: a grey or RGB sample, or a palette index
		switch ct {
		case pngGrey, pngGreyAlpha:
			return n == 2
		case pngRGB, pngRGBA:
			return n == 6
		case pngPalette:
			return n == 1
		}
		return false
	case "sBIT": // significant bits, one per channel
		switch ct {
		case pngGrey:
			return n == 1
		case pngRGB, pngPalette:
			return n == 3
		case pngGreyAlpha:
			return n == 2
		case pngRGBA:
			return n == 4
		}
		return false
	case "hIST": // palette histogram, 16 bits an entry
		return plte > 0 && n == 2*plte
	case "gAMA": // gamma
		return n == 4
	case "cHRM": // chromaticities
		return n == 32
	case "sRGB": // sRGB rendering intent
		return n == 1
	case "cICP": // HDR: coding-independent code points
		return n == 4
	case "mDCV": // HDR: mastering display colour volume
		return n == 24
	case "cLLI": // HDR: content light level
		return n == 8
	case "pHYs": // pixel size and aspect ratio
		return n == 9
	case "acTL": // APNG animation control
		return n == 8
	case "fcTL": // APNG frame control
		return n == 26
	case "fdAT": // APNG frame data: a sequence number, then image data like IDAT's
		return n >= 4
	}
	return false
}

// pngMaxChunk is the largest chunk length the PNG specification allows.
const pngMaxChunk = 1<<31 - 1

// StripPNG returns a copy of the PNG image b without metadata, byte-wise,
// without re-encoding. It checks the signature, that IHDR comes first and
// every chunk's CRC, and stops after IEND, dropping anything that follows.
//
// What it keeps is a list, not what a list of metadata leaves:
//
//   - the critical chunks IHDR, PLTE, IDAT and IEND, each of the length
//     the specification gives it (IHDR 13 bytes, PLTE 1 to 256 entries,
//     IEND empty), or the image is refused;
//   - the ancillary chunks that affect rendering and hold only numbers
//     (transparency, gamma, chromaticities, sRGB, HDR, significant bits,
//     background, histogram, pixel size, APNG animation), each only if
//     it has its right length for the image (see pngKeepLen); one of
//     another length is dropped, as decoders ignore it.
//
// It drops every other ancillary chunk: text (tEXt, zTXt, iTXt), EXIF
// (eXIf), modification time (tIME), ICC profiles (iCCP, which can name the
// device; dropped from JPEGs too), content credentials (caBX) and private
// or unknown chunks, which may hold anything. It refuses an image with any
// other critical chunk: the specification has decoders refuse it too, so it
// is not an image a viewer would show, and it may hold anything.
//
// A refused, malformed or truncated PNG, or a CRC mismatch, is an error
// wrapping [ErrImageMalformed].
func StripPNG(b []byte) ([]byte, error) {
	if !bytes.HasPrefix(b, []byte(pngMagic)) {
		return nil, malformed("PNG: bad signature")
	}
	out := make([]byte, 0, len(b))
	out = append(out, pngMagic...)
	var ct byte // colour type
	plte := 0   // palette entries
	for i := len(pngMagic); ; {
		if len(b)-i < 12 {
			return nil, malformed("PNG: truncated, no IEND chunk")
		}
		n := binary.BigEndian.Uint32(b[i:])
		if n > pngMaxChunk || uint64(len(b)-i-12) < uint64(n) {
			return nil, malformed("PNG: chunk at byte %d has a bad length", i)
		}
		end := i + 12 + int(n)
		typ := b[i+4 : i+8]
		if !validPNGChunkType(typ) {
			return nil, malformed("PNG: bad chunk type at byte %d", i+4)
		}
		if crc32.ChecksumIEEE(b[i+4:end-4]) != binary.BigEndian.Uint32(b[end-4:]) {
			return nil, malformed("PNG: chunk %s at byte %d has a bad CRC", typ, i)
		}
		name := string(typ)
		if i == len(pngMagic) && name != "IHDR" {
			return nil, malformed("PNG: first chunk is %s, not IHDR", typ)
		}
		switch ok, known := pngCriticalLen(name, n); {
		case known && !ok:
			return nil, malformed("PNG: chunk %s at byte %d has a bad length", typ, i)
		case known:
			out = append(out, b[i:end]...)
		case typ[0]&0x20 == 0: // critical: no decoder shows the image without knowing it
			return nil, malformed("PNG: unknown critical chunk %s at byte %d", typ, i)
		case pngKeepLen(name, int(n), ct, plte):
			out = append(out, b[i:end]...)
		}
		switch name {
		case "IHDR":
			ct = b[i+8+9]
		case "PLTE":
			plte = int(n) / 3
		case "IEND":
			return out, nil
		}
		i = end
	}
}

// pngCriticalLen reports whether typ is one of the critical chunks StripPNG
// keeps (known), and if so whether n bytes is a right length for it (ok).
func pngCriticalLen(typ string, n uint32) (ok, known bool) {
	switch typ {
	case "IHDR":
		return n == 13, true
	case "PLTE":
		return n%3 == 0 && 3 <= n && n <= 3*256, true
	case "IDAT":
		return true, true
	case "IEND":
		return n == 0, true
	}
	return false, false
}

// validPNGChunkType reports whether a chunk type is four ASCII letters.
func validPNGChunkType(typ []byte) bool {
	for _, c := range typ {
		if ('A' > c || c > 'Z') && ('a' > c || c > 'z') {
			return false
		}
	}
	return true
}
