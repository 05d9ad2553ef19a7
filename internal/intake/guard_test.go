package intake

import (
	"errors"
	"testing"

	"github.com/haven-project/haven/internal/abuse"
	"github.com/haven-project/haven/internal/seal"
	"github.com/haven-project/haven/internal/testenv"
)

// Tokens are limited per source, at tokenFactor times the tips.
func TestTokenIssueLimit(t *testing.T) {
	g, err := NewGuard(GuardConfig{SourcePerMinute: 1, GlobalPerSecond: 100})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for g.AllowToken("198.51.100.7") {
		n++
		if n > 1000 {
			break
		}
	}
	if n != defaultSourceBurst*tokenFactor {
		t.Errorf("one source got %d tokens at once, want %d", n, defaultSourceBurst*tokenFactor)
	}
	if !g.AllowToken("203.0.113.9") {
		t.Error("another source is refused")
	}
	off, err := NewGuard(GuardConfig{SourcePerMinute: -1, GlobalPerSecond: -1})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10000; i++ {
		if !off.AllowToken("198.51.100.7") {
			t.Fatalf("limits off, token %d refused", i)
		}
	}
}

// TestGuardTokensOutliveRestart: with a store, a token used before a
// restart (a new Guard on the same secret and store) is used after it.
func TestGuardTokensOutliveRestart(t *testing.T) {
	db := testenv.SQLite(t)
	secret := seal.Secret{7}
	newGuard := func() *Guard {
		g, err := NewGuard(GuardConfig{Secret: secret, Store: db})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	g := newGuard()
	tok, err := g.Token()
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Redeem(t.Context(), tok, ""); err != nil {
		t.Fatal(err)
	}
	if err := g.Redeem(t.Context(), tok, ""); !errors.Is(err, abuse.ErrTokenUsed) {
		t.Errorf("the same guard: err = %v, want ErrTokenUsed", err)
	}
	if err := newGuard().Redeem(t.Context(), tok, ""); !errors.Is(err, abuse.ErrTokenUsed) {
		t.Errorf("after a restart: err = %v, want ErrTokenUsed", err)
	}
	// Without a store, a restart forgets it, as it did.
	g, err = NewGuard(GuardConfig{Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Redeem(t.Context(), tok, ""); err != nil {
		t.Errorf("in memory, after a restart: err = %v, want nil", err)
	}
}
