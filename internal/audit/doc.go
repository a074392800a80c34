// Package audit keeps git-agent's audit log: an append-only JSON Lines file
// in which every entry carries the hash of the previous one, so that editing,
// deleting, reordering or inserting an entry breaks the chain and Verify can
// say where. With a key the hashes are HMAC-SHA256, which a reader without the
// key cannot forge; without one they are plain SHA-256, which only detects
// accidents and naive edits.
//
// Every string is passed through a Sanitizer before it is hashed and written,
// so secrets, token-shaped strings and the user's home directory never reach
// the disk. Entries are written with one write(2) and an fsync under a file
// lock, so a crash loses at most the entry being written and several git-agent
// processes can share one log.
//
// audit is a leaf: it must never import another package of this module, since
// cli, agent and tool all write to it.
package audit
