package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/haven-project/haven/internal/seal"
	"github.com/haven-project/haven/internal/store"
)

// The storage budget. Every tip may carry MaxFiles files of MaxFileBytes,
// and rate limits per address do not bound what many addresses send
// together (an IPv6 /64 alone holds more addresses than anyone can
// limit), so without a budget anyone could fill the server's disk with
// tips, kept for the retention period, until every write failed. A desk
// therefore stores at most so many bytes of ciphertext (tips with their
// attachments, and messages) in a clock hour and in the last 24 clock
// hours, and nothing while the database's file system has less than a
// floor of free space. Beyond them it refuses tips and tipsters' messages
// with a *FullError until the next hour (operators' replies are always
// stored, and counted).
//
// The figures come from the store (store.TipStore.TipBytes), which keeps
// every tip's hour and size anyway: a restart does not reset them, and
// several servers over one PostgreSQL database share them. They are read
// again at most every budgetTTL, and what this desk stores in between is
// added to them, so a budget is overshot at most by what other servers
// store within budgetTTL.

// Default storage budget and free-space floor: far above what an
// organization's tip line receives (a tip with five photos is some 20 MB),
// far below what a small server's disk holds over a 90-day retention.
const (
	DefaultBudgetHour int64 = 256 << 20
	DefaultBudgetDay  int64 = 1 << 30
	DefaultMinFree    int64 = 1 << 30
)

const (
	// budgetTTL is how long figures read from the store are reused.
	budgetTTL = 10 * time.Second
	// diskRetry is the Retry-After of a refusal for want of disk space,
	// which no hour ends: the operators must make room.
	diskRetry = 10 * time.Minute
)

// Budget limits what a desk stores (see above). A zero Budget is the
// defaults with no free-space floor.
type Budget struct {
	// Hour is the most bytes of ciphertext stored in one clock hour (UTC),
	// Day in the last 24 clock hours, this one included. 0 means the
	// default; a negative value turns the limit off.
	Hour, Day int64
	// MinFree is the least free space, in bytes, the database's file
	// system must keep: tips that would leave less are refused. 0 means
	// the default; a negative value turns the floor off. It is checked
	// only when Free is set.
	MinFree int64
	// Free returns the free bytes of the database's file system (as
	// sqlite.DB.FreeBytes does); nil where Haven cannot know them, as for
	// PostgreSQL on another machine. An error wrapping
	// errors.ErrUnsupported turns the floor off.
	Free func() (int64, error)
}

// ErrFull means the desk stores nothing more for now: a storage budget is
// used up or the disk is nearly full. Errors wrapping it are *FullError.
var ErrFull = errors.New("intake: no room to store tips now")

// Limits a FullError names.
const (
	LimitHour = "hour" // Budget.Hour
	LimitDay  = "day"  // Budget.Day
	LimitDisk = "disk" // Budget.MinFree
)

// FullError is a tip or message refused for want of room. It holds no
// detail of the tip.
type FullError struct {
	Limit      string        // LimitHour, LimitDay or LimitDisk
	RetryAfter time.Duration // when to try again: the next hour, or diskRetry
}

func (e *FullError) Error() string {
	switch e.Limit {
	case LimitHour:
		return "intake: this hour's storage budget for tips is used up"
	case LimitDay:
		return "intake: the day's storage budget for tips is used up"
	}
	return "intake: the database's disk is below its free-space floor"
}

func (e *FullError) Unwrap() error { return ErrFull }

// budget is a desk's storage budget and the figures it goes by.
type budget struct {
	hour, day, minFree int64 // negative: off
	free               func() (int64, error)

	mu       sync.Mutex
	read     time.Time // when the figures were read, by the desk's clock; zero before
	in       time.Time // the hour they were read in
	usedHour int64
	usedDay  int64
	freeNow  int64 // -1: not known
	refused  map[string]int
}

func newBudget(b Budget) *budget {
	limit := func(v, def int64) int64 {
		switch {
		case v == 0:
			return def
		case v < 0:
			return -1
		}
		return v
	}
	out := &budget{hour: limit(b.Hour, DefaultBudgetHour), day: limit(b.Day, DefaultBudgetDay), minFree: -1, freeNow: -1, refused: map[string]int{}}
	if b.Free != nil {
		out.minFree, out.free = limit(b.MinFree, DefaultMinFree), b.Free
	}
	return out
}

// Room returns nil when the desk may store need more bytes of ciphertext
// now, and a *FullError when a budget or the free-space floor would be
// crossed. A handler may ask before it reads or seals a tip (need is then
// a guess, such as the body's length); Submit and AddTipsterMessage ask
// again with the exact size.
func (d *Desk) Room(ctx context.Context, need int64) error {
	return d.budget.room(ctx, d.store, d.now(), need)
}

