// Package seal is the cryptography of anonymous tips: sealing, receipts and
// the installation secret. It has no HTTP handlers and no database code:
// the tip desk (package intake) builds on it, and the store never imports
// it.
//
// The design goal is that a stolen database reveals nothing about tips or
// tipsters:
//
//   - Tip bodies and attachments are sealed with age ([Seal]) to the operators'
//     and the recovery key's public keys before they are stored; the server
//     keeps no private key. Plaintext only ever exists as in-memory bytes.
//     [SealPadded] pads the plaintext inside the encryption to a size bucket
//     ([PaddedSize]), so that a ciphertext's length tells little of it.
//   - A tipster gets a [Receipt]: 28 decimal digits with a Damm check digit,
//     easy to read out over a phone and type on a keypad in any script. The
//     database stores only [Secret.ReceiptHash], a keyed hash whose key lives
//     outside the database, and replies to the tipster are sealed to
//     [Secret.ReplyIdentity], derived from the receipt and the same secret.
//   - The same secret keys the form tokens of package abuse
//     ([Secret.TokenKey]); photos lose their metadata in package imgstrip.
//
// Nothing in this package logs, and no error message contains a receipt, a
// secret or a client address.
package seal
