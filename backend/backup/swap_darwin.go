package backup

import (
	"errors"

	"golang.org/x/sys/unix"
)

// exchange swaps two directories in one atomic rename (renamex_np
// RENAME_SWAP), so there is no moment without a data directory.
func exchange(a, b string) error {
	if !useExchange {
		return errNoExchange
	}
	err := unix.RenamexNp(a, b, unix.RENAME_SWAP)
	if errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EINVAL) {
		return errNoExchange
	}
	return err
}
