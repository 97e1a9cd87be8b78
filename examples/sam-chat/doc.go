// Package samchat is the sam-chat example: AWS's "simple WebSocket chat
// app" as a SAM template, run by `portico serve --template`. There is
// nothing to build: see README.md and template.yaml; main_test.go drives
// it with two WebSocket clients.
package samchat
