//go:build !(linux || darwin || freebsd || dragonfly)

package sqlite

import (
	"errors"
	"fmt"
)

// freeBytes cannot tell the free space on this system.
func freeBytes(dir string) (int64, error) {
	return 0, fmt.Errorf("sqlite: free space of %s: %w", dir, errors.ErrUnsupported)
}
