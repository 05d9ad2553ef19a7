package intake

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// failures counts the tip requests that failed on the server's side (a
// full disk, a store that does not answer). Tip routes log nothing about
// a single request, ever: a log line's time beside a tip's arrival could
// tie a tipster to it. So each failure is only counted, and the count is
// logged once an interval (see LogFailures), with the last error's text.
type failures struct {
	mu   sync.Mutex
	n    int
	last error
}

// Failed counts one tip request that failed on the server's side. It
// logs nothing.
func (d *Desk) Failed(err error) {
	d.fails.mu.Lock()
	defer d.fails.mu.Unlock()
	d.fails.n++
	d.fails.last = err
}

// takeFailures returns the count and last error, and starts again.
func (d *Desk) takeFailures() (int, error) {
	d.fails.mu.Lock()
	defer d.fails.mu.Unlock()
	n, last := d.fails.n, d.fails.last
	d.fails.n, d.fails.last = 0, nil
	return n, last
}

// LogFailures logs, once every interval (an hour in `haven serve`), how
// many tip requests failed on the server's side since the last time, when
// any did, until ctx is done.
func (d *Desk) LogFailures(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			d.flushFailures(context.WithoutCancel(ctx), interval)
			return
		case <-t.C:
			d.flushFailures(ctx, interval)
		}
	}
}

func (d *Desk) flushFailures(ctx context.Context, interval time.Duration) {
	if n, last := d.takeFailures(); n > 0 {
		d.log.LogAttrs(ctx, slog.LevelError, "tips: requests failed on the server's side",
			slog.Int("failed", n), slog.Duration("within", interval), slog.Any("last_err", last))
	}
}
