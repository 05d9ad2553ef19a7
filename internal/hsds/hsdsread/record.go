package hsdsread

import "context"

// Record is one HSDS object on its own: its nested objects are delivered
// as records of their own (and left out of this one), and its links to its
// parents (service_id, location_id, ...) are filled in.
type Record struct {
	Kind Kind
	ID   string
	// File, Row and Path say where it was read (see Problem).
	File string
	Row  int
	Path string
	// Object points to the hsds struct of Kind: *hsds.Service for
	// KindService, *hsds.Phone for KindPhone, and so on. Its nested
	// arrays and objects are nil.
	Object any
}

// Sink receives the records Read delivers, one at a time, parents before
// their children. An error stops Read, which returns it.
type Sink interface {
	Record(ctx context.Context, r Record) error
}

// SinkFunc is a function that is a Sink.
type SinkFunc func(ctx context.Context, r Record) error

// Record calls f.
func (f SinkFunc) Record(ctx context.Context, r Record) error { return f(ctx, r) }
