package imgstrip

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// canary marks metadata that stripping must remove.
const canary = "CANARY-GPS 51.5074N 0.1278W"

func testImage(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) * 7), uint8(255 - x)})
		}
	}
	return img
}

func testJPEG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testImage(w, h), &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func testPNG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, testImage(w, h)); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// jpegSegment builds a marker segment.
func jpegSegment(marker byte, payload []byte) []byte {
	seg := []byte{0xFF, marker, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	return append(seg, payload...)
}

// jpegWithMetadata inserts segments after SOI and appends a trailer after EOI.
func jpegWithMetadata(jpg []byte, trailer []byte, segs ...[]byte) []byte {
	out := append([]byte(nil), jpg[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	out = append(out, jpg[2:]...)
	return append(out, trailer...)
}

// pngChunk builds a chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// pngWithChunks inserts chunks after IHDR and before IEND, and appends a
// trailer after IEND.
func pngWithChunks(p []byte, afterIHDR, beforeIEND [][]byte, trailer []byte) []byte {
	const ihdrEnd = 8 + 12 + 13
	out := append([]byte(nil), p[:ihdrEnd]...)
	for _, c := range afterIHDR {
		out = append(out, c...)
	}
	out = append(out, p[ihdrEnd:len(p)-12]...)
	for _, c := range beforeIEND {
		out = append(out, c...)
	}
	out = append(out, p[len(p)-12:]...)
	return append(out, trailer...)
}

func adobeAPP14() []byte {
	// "Adobe", version 100, flags0, flags1, transform 1 (YCbCr).
	return jpegSegment(jpegAPP14, []byte("Adobe\x00\x64\x00\x00\x00\x00\x01"))
}

func jpegWithAllMetadata(tb testing.TB) []byte {
	tb.Helper()
	thumb := bytes.Repeat([]byte(canary[:3]), 4) // a 2×2 RGB thumbnail
	return jpegWithMetadata(testJPEG(tb, 40, 30), []byte("MotionPhoto_Data"+canary),
		jpegSegment(jpegAPP0, append([]byte("JFIF\x00\x01\x02\x00\x00\x48\x00\x48\x02\x02"), thumb...)),
		jpegSegment(jpegAPP0, []byte("JFXX\x00\x10"+canary)),
		jpegSegment(0xE1, []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08 GPSInfo "+canary)),
		jpegSegment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>"+canary+"</x:xmpmeta>")),
		jpegSegment(0xE2, []byte("ICC_PROFILE\x00\x01\x01 device "+canary)),
		jpegSegment(0xE2, []byte("MPF\x00"+canary)),
		jpegSegment(0xED, []byte("Photoshop 3.0\x008BIM IPTC "+canary)),
		jpegSegment(jpegAPP14, []byte("NotAdobe "+canary)),
		adobeAPP14(),
		jpegSegment(jpegAPP15, []byte(canary)),
		jpegSegment(jpegCOM, []byte("comment "+canary)),
	)
}

func pngWithAllMetadata(tb testing.TB) []byte {
	tb.Helper()
	return pngWithChunks(testPNG(tb, 40, 30),
		[][]byte{
			pngChunk("gAMA", []byte{0, 0, 0xb1, 0x8f}),
			pngChunk("iCCP", []byte("device profile "+canary+"\x00\x00")),
			pngChunk("pHYs", []byte{0, 0, 0x0b, 0x13, 0, 0, 0x0b, 0x13, 1}),
			pngChunk("tEXt", []byte("GPS\x00"+canary)),
			pngChunk("zTXt", []byte("Comment\x00\x00"+canary)),
			pngChunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00"+canary)),
			pngChunk("eXIf", []byte("MM\x00\x2a"+canary)),
			pngChunk("tIME", []byte{0x07, 0xea, 3, 1, 12, 0, 0}),
		},
		[][]byte{
			pngChunk("caBX", []byte("c2pa manifest "+canary)),
			pngChunk("prVt", []byte(canary)),
			pngChunk("tEXt", []byte("Author\x00"+canary)),
		},
		[]byte("trailing "+canary))
}

// decode decodes an image and fails the test if it cannot.
func decode(tb testing.TB, b []byte) image.Image {
	tb.Helper()
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("decode: %v", err)
	}
	return img
}

// samePixels reports whether two images have the same bounds and colours.
func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}

// jpegMarkers lists the markers of the segments of a JPEG before its first
// scan, in order.
func jpegMarkers(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var ms []byte
	for i := 2; i+4 <= len(b) && b[i] == 0xFF; {
		m := b[i+1]
		ms = append(ms, m)
		if m == jpegSOS {
			break
		}
		i += 2 + int(binary.BigEndian.Uint16(b[i+2:]))
	}
	return ms
}

func TestStripJPEG(t *testing.T) {
	t.Parallel()
	in := jpegWithAllMetadata(t)
	if !bytes.Contains(in, []byte(canary)) {
		t.Fatal("test image has no canary")
	}
	want := decode(t, in)
	out, err := StripJPEG(in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte(canary)) || bytes.Contains(out, []byte(canary[:3])) {
		t.Error("the canary survived stripping")
	}
	for _, m := range jpegMarkers(t, out) {
		if (0xE1 <= m && m <= 0xEF && m != jpegAPP14) || m == jpegCOM {
			t.Errorf("segment 0x%02X survived stripping", m)
		}
	}
	if !bytes.Contains(out, adobeAPP14()) {
		t.Error("the Adobe APP14 segment was removed")
	}
	if !bytes.Contains(out, jpegSegment(jpegAPP0, []byte("JFIF\x00\x01\x02\x00\x00\x48\x00\x48\x00\x00"))) {
		t.Error("the JFIF segment is not kept without its thumbnail")
	}
	if !bytes.HasSuffix(out, []byte{0xFF, jpegEOI}) {
		t.Error("output does not end at EOI")
	}
	if got := decode(t, out); !samePixels(got, want) {
		t.Error("stripped image decodes differently")
	}
	if got := decode(t, out).Bounds().Size(); got != image.Pt(40, 30) {
		t.Errorf("size %v, want 40×30", got)
	}
	again, err := StripJPEG(out)
	if err != nil || !bytes.Equal(again, out) {
		t.Errorf("stripping twice changed the image (err %v)", err)
	}
	// A plain encoder output keeps everything but nothing is added.
	plain := testJPEG(t, 17, 9)
	if out, err := StripJPEG(plain); err != nil || !bytes.Equal(out, plain) {
		t.Errorf("a JPEG without metadata changed (err %v)", err)
	}
}

// Minimal, well-formed contents of the segments a JPEG needs: one
// quantization table, a one-component 1×1 frame, one Huffman table with one
// code, and the header of a one-component scan.
var (
	testDQT = append([]byte{0x00}, bytes.Repeat([]byte{1}, 64)...)
	testSOF = []byte{8, 0, 1, 0, 1, 1, 1, 0x11, 0}
	testDHT = append(append([]byte{0x00, 1}, make([]byte, 15)...), 0)
	testSOS = []byte{1, 1, 0x00, 0, 63, 0}
)

func TestStripJPEGProgressiveAndRestarts(t *testing.T) {
	t.Parallel()
	// A hand-made stream: two scans with DHT between them, stuffed bytes,
	// restart markers and fill bytes, as progressive encoders write.
	seg := jpegSegment
	var in []byte
	in = append(in, 0xFF, jpegSOI)
	in = append(in, seg(jpegDQT, testDQT)...)
	in = append(in, seg(0xC2, testSOF)...)
	in = append(in, seg(jpegSOS, testSOS)...)
	scan1 := []byte{0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xFF, 0x00, 0x78}
	in = append(in, scan1...)
	in = append(in, 0xFF, 0xFF) // fill bytes before the next marker
	in = append(in, seg(jpegCOM, []byte(canary))...)
	in = append(in, 0xFF, jpegTEM)
	in = append(in, seg(jpegDHT, testDHT)...)
	in = append(in, seg(jpegDRI, []byte{0, 8})...)
	in = append(in, seg(jpegSOS, testSOS)...)
	scan2 := []byte{0x9A, 0xFF, 0x00}
	in = append(in, scan2...)
	in = append(in, 0xFF, jpegEOI)

	var want []byte
	want = append(want, 0xFF, jpegSOI)
	want = append(want, seg(jpegDQT, testDQT)...)
	want = append(want, seg(0xC2, testSOF)...)
	want = append(want, seg(jpegSOS, testSOS)...)
	want = append(want, scan1...)
	want = append(want, 0xFF, 0xFF) // fill bytes before a marker's 0xFF stay with the scan
	want = append(want, seg(jpegDHT, testDHT)...)
	want = append(want, seg(jpegDRI, []byte{0, 8})...)
	want = append(want, seg(jpegSOS, testSOS)...)
	want = append(want, scan2...)
	want = append(want, 0xFF, jpegEOI)

	out, err := StripJPEG(in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("StripJPEG =\n% X\nwant\n% X", out, want)
	}
}

// jpegWithUnknown returns a JPEG with a segment of marker m, carrying the
// canary, after its SOI.
func jpegWithUnknown(tb testing.TB, m byte) []byte {
	tb.Helper()
	return jpegWithMetadata(testJPEG(tb, 16, 8), nil, jpegSegment(m, []byte(canary)))
}

// A marker StripJPEG does not know is refused, not passed on as stripped:
// the JPEG extensions JPG and JPG0–JPG13, the reserved 0x02–0xBF and the
// hierarchical DHP and EXP.
func TestStripJPEGRefusesUnknownMarkers(t *testing.T) {
	t.Parallel()
	markers := []byte{jpegJPG, 0x02, 0x4E, 0xBF, 0xDE, 0xDF}
	for m := byte(0xF0); m <= 0xFD; m++ {
		markers = append(markers, m)
	}
	for _, m := range markers {
		in := jpegWithUnknown(t, m)
		out, err := StripJPEG(in)
		if !errors.Is(err, ErrImageMalformed) || out != nil {
			t.Errorf("marker 0x%02X: StripJPEG gave %d bytes, err %v; want ErrImageMalformed", m, len(out), err)
		}
		if out, stripped, err := Strip("image/jpeg", in); err == nil || stripped || bytes.Contains(out, []byte(canary)) {
			t.Errorf("marker 0x%02X: Strip gave stripped %v, err %v", m, stripped, err)
		}
	}
}

// Nothing rides along in the segments StripJPEG keeps: slack after their
// content is refused, and the JFIF and Adobe headers are cut to what
// decoders read of them.
func TestStripJPEGKeptSegmentsCarryNothingMore(t *testing.T) {
	t.Parallel()
	jpg := testJPEG(t, 16, 8)
	slack := func(m byte, p []byte) []byte { return jpegSegment(m, append(bytes.Clone(p), canary...)) }
	// jpegReplace puts seg in place of the first segment with marker m.
	jpegReplace := func(m byte, seg []byte) []byte {
		for i := 2; i+4 <= len(jpg); {
			n := 2 + int(binary.BigEndian.Uint16(jpg[i+2:]))
			if jpg[i+1] == m {
				return append(append(bytes.Clone(jpg[:i]), seg...), jpg[i+n:]...)
			}
			i += n
		}
		t.Fatalf("no marker 0x%02X in the test image", m)
		return nil
	}
	refused := map[string][]byte{
		"DQT":       jpegWithMetadata(jpg, nil, slack(jpegDQT, testDQT)),
		"DHT":       jpegWithMetadata(jpg, nil, slack(jpegDHT, testDHT)),
		"DRI":       jpegWithMetadata(jpg, nil, slack(jpegDRI, []byte{0, 8})),
		"DAC":       jpegWithMetadata(jpg, nil, jpegSegment(jpegDAC, []byte(canary+"!"))),
		"DQT 4-bit": jpegWithMetadata(jpg, nil, jpegSegment(jpegDQT, append([]byte{0x20}, bytes.Repeat([]byte(canary), 3)...))),
		"SOF":       jpegReplace(jpegSOF0, slack(jpegSOF0, jpg[bytes.Index(jpg, []byte{0xFF, jpegSOF0})+4:][:6+3*3])),
		"SOS":       jpegReplace(jpegSOS, slack(jpegSOS, jpg[bytes.Index(jpg, []byte{0xFF, jpegSOS})+4:][:1+2*3+3])),
	}
	for name, in := range refused {
		if !bytes.Contains(in, []byte(canary)) {
			t.Fatalf("%s: no canary", name)
		}
		if out, err := StripJPEG(in); !errors.Is(err, ErrImageMalformed) {
			t.Errorf("%s with slack: %d bytes, err %v; want ErrImageMalformed", name, len(out), err)
		}
	}

	in := jpegWithMetadata(jpg, nil,
		jpegSegment(jpegAPP14, append([]byte("Adobe\x00\x64\x00\x00\x00\x00\x01"), canary...)),
		jpegSegment(jpegAPP14, []byte("Adobe"+canary[:6])), // too short to be read
		jpegSegment(jpegAPP0, []byte("JFIF\x00"+canary[:8])),
	)
	want := decode(t, in)
	out, err := StripJPEG(in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte(canary[:6])) {
		t.Errorf("the canary survived in a JFIF or Adobe header:\n%q", out[:60])
	}
	if !bytes.Contains(out, adobeAPP14()) || !bytes.Contains(out, jpegSegment(jpegAPP0, []byte("JFIF\x00"))) {
		t.Errorf("the Adobe or JFIF header is gone:\n%q", out[:60])
	}
	if !samePixels(decode(t, out), want) {
		t.Error("stripped image decodes differently")
	}
}

func TestStripJPEGMalformed(t *testing.T) {
	t.Parallel()
	good := jpegWithAllMetadata(t)
	eoi := bytes.LastIndex(good, []byte{0xFF, jpegEOI})
	tests := map[string][]byte{
		"empty":             nil,
		"SOI only":          {0xFF, jpegSOI},
		"not a JPEG":        []byte("GIF89a"),
		"no scan":           {0xFF, jpegSOI, 0xFF, jpegEOI},
		"junk between":      append([]byte{0xFF, jpegSOI, 0x00}, good[2:]...),
		"second SOI":        append([]byte{0xFF, jpegSOI, 0xFF, jpegSOI}, good[2:]...),
		"length too short":  append([]byte{0xFF, jpegSOI, 0xFF, 0xE1, 0x00, 0x01}, good[2:]...),
		"length past end":   {0xFF, jpegSOI, 0xFF, 0xE1, 0xFF, 0xFF, 0x00},
		"marker 0xFF00":     append([]byte{0xFF, jpegSOI, 0xFF, 0x00}, good[2:]...),
		"only fill bytes":   {0xFF, jpegSOI, 0xFF, 0xFF, 0xFF},
		"truncated in scan": good[:eoi],
	}
	for name, in := range tests {
		if _, err := StripJPEG(in); !errors.Is(err, ErrImageMalformed) {
			t.Errorf("%s: err = %v, want ErrImageMalformed", name, err)
		}
	}
	// Every truncation of a valid image is refused.
	for n := range eoi + 2 {
		if _, err := StripJPEG(good[:n]); err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", n, len(good))
		}
	}
}

func TestStripPNG(t *testing.T) {
	t.Parallel()
	in := pngWithAllMetadata(t)
	want := decode(t, in)
	out, err := StripPNG(in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte(canary)) {
		t.Error("the canary survived stripping")
	}
	for _, typ := range []string{"tEXt", "zTXt", "iTXt", "eXIf", "tIME", "iCCP", "caBX", "prVt"} {
		if bytes.Contains(out, []byte(typ)) {
			t.Errorf("chunk %s survived stripping", typ)
		}
	}
	for _, typ := range []string{"IHDR", "gAMA", "pHYs", "IDAT", "IEND"} {
		if !bytes.Contains(out, []byte(typ)) {
			t.Errorf("chunk %s was removed", typ)
		}
	}
	if !bytes.HasSuffix(out, pngChunk("IEND", nil)) {
		t.Error("output does not end at IEND")
	}
	got := decode(t, out)
	if !samePixels(got, want) {
		t.Error("stripped image decodes differently")
	}
	if got.Bounds().Size() != image.Pt(40, 30) {
		t.Errorf("size %v, want 40×30", got.Bounds().Size())
	}
	again, err := StripPNG(out)
	if err != nil || !bytes.Equal(again, out) {
		t.Errorf("stripping twice changed the image (err %v)", err)
	}
	plain := testPNG(t, 5, 7)
	if out, err := StripPNG(plain); err != nil || !bytes.Equal(out, plain) {
		t.Errorf("a PNG without metadata changed (err %v)", err)
	}
}

func TestStripPNGMalformed(t *testing.T) {
	t.Parallel()
	good := pngWithAllMetadata(t)
	iend := bytes.LastIndex(good, pngChunk("IEND", nil))
	badCRC := bytes.Clone(good)
	badCRC[8+8+2] ^= 1 // inside IHDR's data
	badType := bytes.Clone(good)
	copy(badType[8+12+13+4:], "g1MA")
	ihdr := good[8 : 8+25]
	rest := good[8+25:]
	tests := map[string][]byte{
		"empty":              nil,
		"signature only":     []byte(pngMagic),
		"bad signature":      append([]byte("\x89PNG\r\n\x1a\r"), good[8:]...),
		"bad CRC":            badCRC,
		"bad chunk type":     badType,
		"IHDR not first":     append(append(append([]byte(pngMagic), pngChunk("gAMA", []byte{0, 0, 0xb1, 0x8f})...), ihdr...), rest...),
		"length over 2^31":   append([]byte(pngMagic), 0x80, 0, 0, 0, 'I', 'H', 'D', 'R'),
		"length past end":    append([]byte(pngMagic), 0, 0, 1, 0, 'I', 'H', 'D', 'R', 0, 0, 0, 0),
		"no IEND":            good[:iend],
		"truncated in chunk": good[:len(good)/2],
	}
	for name, in := range tests {
		if _, err := StripPNG(in); !errors.Is(err, ErrImageMalformed) {
			t.Errorf("%s: err = %v, want ErrImageMalformed", name, err)
		}
	}
	for n := range iend + 12 {
		if _, err := StripPNG(good[:n]); err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", n, len(good))
		}
	}
}

