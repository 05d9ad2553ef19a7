package tiphttp

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/haven-project/haven/internal/abuse"
)

// Large tips: each is held in memory whole (MaxMultipartBytes) while it is
// read, stripped and sealed, so only MaxBigUploads are at once. A tip
// without files stays below BigUploadBytes and never waits, so slow
// uploads cannot hold up a text-only tip.
//
// Slow clients must not hold the slots either. So a large body
//   - takes a slot only once its first UploadHeadBytes have arrived, so
//     that a connection which sends headers and then nothing holds none;
//   - must keep sending: at least UploadProgress.MinBytes in every
//     UploadProgress.Window, or its read fails and its slot is freed (a
//     phone on a slow line sends far more than that; one byte every two
//     seconds does not);
//   - may hold at most MaxUploadsPerSource slots (waiting ones included)
//     per address, so that one address cannot take them all.
const (
	MaxBigUploads       = 4
	MaxUploadsPerSource = 1
	BigUploadBytes      = 1 << 20
	// UploadHeadBytes is how much of a large body must have arrived
	// before it may take a slot.
	UploadHeadBytes = 64 << 10
	// UploadReadTime is the longest a tip's body may take to arrive: a
	// 10 MB photo over a slow mobile line takes minutes, far beyond the
	// server's ordinary read timeout.
	UploadReadTime = 10 * time.Minute
	// UploadSlotWait is how long a large tip waits for a free slot before
	// it is told to try again later.
	UploadSlotWait = 2 * time.Minute
)

// UploadProgress is the least rate a tip's body must keep: MinBytes in
// every Window.
type UploadProgress struct {
	Window   time.Duration
	MinBytes int64
}

// DefaultUploadProgress asks for 32 KiB every 20 seconds, about 13 kbit/s:
// less than the slowest mobile data line still in use sends.
var DefaultUploadProgress = UploadProgress{Window: 20 * time.Second, MinBytes: 32 << 10}

// ErrUploadBusy means a large tip could not have a slot: its address
// already has one, or none came free in time. The client should try again
// later; its text is kept by the form.
var ErrUploadBusy = errors.New("tiphttp: too many large tips are being sent; try again later")

// ErrBodyCut means a tip's body stopped arriving or arrived too slowly:
// the client's doing, answered as a bad request and never logged.
var ErrBodyCut = errors.New("tiphttp: the request body stopped arriving")

// uploads are the slots for large tips.
type uploads struct {
	progress UploadProgress
	slots    chan struct{}
	key      [32]byte // keys the per-address counts; never written

	mu        sync.Mutex
	perSource map[[sha256.Size]byte]int
}

func newUploads(p UploadProgress) *uploads {
	if p.Window <= 0 || p.MinBytes <= 0 {
		p = DefaultUploadProgress
	}
	u := &uploads{progress: p, slots: make(chan struct{}, MaxBigUploads), perSource: map[[sha256.Size]byte]int{}}
	_, _ = rand.Read(u.key[:]) // crypto/rand.Read never fails
	return u
}

// reserve counts one more large tip from source, or reports false when it
// has MaxUploadsPerSource already. The address is hashed under a key that
// lives only in memory; the count is dropped when it reaches zero.
func (u *uploads) reserve(source string) (unreserve func(), ok bool) {
	mac := hmac.New(sha256.New, u.key[:])
	mac.Write([]byte(abuse.NormalizeSource(source)))
	var k [sha256.Size]byte
	mac.Sum(k[:0])
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.perSource[k] >= MaxUploadsPerSource {
		return nil, false
	}
	u.perSource[k]++
	return func() {
		u.mu.Lock()
		defer u.mu.Unlock()
		if u.perSource[k]--; u.perSource[k] <= 0 {
			delete(u.perSource, k)
		}
	}, true
}

// BeginUpload prepares a request that may carry a tip's files. Its body
// must keep the upload progress rate, and may take UploadReadTime at most.
// A body that may be larger than BigUploadBytes also takes one of
// MaxBigUploads slots, once its first UploadHeadBytes are in. Call release
// when the tip is stored or refused.
//
// It fails with ErrUploadBusy when the request's address has a large tip
// in flight already or no slot came free in time, with ErrBodyCut when
// the body stopped arriving, and with the context's error when the client
// went away.
func (g *Gate) BeginUpload(w http.ResponseWriter, r *http.Request) (release func(), err error) {
	u := g.uploads
	rc := http.NewResponseController(w)
	start := time.Now()
	hard := start.Add(UploadReadTime)
	// The write deadline runs from the end of the headers too: the answer
	// must still be allowed once the body is in.
	_ = rc.SetWriteDeadline(hard.Add(time.Minute))
	body := &progressBody{r: r.Body, rc: rc, p: u.progress, hard: hard}
	body.extend(start)
	if r.ContentLength >= 0 && r.ContentLength <= BigUploadBytes {
		r.Body = body
		return func() {}, nil
	}

	unreserve, ok := u.reserve(g.Source(r))
	if !ok {
		return nil, ErrUploadBusy
	}
	head, err := io.ReadAll(io.LimitReader(body, UploadHeadBytes))
	if err != nil {
		unreserve()
		return nil, cutError(err)
	}
	wait := time.NewTimer(UploadSlotWait)
	defer wait.Stop()
	select {
	case u.slots <- struct{}{}:
	case <-wait.C:
		unreserve()
		return nil, ErrUploadBusy
	case <-r.Context().Done():
		unreserve()
		return nil, fmt.Errorf("tiphttp: waiting to read a tip: %w", r.Context().Err())
	}
	// The wait for a slot is not the client's: its window starts again.
	body.extend(time.Now())
	r.Body = &headBody{Reader: io.MultiReader(bytes.NewReader(head), body), body: body}
	return func() {
		<-u.slots
		unreserve()
	}, nil
}

// cutError turns a read error into ErrBodyCut, keeping a too-large body's
// *http.MaxBytesError as it is.
func cutError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return err
	}
	return ErrBodyCut
}

// progressBody is a request body that must keep sending: each time
// MinBytes more have arrived, the connection's read deadline moves a
// Window further, never past hard.
type progressBody struct {
	r    io.ReadCloser
	rc   *http.ResponseController
	p    UploadProgress
	hard time.Time
	got  int64 // bytes since the deadline last moved
}

func (b *progressBody) extend(now time.Time) {
	b.got = 0
	d := now.Add(b.p.Window)
	if d.After(b.hard) {
		d = b.hard
	}
	_ = b.rc.SetReadDeadline(d)
}

func (b *progressBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if b.got += int64(n); b.got >= b.p.MinBytes {
		b.extend(time.Now())
	}
	return n, err
}

func (b *progressBody) Close() error { return b.r.Close() }

// headBody is a large body whose head was read ahead.
type headBody struct {
	io.Reader
	body *progressBody
}

func (b *headBody) Close() error { return b.body.Close() }
