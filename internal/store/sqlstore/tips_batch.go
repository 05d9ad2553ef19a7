package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/haven-project/haven/internal/store"
)

// TipBatcher is group commit for CreateTip. Callers' tips are queued to one
// committer goroutine, which writes every tip waiting at that moment (up to
// a bound) in one transaction and commits once, so that many tips share one
// fsync instead of paying one each. Each caller still gets its own id or
// error: every tip is written under a SAVEPOINT of its own, so a tip that
// fails (a duplicate receipt hash, say) is rolled back alone and the rest
// of its batch commits.
//
// It suits SQLite, whose one writer makes every commit wait for the fsync
// of the one before; PostgreSQL already groups the WAL flushes of
// concurrent commits itself.
type TipBatcher struct {
	s    *Store
	max  int
	reqs chan *tipRequest
	done chan struct{}

	mu     sync.RWMutex // held for reading while sending on reqs; for writing to close it
	closed bool

	batches, tips atomic.Int64 // committed batches and the tips stored by them
}

// BatchStats says how group commit is going.
type BatchStats struct {
	Batches int64 // transactions committed
	Tips    int64 // tips stored by them; Tips/Batches is the mean batch
	Queued  int   // tips waiting for the committer now
}

// Stats returns the batcher's counters.
func (b *TipBatcher) Stats() BatchStats {
	return BatchStats{Batches: b.batches.Load(), Tips: b.tips.Load(), Queued: len(b.reqs)}
}

// A tipRequest is one CreateTip call waiting in the queue. The caller and
// the committer race for it through state: the committer takes it
// (queued to taken) before writing it, or the caller, when its context
// ends first, cancels it (queued to canceled) and the committer skips it.
type tipRequest struct {
	tip   store.NewTip
	state atomic.Int32
	res   chan tipResult // buffered: the committer never waits for the caller
}

const (
	queued int32 = iota
	taken
	canceled
)

type tipResult struct {
	id  int64
	err error
}

// errClosed is returned to calls made after Close.
var errClosed = errors.New("the store is closed")

// NewTipBatcher starts a committer that writes up to max tips per
// transaction (256 if max < 1). Close stops it.
func (s *Store) NewTipBatcher(max int) *TipBatcher {
	if max < 1 {
		max = 256
	}
	b := &TipBatcher{s: s, max: max, reqs: make(chan *tipRequest, max), done: make(chan struct{})}
	go b.run()
	return b
}

// CreateTip queues t for the next batch and waits until that batch has
// committed; it behaves as Store.CreateTip does (see store.TipStore). When
// ctx ends while the tip is still queued, the tip is dropped and ctx's
// error returned; once the committer has taken it, CreateTip waits for the
// outcome, since the tip may be stored by then.
func (b *TipBatcher) CreateTip(ctx context.Context, t store.NewTip) (int64, error) {
	const op = "create tip"
	if err := ctx.Err(); err != nil {
		return 0, b.s.errorf(op, err)
	}
	if err := checkNewTip(t); err != nil {
		return 0, b.s.errorf(op, err)
	}
	r := &tipRequest{tip: t, res: make(chan tipResult, 1)}
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return 0, b.s.errorf(op, errClosed)
	}
	select {
	case b.reqs <- r:
		b.mu.RUnlock()
	case <-ctx.Done():
		b.mu.RUnlock()
		return 0, b.s.errorf(op, ctx.Err())
	}
	select {
	case res := <-r.res:
		return res.id, res.err
	case <-ctx.Done():
		if r.state.CompareAndSwap(queued, canceled) {
			return 0, b.s.errorf(op, ctx.Err())
		}
		res := <-r.res
		return res.id, res.err
	}
}

// Close stops taking tips, commits those already queued and stops the
// committer. It is safe to call more than once.
func (b *TipBatcher) Close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.reqs)
	}
	b.mu.Unlock()
	<-b.done
}

// run is the committer: it takes whatever is queued, up to max, writes it
// in one transaction, and goes back for more until the queue is closed and
// empty. Tips queue up while a batch commits, so the busier the store, the
// larger the batches.
func (b *TipBatcher) run() {
	defer close(b.done)
	batch := make([]*tipRequest, 0, b.max)
	for r := range b.reqs {
		batch = append(batch[:0], r)
	fill:
		for len(batch) < b.max {
			select {
			case r, ok := <-b.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		b.commit(batch)
		clear(batch)
	}
}

// commit writes the batch's tips that are still wanted in one transaction
// and answers every one of them.
func (b *TipBatcher) commit(batch []*tipRequest) {
	const op = "create tip"
	live := make([]*tipRequest, 0, len(batch))
	for _, r := range batch {
		if r.state.CompareAndSwap(queued, taken) {
			live = append(live, r)
		}
	}
	if len(live) == 0 {
		return
	}
	res := make([]tipResult, len(live))
	if err := b.write(live, res); err != nil {
		// The transaction is gone: nothing of the batch was stored.
		for i := range res {
			res[i] = tipResult{err: b.s.errorf(op, err)}
		}
	}
	for i, r := range live {
		r.res <- res[i]
	}
}

// write stores the tips in one transaction, filling res with each tip's id
// or its own error. It returns an error, and res must be ignored, when the
// transaction as a whole failed.
//
// A tip's failure is its own only while the transaction survives it: some
// SQLite errors (a full disk, an I/O error) roll back the whole
// transaction, after which ROLLBACK TO finds no savepoint and the batch
// fails.
func (b *TipBatcher) write(reqs []*tipRequest, res []tipResult) error {
	const op = "create tip"
	// Not the callers' contexts: one caller giving up must not undo the
	// others' tips.
	ctx := context.Background()
	tx, err := b.s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("batch: begin: %w", err)
	}
	defer rollback(tx)
	ok := 0
	for i, r := range reqs {
		if _, err := tx.ExecContext(ctx, `SAVEPOINT tip`); err != nil {
			return fmt.Errorf("batch: savepoint: %w", err)
		}
		id, err := b.s.insertTip(ctx, tx, r.tip)
		if err != nil {
			if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO tip`); rerr != nil {
				return fmt.Errorf("batch: %w (rollback to savepoint: %w)", err, rerr)
			}
			res[i] = tipResult{err: b.s.errorf(op, b.s.conflict(err))}
		} else {
			res[i] = tipResult{id: id}
			ok++
		}
		if _, err := tx.ExecContext(ctx, `RELEASE tip`); err != nil {
			return fmt.Errorf("batch: release savepoint: %w", err)
		}
	}
	if ok == 0 {
		return nil // every tip failed alone; nothing to commit
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("batch: commit: %w", err)
	}
	b.batches.Add(1)
	b.tips.Add(int64(ok))
	return nil
}
