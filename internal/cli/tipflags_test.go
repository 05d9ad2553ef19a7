package cli

import "testing"

func TestTipRoutesUnlogged(t *testing.T) {
	for route, want := range map[string]bool{
		"POST /api/v1/tips": true, "GET /api/v1/tips/token": true, "POST /api/v1/tips/status": true,
		"POST /es/report": true, "GET /ar/report/status": true, "GET /en/services": false, "POST /api/v1/route": false,
	} {
		if got := tipRoute(route); got != want {
			t.Errorf("tipRoute(%q) = %v, want %v", route, got, want)
		}
	}
}
