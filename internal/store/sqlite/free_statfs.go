//go:build linux || darwin || freebsd || dragonfly

package sqlite

import (
	"fmt"
	"syscall"
)

// freeBytes returns the bytes an unprivileged user may still write on the
// file system holding dir.
func freeBytes(dir string) (int64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, fmt.Errorf("sqlite: free space of %s: %w", dir, err)
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}
