package functions

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
)

// The Node.js and Python runtime clients, ours: the official ones need a
// native build (aws-lambda-ric) or PyPI (awslambdaric). They are written
// to a temporary directory (LAMBDA_RUNTIME_DIR) on the first Node.js or
// Python function and removed by Shutdown.
//
//go:embed bootstrap/bootstrap.js bootstrap/bootstrap.py
var bootstraps embed.FS

// writeBootstrapsLocked writes the bootstraps once; r.mu is held.
func (r *Runtime) writeBootstrapsLocked() error {
	if r.bootstrapDir != "" {
		return nil
	}
	dir, err := os.MkdirTemp("", "portico-functions-")
	if err != nil {
		return fmt.Errorf("functions: writing the runtime bootstraps: %w", err)
	}
	for _, name := range []string{"bootstrap.js", "bootstrap.py"} {
		b, err := bootstraps.ReadFile("bootstrap/" + name)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, name), b, 0o644)
		}
		if err != nil {
			os.RemoveAll(dir)
			return fmt.Errorf("functions: writing the runtime bootstraps: %w", err)
		}
	}
	r.bootstrapDir = dir
	return nil
}

// removeBootstraps removes the bootstraps' directory.
func (r *Runtime) removeBootstraps() {
	r.mu.Lock()
	dir := r.bootstrapDir
	r.mu.Unlock()
	if dir != "" {
		_ = os.RemoveAll(dir)
	}
}
