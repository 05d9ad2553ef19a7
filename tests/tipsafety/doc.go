// Package tipsafety holds end-to-end tests of the tip desk's promises,
// run against the real haven binary:
//
//   - nothing a tipster sends, nor their address, user agent or referrer,
//     reaches a file on disk or a log line in the clear, while the
//     operators and the recovery key can read every tip (TestCanary);
//   - a tip whose 201 arrived survives the server being killed at once
//     (TestDurability);
//   - a purged tip's ciphertext is gone from the database and its WAL
//     (TestPurgeErases).
//
// The package has no code of its own; its tests build cmd/haven.
package tipsafety