// pngWithCriticalCanary returns a PNG with an unknown critical chunk (its
// type's first letter is upper case) carrying the canary.
func pngWithCriticalCanary(tb testing.TB) []byte {
	tb.Helper()
	return pngWithChunks(testPNG(tb, 8, 4), [][]byte{pngChunk("CNRy", []byte(canary))}, nil, nil)
}

// A critical chunk StripPNG does not know is refused, not passed on as
// stripped: no decoder shows the image, and it may hold anything. So is a
// critical chunk that holds more than its fields.
func TestStripPNGRefusesUnknownCritical(t *testing.T) {
	t.Parallel()
	p := testPNG(t, 8, 4)
	iendWithData := append(bytes.Clone(p[:len(p)-12]), pngChunk("IEND", []byte(canary))...)
	tests := map[string][]byte{
		"unknown critical before IDAT": pngWithCriticalCanary(t),
		"unknown critical after IDAT":  pngWithChunks(p, nil, [][]byte{pngChunk("SECR", []byte(canary))}, nil),
		"IEND with data":               iendWithData,
		"PLTE of 257 entries":          pngWithChunks(p, [][]byte{pngChunk("PLTE", bytes.Repeat([]byte(canary[:3]), 257))}, nil, nil),
		"PLTE not in entries":          pngWithChunks(p, [][]byte{pngChunk("PLTE", []byte(canary[:4]))}, nil, nil),
	}
	for name, in := range tests {
		out, err := StripPNG(in)
		if !errors.Is(err, ErrImageMalformed) || out != nil {
			t.Errorf("%s: StripPNG gave %d bytes, err %v; want ErrImageMalformed", name, len(out), err)
		}
		if out, stripped, err := Strip("image/png", in); err == nil || stripped || bytes.Contains(out, []byte(canary[:4])) {
			t.Errorf("%s: Strip gave stripped %v, err %v", name, stripped, err)
		}
	}
}

