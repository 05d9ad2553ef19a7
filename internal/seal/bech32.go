package seal

import (
	"errors"
	"strings"
)

// This file is a minimal bech32 encoder (BIP-173), enough to turn 32 derived
// bytes into the string form age.ParseX25519Identity accepts: age has no
// constructor for an identity from raw bytes.

// bech32Charset maps 5-bit values to bech32 characters.
const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// bech32Polymod computes the BIP-173 checksum polynomial over 5-bit values.
func bech32Polymod(values []byte) uint32 {
	// The generator of the BCH code.
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	for _, v := range values {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i, g := range gen {
			if (top>>i)&1 == 1 {
				chk ^= g
			}
		}
	}
	return chk
}

// bech32HRPExpand expands a lowercase human-readable part for checksumming.
func bech32HRPExpand(hrp string) []byte {
	out := make([]byte, 0, 2*len(hrp)+1)
	for i := 0; i < len(hrp); i++ {
		out = append(out, hrp[i]>>5)
	}
	out = append(out, 0)
	for i := 0; i < len(hrp); i++ {
		out = append(out, hrp[i]&31)
	}
	return out
}

// bech32Encode returns the lowercase bech32 encoding of data with the
// human-readable part hrp, which is lowercased first. Unlike BIP-173 it puts no
// limit of 90 characters on the result, like age, whose keys do not fit it.
func bech32Encode(hrp string, data []byte) (string, error) {
	hrp = strings.ToLower(hrp)
	if hrp == "" {
		return "", errors.New("seal: bech32: empty human-readable part")
	}
	for i := 0; i < len(hrp); i++ {
		if hrp[i] < 33 || hrp[i] > 126 {
			return "", errors.New("seal: bech32: invalid character in human-readable part")
		}
	}
	values := bech32To5Bits(data)
	sum := append(bech32HRPExpand(hrp), values...)
	sum = append(sum, 0, 0, 0, 0, 0, 0)
	mod := bech32Polymod(sum) ^ 1

	var b strings.Builder
	b.Grow(len(hrp) + 1 + len(values) + 6)
	b.WriteString(hrp)
	b.WriteByte('1')
	for _, v := range values {
		b.WriteByte(bech32Charset[v])
	}
	for i := range 6 {
		b.WriteByte(bech32Charset[(mod>>(5*(5-i)))&31])
	}
	return b.String(), nil
}

// bech32To5Bits regroups bytes into 5-bit values, padding the last one with
// zero bits.
func bech32To5Bits(data []byte) []byte {
	out := make([]byte, 0, (len(data)*8+4)/5)
	var acc uint32
	var bits uint
	for _, b := range data {
		acc = acc<<8 | uint32(b)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out = append(out, byte(acc>>bits)&31)
		}
	}
	if bits > 0 {
		out = append(out, byte(acc<<(5-bits))&31)
	}
	return out
}
