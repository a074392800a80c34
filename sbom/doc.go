// Package sbom builds CycloneDX software bills of materials for a repository
// from the files that pin its dependencies (go.mod and go.sum, npm's
// package-lock.json, Python's requirements.txt, poetry.lock and uv.lock), or
// for the running binary from its embedded build information, and checks the
// licenses it finds against a policy.
//
// sbom works offline and reads only: it never runs the go, npm or pip
// commands (the repositories it describes may have none of them installed),
// never touches the network, and never imports agent, model or tool code.
// Everything it reads from outside the repository (the Go module cache, the
// clock, the serial number source) comes in through Options.
package sbom