// The ancillary chunks StripPNG keeps are kept only with the length of
// their fields, so nothing can ride along after them; others are dropped.
func TestStripPNGKeptChunksCarryNothingMore(t *testing.T) {
	t.Parallel()
	var chunks [][]byte
	for _, typ := range []string{"gAMA", "cHRM", "sRGB", "cICP", "mDCV", "cLLI", "sBIT", "bKGD", "hIST", "pHYs", "acTL", "fcTL"} {
		chunks = append(chunks, pngChunk(typ, []byte(canary+canary+canary)))
	}
	in := pngWithChunks(testPNG(t, 8, 4), chunks, nil, nil)
	want := decode(t, in)
	out, err := StripPNG(in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte(canary)) {
		t.Error("the canary survived in a chunk of the wrong length")
	}
	if plain, _ := StripPNG(testPNG(t, 8, 4)); !bytes.Equal(out, plain) {
		t.Errorf("chunks of the wrong length were kept:\n%q", out)
	}
	if !samePixels(decode(t, out), want) {
		t.Error("stripped image decodes differently")
	}

	// A palette image keeps its palette, the transparency of as many
	// entries and a histogram of as many.
	var pal bytes.Buffer
	if err := png.Encode(&pal, image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.Transparent})); err != nil {
		t.Fatal(err)
	}
	hist := pngChunk("hIST", []byte{0, 9, 0, 7})
	in = pngWithChunks(pal.Bytes(), nil, [][]byte{hist, pngChunk("hIST", []byte(canary[:6])), pngChunk("tRNS", []byte(canary[:6]))}, nil)
	if out, err := StripPNG(in); err != nil || !bytes.Contains(out, hist) || !bytes.Contains(out, []byte("tRNS")) || bytes.Contains(out, []byte(canary[:6])) {
		t.Errorf("palette image: err %v\n%q", err, out)
	}
}

