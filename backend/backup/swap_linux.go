package backup

import (
	"errors"

	"golang.org/x/sys/unix"
)

// exchange swaps two directories in one atomic rename (renameat2
// RENAME_EXCHANGE), so there is no moment without a data directory.
func exchange(a, b string) error {
	if !useExchange {
		return errNoExchange
	}
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EOPNOTSUPP) {
		return errNoExchange // an old kernel or a file system without it
	}
	return err
}
