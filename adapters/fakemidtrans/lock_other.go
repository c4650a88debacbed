//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package fakemidtrans

import "os"

// lockFile does nothing here: there is no portable file lock in the
// standard library, so keep to one emulator per data file.
func lockFile(*os.File) error { return nil }

// syncDir does nothing here: folders cannot be synced portably.
func syncDir(string) error { return nil }
