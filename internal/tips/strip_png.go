package tips

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
)

// keepPNGAncillary reports whether StripPNG keeps an ancillary chunk: only
// the ones that affect how the image is shown and carry no free text.
func keepPNGAncillary(typ string) bool {
	switch typ {
	case "tRNS", // transparency
		"gAMA", "cHRM", "sRGB", // gamma, chromaticities, sRGB rendering intent
		"cICP", "mDCV", "cLLI", // HDR: code points, mastering display, light level
		"sBIT", "bKGD", "hIST", // significant bits, background, palette histogram
		"pHYs",                 // pixel size and aspect ratio
		"acTL", "fcTL", "fdAT": // APNG animation control, frame control, frame data
		return true
	}
	return false
}

// pngMaxChunk is the largest chunk length the PNG specification allows.
const pngMaxChunk = 1<<31 - 1

// StripPNG returns a copy of the PNG image b without metadata, byte-wise,
// without re-encoding. It checks the signature, that IHDR comes first and
// every chunk's CRC, and stops after IEND, dropping anything that follows.
//
// It keeps every critical chunk (IHDR, PLTE, IDAT, IEND) and the ancillary
// chunks that affect rendering and hold no free text (transparency, gamma,
// chromaticities, sRGB, HDR, significant bits, background, histogram, pixel
// size, APNG animation). It drops every other ancillary chunk: text (tEXt,
// zTXt, iTXt), EXIF (eXIf), modification time (tIME), ICC profiles (iCCP,
// which can name the device; dropped from JPEGs too), content credentials
// (caBX) and private or unknown chunks, which may hold anything.
//
// A malformed or truncated PNG, or a CRC mismatch, is an error wrapping
// [ErrImageMalformed].
func StripPNG(b []byte) ([]byte, error) {
	if !bytes.HasPrefix(b, []byte(pngMagic)) {
		return nil, malformed("PNG: bad signature")
	}
	out := make([]byte, 0, len(b))
	out = append(out, pngMagic...)
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
		if typ[0]&0x20 == 0 || keepPNGAncillary(name) {
			out = append(out, b[i:end]...)
		}
		if name == "IEND" {
			return out, nil
		}
		i = end
	}
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
