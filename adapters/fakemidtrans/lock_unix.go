//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package fakemidtrans

import (
	"os"
	"path/filepath"
	"syscall"
)

// lockFile takes an exclusive lock on f without waiting, so two emulators
// never share one data file; the lock ends with the process.
func lockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// syncDir makes a rename in path's folder durable.
func syncDir(path string) error {
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
