package tiphttp

import (
	"bytes"
	"net/http"
	"time"
)

// LookupFloor is the least time a receipt look-up or message takes,
// whether or not the receipt is known, so that the answer's timing tells
// nothing its status does not.
const LookupFloor = 250 * time.Millisecond

// WaitFloor sleeps until LookupFloor has passed since start.
func WaitFloor(start time.Time) {
	if d := LookupFloor - time.Since(start); d > 0 {
		time.Sleep(d)
	}
}

// Floored returns a ResponseWriter that holds the whole response back, and
// a function to call when the handler is done: it waits until LookupFloor
// has passed since start, then sends the response. Sleeping after writing
// would not do: a response larger than the socket's buffer is on its way
// before the handler returns.
func Floored(w http.ResponseWriter, start time.Time) (http.ResponseWriter, func()) {
	fw := &floorWriter{w: w}
	return fw, func() {
		WaitFloor(start)
		if fw.status == 0 {
			fw.status = http.StatusOK
		}
		fw.w.WriteHeader(fw.status)
		_, _ = fw.w.Write(fw.buf.Bytes())
	}
}

// floorWriter keeps a response in memory; its headers go to the real
// writer's header map, which is not sent before WriteHeader.
type floorWriter struct {
	w      http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (f *floorWriter) Header() http.Header { return f.w.Header() }

func (f *floorWriter) WriteHeader(code int) {
	if f.status == 0 {
		f.status = code
	}
}

func (f *floorWriter) Write(b []byte) (int, error) {
	if f.status == 0 {
		f.status = http.StatusOK
	}
	return f.buf.Write(b)
}
