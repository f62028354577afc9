//go:build !linux && !darwin

package backup

// exchange is not available here (Windows): Commit moves the old data
// directory aside and the new one in, with a journal Recover finishes from.
func exchange(a, b string) error { return errNoExchange }
