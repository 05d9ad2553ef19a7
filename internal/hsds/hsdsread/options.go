package hsdsread

// Limits bound what Read reads, so that a hostile or broken input is an
// error rather than a machine out of memory or disk. A zero field takes
// its default.
type Limits struct {
	// MaxTotalBytes bounds the input's files together, uncompressed
	// (default 2 GiB).
	MaxTotalBytes int64
	// MaxFileBytes bounds one file, uncompressed (default 1 GiB).
	MaxFileBytes int64
	// MaxRatio bounds a zip entry's uncompressed size over its compressed
	// size, for entries over 1 MiB (default 100).
	MaxRatio int64
	// MaxLineBytes bounds one CSV record (all its lines) and one NDJSON
	// line other than a whole document (default 1 MiB).
	MaxLineBytes int
	// MaxObjectBytes bounds one JSON document: an object of a file, an
	// array's element, a line of NDJSON (default 64 MiB).
	MaxObjectBytes int
	// MaxFiles bounds the files of a folder or zip (default 10000).
	MaxFiles int
}

// The default Limits.
const (
	DefaultMaxTotalBytes  = 2 << 30
	DefaultMaxFileBytes   = 1 << 30
	DefaultMaxRatio       = 100
	DefaultMaxLineBytes   = 1 << 20
	DefaultMaxObjectBytes = 64 << 20
	DefaultMaxFiles       = 10000
)

func (l Limits) withDefaults() Limits {
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = DefaultMaxTotalBytes
	}
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = DefaultMaxFileBytes
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = DefaultMaxRatio
	}
	if l.MaxLineBytes <= 0 {
		l.MaxLineBytes = DefaultMaxLineBytes
	}
	if l.MaxObjectBytes <= 0 {
		l.MaxObjectBytes = DefaultMaxObjectBytes
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = DefaultMaxFiles
	}
	return l
}

// Progress is how far Read has come, for a progress bar.
type Progress struct {
	File       string // the file being read
	BytesRead  int64  // bytes of the input read so far (uncompressed)
	BytesTotal int64  // bytes of the whole input, or 0 when not known (one stream)
	Records    int    // records delivered so far
	Problems   int    // problems found so far
}

// Options configure Read. The zero value is ready to use.
type Options struct {
	// Region is the ISO 3166 country assumed for phone numbers written
	// without a country code (default "US").
	Region string
	Limits Limits
	// KeepProblems is how many problems the Report keeps (default 1000);
	// all are counted.
	KeepProblems int
	// OnProblem, when set, is called with every problem as it is found,
	// kept in the Report or not.
	OnProblem func(Problem)
	// OnProgress, when set, is called after each file and every
	// ProgressEvery records (default 1000).
	OnProgress    func(Progress)
	ProgressEvery int
}

func (o Options) withDefaults() Options {
	if o.Region == "" {
		o.Region = "US"
	}
	o.Limits = o.Limits.withDefaults()
	if o.KeepProblems <= 0 {
		o.KeepProblems = 1000
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 1000
	}
	return o
}
