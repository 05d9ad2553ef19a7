package cli

import (
	"strings"
	"testing"
)

// A bad HAVEN_TIP_* value stops the command instead of being ignored: an
// ignored retention would keep tips longer than the organization set.
func TestBadTipEnvironment(t *testing.T) {
	for _, kv := range [][2]string{{"HAVEN_TIP_RETENTION", "30days"}, {"HAVEN_TRUSTED_PROXY", "not-an-address"}} {
		r := run(t, map[string]string{kv[0]: kv[1]}, "serve", "--db", t.TempDir()+"/h.db", "--addr", "127.0.0.1:0")
		if r.code != 2 || !strings.Contains(r.stderr, kv[0]) {
			t.Errorf("%s=%s: %+v", kv[0], kv[1], r)
		}
	}
	r := run(t, map[string]string{"HAVEN_TIP_RETENTION": "30days"}, "tips", "purge", "--db", t.TempDir()+"/h.db")
	if r.code != 2 || !strings.Contains(r.stderr, "HAVEN_TIP_RETENTION") {
		t.Errorf("tips purge with a bad HAVEN_TIP_RETENTION: %+v", r)
	}
}