func TestStrip(t *testing.T) {
	t.Parallel()
	jpg, pngImg := jpegWithAllMetadata(t), pngWithAllMetadata(t)
	gif := []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	tests := []struct {
		name         string
		contentType  string
		in           []byte
		wantStripped bool
		wantErr      bool
	}{
		{"JPEG", "image/jpeg", jpg, true, false},
		{"JPEG declared as PNG", "image/png", jpg, true, false},
		{"JPEG declared as text", "text/plain", jpg, true, false},
		{"PNG", "image/png", pngImg, true, false},
		{"PNG without a type", "", pngImg, true, false},
		{"GIF", "image/gif", gif, false, false},
		{"PDF", "application/pdf", []byte("%PDF-1.7 " + canary), false, false},
		{"GIF declared as JPEG", "image/jpeg", gif, false, true},
		{"text declared as PNG", "IMAGE/PNG; charset=binary", []byte("hello"), false, true},
		{"broken JPEG", "application/octet-stream", jpg[:100], false, true},
		{"broken PNG", "image/png", pngImg[:100], false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, stripped, err := Strip(tt.contentType, tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				if !errors.Is(err, ErrImageMalformed) || out != nil || stripped {
					t.Errorf("failure: out %d bytes, stripped %v, err %v", len(out), stripped, err)
				}
				return
			}
			if stripped != tt.wantStripped {
				t.Errorf("stripped = %v, want %v", stripped, tt.wantStripped)
			}
			if stripped && bytes.Contains(out, []byte(canary)) {
				t.Error("the canary survived")
			}
			if !stripped && !bytes.Equal(out, tt.in) {
				t.Error("an unknown type was changed")
			}
		})
	}
}

