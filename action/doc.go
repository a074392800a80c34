// Package action is git-agent's GitHub Actions runtime: it reads the step's
// inputs (ReadInputs) and the triggering event (ReadEvent), recognises
// comment commands (ParseCommand), prepares text written by other people for
// a model (Untrusted, UntrustedCode, Fence), and writes results back to the
// runner safely (Outputs, Summary, and the workflow commands AddMask, Error,
// Warning, Notice, Group and EndGroup).
//
// Everything an event carries (titles, bodies, comments, diffs, logins) is
// written by whoever opened the pull request or comment, so the package
// treats it as hostile: payloads are size-capped and validated, output
// records use a random delimiter and refuse values that contain it, and
// workflow-command text is escaped so it cannot issue commands of its own.
//
// action reads the environment only through an injected getenv, never calls
// the GitHub API, and never imports other git-agent packages: the command
// built on it does the API calls and runs the agent.
package action
