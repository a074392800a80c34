package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
)

// CacheDir is where confined commands keyed by key (Profile.CacheKey, or
// the workspace) keep their caches; "" when there is no user cache dir.
func CacheDir(key string) string {
	base, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(base, "git-agent", "sandbox", hex.EncodeToString(sum[:8]))
}
