package flow

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// MaxInputFile bounds every file named on the command line (--from,
// --poller-config): a body or a poller configuration is a few KiB.
const MaxInputFile = 1 << 20

// MaxJSONDepth bounds how deeply those files' JSON may nest: a body nests
// five levels, a poller configuration six.
const MaxJSONDepth = 64

// ReadInputFile reads a file named on the command line. What is not a
// regular file is refused with a sentence saying what it is (a FIFO would
// block for ever, a device such as /dev/zero never ends, a directory is a
// slip), and so is a file over MaxInputFile. The file is opened with
// O_NONBLOCK, so opening a FIFO returns at once, and checked on the open
// descriptor, so what is read is what was checked; reading stops after
// MaxInputFile bytes even if the file grows meanwhile.
func ReadInputFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is %s, not a regular file; give the path of a JSON file", path, fileKind(st.Mode()))
	}
	tooBig := fmt.Errorf("%s is larger than %d KiB, far more than a body or poller configuration needs; check the path", path, MaxInputFile>>10)
	if st.Size() > MaxInputFile {
		return nil, tooBig
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxInputFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxInputFile {
		return nil, tooBig
	}
	return data, nil
}

// fileKind names what a non-regular file is, for a sentence.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	}
	return "a special file"
}

// checkJSONDepth refuses JSON nested more than MaxJSONDepth levels: decoding
// and printing such a file costs far more than its size.
func checkJSONDepth(data []byte) error {
	depth, inString, escaped := 0, false, false
	for _, c := range data {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > MaxJSONDepth {
				return fmt.Errorf("the JSON is nested more than %d levels deep; a body or poller configuration needs a few", MaxJSONDepth)
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}