// checkStripped is the fuzz property of both strippers: when the input
// decodes and stripping succeeds, the output decodes to the same pixels, and
// stripping is idempotent.
func checkStripped(t *testing.T, in []byte, strip func([]byte) ([]byte, error)) {
	out, err := strip(in)
	if err != nil {
		if !errors.Is(err, ErrImageMalformed) || out != nil {
			t.Fatalf("failure returned %d bytes and %v", len(out), err)
		}
		return
	}
	if len(out) > len(in)+8 {
		t.Fatalf("stripping grew %d bytes into %d", len(in), len(out))
	}
	again, err := strip(out)
	if err != nil || !bytes.Equal(again, out) {
		t.Fatalf("not idempotent (err %v)", err)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(in))
	if err != nil || cfg.Width*cfg.Height > 1<<16 {
		return // not decodable, or too large to decode in a fuzz loop
	}
	want, _, err := image.Decode(bytes.NewReader(in))
	if err != nil {
		return
	}
	got, _, err := image.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("input decodes, output does not: %v", err)
	}
	if !samePixels(got, want) {
		t.Fatal("output decodes to other pixels")
	}
}

func FuzzStripJPEG(f *testing.F) {
	f.Add(jpegWithAllMetadata(f))
	f.Add(testJPEG(f, 8, 8))
	f.Add(testJPEG(f, 1, 1))
	var gray bytes.Buffer
	if err := jpeg.Encode(&gray, image.NewGray(image.Rect(0, 0, 9, 3)), nil); err != nil {
		f.Fatal(err)
	}
	f.Add(gray.Bytes())
	f.Add([]byte{0xFF, jpegSOI, 0xFF, jpegSOS, 0, 2, 0xFF, 0x00, 0xFF, jpegEOI})
	// Segments that must be refused, or cut to what decoders read.
	f.Add(jpegWithUnknown(f, 0xF0))
	f.Add(jpegWithUnknown(f, 0x02))
	f.Add(jpegWithMetadata(testJPEG(f, 8, 8), nil, jpegSegment(jpegDQT, append(bytes.Clone(testDQT), canary...))))
	f.Add(jpegWithMetadata(testJPEG(f, 8, 8), nil,
		jpegSegment(jpegAPP14, []byte("Adobe\x00\x64\x00\x00\x00\x00\x01"+canary)), jpegSegment(jpegAPP0, []byte("JFIF\x00"+canary[:4]))))
	f.Fuzz(func(t *testing.T, in []byte) {
		checkStripped(t, in, StripJPEG)
	})
}

func FuzzStripPNG(f *testing.F) {
	f.Add(pngWithAllMetadata(f))
	f.Add(testPNG(f, 3, 2))
	var pal bytes.Buffer
	if err := png.Encode(&pal, image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.Transparent})); err != nil {
		f.Fatal(err)
	}
	f.Add(pal.Bytes())
	f.Add(pngWithCriticalCanary(f))
	f.Add(pngWithChunks(testPNG(f, 3, 2), [][]byte{pngChunk("gAMA", []byte(canary))}, nil, nil))
	f.Add(pngWithChunks(pal.Bytes(), nil, [][]byte{pngChunk("hIST", []byte{0, 1, 0, 2})}, nil))
	f.Fuzz(func(t *testing.T, in []byte) {
		checkStripped(t, in, StripPNG)
	})
}
