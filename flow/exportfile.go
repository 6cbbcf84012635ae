package flow

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrFileExists is returned by WriteFileAtomic when the target exists and
// overwriting was not allowed: ask the user, then call again with Overwrite.
var ErrFileExists = errors.New("the file already exists")

// WriteOptions tune WriteFileAtomic.
type WriteOptions struct {
	// Secret: the content holds secrets, so the file is created 0600
	// (otherwise 0644).
	Secret bool
	// Overwrite allows replacing an existing file.
	Overwrite bool
}

// FileMode is the mode WriteFileAtomic gives a file.
func (o WriteOptions) FileMode() fs.FileMode {
	if o.Secret {
		return 0o600
	}
	return 0o644
}

// WriteFileAtomic writes data to path so that no reader ever sees a partial
// file: a temporary file in the same directory, synced, then renamed (or,
// without Overwrite, hard-linked, which fails when the target exists, so
// even a file created meanwhile is never replaced). The file is 0600 when it
// holds secrets, else 0644. On any failure the temporary file is removed
// and the target is untouched.
func WriteFileAtomic(path string, data []byte, o WriteOptions) (err error) {
	if path == "" {
		return errors.New("no file name given")
	}
	dir := filepath.Dir(path)
	if !o.Overwrite {
		if _, serr := os.Lstat(path); serr == nil {
			return fmt.Errorf("%s: %w", path, ErrFileExists)
		}
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", dir, unwrapPathError(err))
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmpName)
		}
	}()
	// CreateTemp makes 0600; widen only for files without secrets.
	if err = tmp.Chmod(o.FileMode()); err != nil {
		return fmt.Errorf("cannot set the mode of %s: %w", path, unwrapPathError(err))
	}
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPathError(err))
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPathError(err))
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPathError(err))
	}
	if o.Overwrite {
		if err = os.Rename(tmpName, path); err != nil {
			return fmt.Errorf("cannot write %s: %w", path, unwrapPathError(err))
		}
		return nil
	}
	if lerr := os.Link(tmpName, path); lerr != nil {
		if errors.Is(lerr, fs.ErrExist) {
			err = fmt.Errorf("%s: %w", path, ErrFileExists)
			return err
		}
		// Hard links unsupported (some network or FAT file systems): check
		// and rename; the window between the two is as small as it gets.
		if _, serr := os.Lstat(path); serr == nil {
			err = fmt.Errorf("%s: %w", path, ErrFileExists)
			return err
		}
		if err = os.Rename(tmpName, path); err != nil {
			return fmt.Errorf("cannot write %s: %w", path, unwrapPathError(err))
		}
		return nil
	}
	_ = os.Remove(tmpName)
	return nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// ExportPath is the file a person means by p: a leading ~ or ~/ is their
// home directory (a shell would expand it; a prompt does not), found in the
// environment getenv reads (UserHomeDir), and the result is absolute, so
// that a success message names the file unambiguously wherever the
// program ran.
func ExportPath(p string, getenv func(string) string) (string, error) {
	p = strings.TrimSpace(p)
	if p == "" {
		return "", errors.New("give a file name")
	}
	if p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, "~"+string(filepath.Separator)) {
		home, err := UserHomeDir(getenv)
		if err != nil {
			return "", fmt.Errorf("cannot find your home directory for %s: %w", p, err)
		}
		p = filepath.Join(home, p[1:])
	}
	return filepath.Abs(p)
}

// ExportBody builds the body in mode and writes it to path with
// WriteFileAtomic: 0600 when it holds real secrets (SecretsIncluded with a
// secret or code set), else 0644.
func ExportBody(path string, a Answers, s Secrets, mode SecretsMode, overwrite bool) error {
	data, err := MarshalBody(BuildBody(a, s, mode))
	if err != nil {
		return err
	}
	secret := mode == SecretsIncluded && (!s.APISecret.IsZero() || !a.Code.IsZero())
	return WriteFileAtomic(path, data, WriteOptions{Secret: secret, Overwrite: overwrite})
}
