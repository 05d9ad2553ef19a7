package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/haven-project/haven/internal/directory"
)

// snapshot is the directory at one DataVersion, indexed, with the pages
// rendered from it. A new version gets a new snapshot, so old pages go
// with the old one.
type snapshot struct {
	version  int64
	dir      *directory.Directory
	orgs     map[string]*directory.Organization
	services map[string]*directory.Service
	byOrg    map[string][]directory.Service
	// places are each service's locations, as the public may see them.
	places map[string][]place

	mu    sync.Mutex
	pages map[pageKey]*rendered
	open  map[string]openMemo // service slug or contactKey -> its open state this minute
}

// openMemo is a service's open state during one minute. Opening hours are
// written to the minute, so the state cannot change within one; keeping it
// spares loading the time zone on every request.
type openMemo struct {
	minute int64
	state  string
}

// openState returns "open", "closed" or "" (hours unknown) for hours h at
// now, kept for the minute under key (a service's slug, or a contact's:
// contactKey).
func (s *snapshot) openState(key string, h directory.Hours, now time.Time) string {
	if h.Kind != directory.HoursWeekly {
		return openLabel(h.OpenAt(now)) // no time zone to load
	}
	minute := now.Unix() / 60
	s.mu.Lock()
	m, ok := s.open[key]
	s.mu.Unlock()
	if ok && m.minute == minute {
		return m.state
	}
	state := openLabel(h.OpenAt(now))
	s.mu.Lock()
	s.open[key] = openMemo{minute: minute, state: state}
	s.mu.Unlock()
	return state
}

// contactKey names contact i of a service, for openState and the
// translations of its texts ("service.nhth.contacts.1").
func contactKey(svc *directory.Service, i int) string {
	return "service." + svc.Slug + ".contacts." + strconv.Itoa(i)
}

func newSnapshot(version int64, dir *directory.Directory) *snapshot {
	s := &snapshot{
		version:  version,
		dir:      dir,
		orgs:     make(map[string]*directory.Organization, len(dir.Organizations)),
		services: make(map[string]*directory.Service, len(dir.Services)),
		byOrg:    map[string][]directory.Service{},
		places:   map[string][]place{},
		pages:    map[pageKey]*rendered{},
		open:     map[string]openMemo{},
	}
	for i := range dir.Organizations {
		s.orgs[dir.Organizations[i].Slug] = &dir.Organizations[i]
	}
	for i := range dir.Services {
		svc := &dir.Services[i]
		s.services[svc.Slug] = svc
		s.byOrg[svc.Organization] = append(s.byOrg[svc.Organization], *svc)
	}
	locs := make(map[string]*directory.Location, len(dir.Locations))
	for i := range dir.Locations {
		locs[dir.Locations[i].Slug] = &dir.Locations[i]
	}
	for i := range dir.ServicesAtLocation {
		sal := &dir.ServicesAtLocation[i]
		if l, ok := locs[sal.Location]; ok {
			s.places[sal.Service] = append(s.places[sal.Service], place{at: sal, loc: l})
		}
	}
	return s
}

// place is a service at one of its locations.
type place struct {
	at  *directory.ServiceAtLocation
	loc *directory.Location
}

// pageKey names one cached page. Only pages of known records are cached,
// so the cache is bounded by the directory's size.
type pageKey struct {
	locale string
	name   string
	slug   string
	open   string
	// notAsked: the home page with the line that it is not in the
	// language the browser asked for.
	notAsked bool
}

// page returns the cached page for key, rendering it on first use.
// Two requests that miss at once may both render; the result is the same.
func (s *snapshot) page(key pageKey, render func() (*rendered, error)) (*rendered, error) {
	s.mu.Lock()
	pg, ok := s.pages[key]
	s.mu.Unlock()
	if ok {
		return pg, nil
	}
	pg, err := render()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.pages[key] = pg
	s.mu.Unlock()
	return pg, nil
}

// rendered is a finished response body, plain and gzip-compressed.
type rendered struct {
	body, gz   []byte
	etag       string // of body; the gzip copy's tag adds "-gz"
	etagGz     string
	lengthBody string
	lengthGz   string
}

func newRendered(body []byte) (*rendered, error) {
	gz, err := gzipBytes(body)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	tag := hex.EncodeToString(sum[:12])
	return &rendered{
		body:       body,
		gz:         gz,
		etag:       `"` + tag + `"`,
		etagGz:     `"` + tag + `-gz"`,
		lengthBody: strconv.Itoa(len(body)),
		lengthGz:   strconv.Itoa(len(gz)),
	}, nil
}

// newFresh prepares a body for one response: gzipped at the fastest level
// when the client takes gzip, plain otherwise.
func newFresh(body []byte, gz bool) (*rendered, error) {
	sum := sha256.Sum256(body)
	tag := hex.EncodeToString(sum[:12])
	pg := &rendered{body: body, etag: `"` + tag + `"`, lengthBody: strconv.Itoa(len(body))}
	if gz {
		z, err := gzipLevel(body, gzip.BestSpeed)
		if err != nil {
			return nil, err
		}
		pg.gz, pg.etagGz, pg.lengthGz = z, `"`+tag+`-gz"`, strconv.Itoa(len(z))
	}
	return pg, nil
}

// gzipBytes compresses as small as gzip can, for bodies served many times.
func gzipBytes(b []byte) ([]byte, error) { return gzipLevel(b, gzip.BestCompression) }

func gzipLevel(b []byte, level int) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, level)
	if err != nil {
		return nil, fmt.Errorf("web: gzip: %w", err)
	}
	if _, err := zw.Write(b); err != nil {
		return nil, fmt.Errorf("web: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("web: gzip: %w", err)
	}
	return buf.Bytes(), nil
}

// acceptsGzip reports whether an Accept-Encoding value allows gzip: it is
// listed (or "*" is) without q=0.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "x-gzip" && coding != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.ToLower(params), " ", "")
		if strings.HasPrefix(q, "q=0") && strings.Trim(strings.TrimPrefix(q, "q=0"), ".0") == "" {
			return false
		}
		return true
	}
	return false
}

// serve writes a rendered body with its validators, compressed when the
// client accepts gzip, or 304 when the client already has it.
func serve(w http.ResponseWriter, r *http.Request, status int, pg *rendered) {
	h := w.Header()
	h.Add("Vary", "Accept-Encoding")
	body, etag, length := pg.body, pg.etag, pg.lengthBody
	if pg.gz != nil && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body, etag, length = pg.gz, pg.etagGz, pg.lengthGz
		h.Set("Content-Encoding", "gzip")
	}
	if status == http.StatusOK {
		h.Set("ETag", etag)
		if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, etag) {
			h.Del("Content-Encoding")
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	h.Set("Content-Length", length)
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body) // the client went away; nothing to do
	}
}

func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || t == etag || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}
