package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-project/haven/internal/tiphttp"
)

// fromAddr is an HTTP client whose connections come from the loopback
// address ip (any of 127.0.0.0/8 works on Linux), so that a test can play
// several tipsters on one machine.
func fromAddr(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{
		Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true, ExpectContinueTimeout: 5 * time.Second},
		Timeout:   30 * time.Second,
	}
}

// trickle opens a connection from ip and sends the head of a large
// multipart tip, then one byte every interval until the server closes the
// connection or stop is closed. It reports on done whether the server cut
// it off.
func trickle(t *testing.T, addr, ip string, interval time.Duration, stop <-chan struct{}, done chan<- bool) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Error(err)
		done <- false
		return
	}
	defer c.Close()
	head := "POST /api/v1/tips HTTP/1.1\r\nHost: haven\r\nContent-Type: multipart/form-data; boundary=slow\r\nContent-Length: 3000000\r\n\r\n--slow\r\n"
	if _, err := io.WriteString(c, head); err != nil {
		done <- true
		return
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			done <- false
			return
		case <-tick.C:
			if _, err := c.Write([]byte("x")); err != nil {
				done <- true // the server closed the connection
				return
			}
		}
	}
}

// TestSlowUploadsDoNotStallPhotoTips: connections from other addresses
// that send a large tip's headers and then a byte now and then cannot keep
// a photo tip waiting: they take no slot before their body flows, and are
// cut off when it flows too slowly. One address gets one slot at a time.
func TestSlowUploadsDoNotStallPhotoTips(t *testing.T) {
	e := newTipEnv(t, tipOptions{gate: tiphttp.Config{
		UploadProgress: tiphttp.UploadProgress{Window: 400 * time.Millisecond, MinBytes: 4 << 10},
	}})
	srv := httptest.NewServer(e.mux)
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")

	stop := make(chan struct{})
	done := make(chan bool, 2*tiphttp.MaxBigUploads)
	var wg sync.WaitGroup
	for i := range 2 * tiphttp.MaxBigUploads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			trickle(t, addr, fmt.Sprintf("127.0.0.%d", 10+i), 200*time.Millisecond, stop, done)
		}()
	}
	time.Sleep(300 * time.Millisecond) // every slow client is in

	// A 2 MB photo tip from another address lands at once.
	photo := append(jpegImage(t), make([]byte, 2<<20)...)
	body, ct := multipartBody(t, [][2]string{{"token", e.token(t)}, {"what_happened", "A photo of the house."}},
		formFile{"house.bin", "application/octet-stream", photo})
	start := time.Now()
	resp, err := fromAddr("127.0.0.3").Post(srv.URL+"/api/v1/tips", ct, body)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("the photo tip: %d %s", resp.StatusCode, b)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the photo tip waited %v behind slow clients", d)
	}

	// The slow clients are cut off, well before UploadReadTime.
	cut := 0
	deadline := time.After(10 * time.Second)
	for range 2 * tiphttp.MaxBigUploads {
		select {
		case c := <-done:
			if c {
				cut++
			}
		case <-deadline:
		}
	}
	close(stop)
	wg.Wait()
	if cut != 2*tiphttp.MaxBigUploads {
		t.Errorf("%d of %d slow clients were cut off within 10 s", cut, 2*tiphttp.MaxBigUploads)
	}
}

// TestOneLargeTipPerAddress: while one address sends a large tip, its
// next large tip is told to try again later (429), and another address's
// is not.
func TestOneLargeTipPerAddress(t *testing.T) {
	e := newTipEnv(t, tipOptions{})
	srv := httptest.NewServer(e.mux)
	defer srv.Close()

	// The first large tip from 127.0.0.4 sends its head, then holds.
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := make(chan int, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/api/v1/tips", pr)
		req.ContentLength = 3 << 20
		req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
		resp, err := fromAddr("127.0.0.4").Do(req)
		if err != nil {
			first <- 0
			return
		}
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	part := "--b\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
	if _, err := pw.Write(append([]byte(part), bytes.Repeat([]byte("y"), tiphttp.UploadHeadBytes)...)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the head is in; the tip holds a slot
	select {
	case code := <-first:
		t.Fatalf("the first large tip ended early: %d", code)
	default:
	}

	big := func(ip string) int {
		body, ct := multipartBody(t, [][2]string{{"token", e.token(t)}, {"what_happened", "x"}},
			formFile{"a.bin", "application/octet-stream", make([]byte, 2<<20)})
		req, err := http.NewRequest("POST", srv.URL+"/api/v1/tips", body)
		if err != nil {
			t.Fatal(err)
		}
		// Sent only once the server reads it: a refused body is not sent.
		req.Header.Set("Expect", "100-continue")
		req.Header.Set("Content-Type", ct)
		resp, err := fromAddr(ip).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		return resp.StatusCode
	}
	if got := big("127.0.0.4"); got != http.StatusTooManyRequests {
		t.Errorf("a second large tip from the same address: %d, want 429", got)
	}
	if got := big("127.0.0.5"); got != http.StatusCreated {
		t.Errorf("a large tip from another address: %d, want 201", got)
	}
	pw.CloseWithError(io.ErrUnexpectedEOF)
	<-first
	// Its slot is free again, once its handler has returned (the answer
	// can reach the client a moment before).
	got := big("127.0.0.4")
	for i := 0; got == http.StatusTooManyRequests && i < 40; i++ {
		time.Sleep(25 * time.Millisecond)
		got = big("127.0.0.4")
	}
	if got != http.StatusCreated {
		t.Errorf("a large tip after the first ended: %d, want 201", got)
	}
}