// RoomFor is Room for t as Submit would store it now, sealed and padded.
// A handler asks it after StripFiles and before it uses up the tip's form
// token, so that a tip refused for want of room may be sent again with the
// same token. It returns ErrClosed when the desk takes no tips.
func (d *Desk) RoomFor(ctx context.Context, t *Tip) error {
	recips, err := d.Recipients(ctx)
	if err != nil {
		return err
	}
	plain, err := json.Marshal(t.document())
	if err != nil {
		return fmt.Errorf("intake: encode tip: %w", err)
	}
	need := sealedSize(seal.PaddedSize(len(plain)), len(recips))
	clear(plain)
	for _, f := range t.Files {
		need += sealedSize(seal.PaddedSize(len(f.Data)), len(recips))
	}
	return d.Room(ctx, need)
}

// sealedSize is a little more than the length of the age ciphertext of n
// bytes sealed to r recipients: a header of under 100 bytes a recipient
// and 70 more, a 16-byte nonce, and a 16-byte tag per 64 KiB chunk.
func sealedSize(n, r int) int64 {
	return int64(n + 16 + 16*(n/(64<<10)+1) + 70 + 100*r)
}

func (b *budget) room(ctx context.Context, st store.TipStore, now time.Time, need int64) error {
	if b.hour < 0 && b.day < 0 && b.minFree < 0 {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.refresh(ctx, st, now); err != nil {
		return err
	}
	nextHour := max(store.Hour(now).Add(time.Hour).Sub(now), time.Second)
	var full *FullError
	switch {
	case b.hour >= 0 && b.usedHour+need > b.hour:
		full = &FullError{Limit: LimitHour, RetryAfter: nextHour}
	case b.day >= 0 && b.usedDay+need > b.day:
		full = &FullError{Limit: LimitDay, RetryAfter: nextHour}
	case b.minFree >= 0 && b.freeNow >= 0 && b.freeNow-need < b.minFree:
		full = &FullError{Limit: LimitDisk, RetryAfter: diskRetry}
	default:
		return nil
	}
	b.refused[full.Limit]++
	return full
}

// refresh reads the figures again when they are older than budgetTTL or
// of another hour. b.mu is held.
func (b *budget) refresh(ctx context.Context, st store.TipStore, now time.Time) error {
	hour := store.Hour(now)
	if age := now.Sub(b.read); !b.read.IsZero() && hour.Equal(b.in) && age >= 0 && age < budgetTTL {
		return nil
	}
	var usedHour, usedDay int64
	var err error
	if b.hour >= 0 {
		if usedHour, err = st.TipBytes(ctx, hour); err != nil {
			return fmt.Errorf("intake: storage budget: %w", err)
		}
	}
	if b.day >= 0 {
		if usedDay, err = st.TipBytes(ctx, hour.Add(-23*time.Hour)); err != nil {
			return fmt.Errorf("intake: storage budget: %w", err)
		}
	}
	free := int64(-1)
	if b.minFree >= 0 {
		n, err := b.free()
		switch {
		case errors.Is(err, errors.ErrUnsupported):
		case err != nil:
			return fmt.Errorf("intake: free-space floor: %w", err)
		default:
			free = n
		}
	}
	b.read, b.in, b.usedHour, b.usedDay, b.freeNow = now, hour, usedHour, usedDay, free
	return nil
}

// add counts n bytes the desk has just stored. Figures read after the store
// committed them already hold them: counting them twice errs on the side
// of refusing, for at most budgetTTL.
func (b *budget) add(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.usedHour += n
	b.usedDay += n
	if b.freeNow >= 0 {
		b.freeNow -= n
	}
}

// takeRefused returns how many tips and messages each limit refused since
// the last call, and starts counting again.
func (b *budget) takeRefused() map[string]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.refused
	b.refused = map[string]int{}
	return out
}

// reportRefusals logs, once an interval and never per tip, how many tips
// and messages found no room: a log line at the moment of a refusal would
// give a tipster's time.
func (d *Desk) reportRefusals(ctx context.Context) {
	r := d.budget.takeRefused()
	if len(r) == 0 {
		return
	}
	d.log.WarnContext(ctx, "tips and messages refused for want of room since the last report (see --tip-budget-hour, --tip-budget-day and --tip-min-free)",
		"hour_budget", r[LimitHour], "day_budget", r[LimitDay], "disk_floor", r[LimitDisk])
}
