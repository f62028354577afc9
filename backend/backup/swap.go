package backup

import "errors"

// errNoExchange says the platform or file system cannot swap two
// directories atomically; swapIn then uses two renames and its journal.
var errNoExchange = errors.New("backup: atomic directory exchange not supported")

// useExchange lets tests take the two-rename path on any platform.
var useExchange = true
