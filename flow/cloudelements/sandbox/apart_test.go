package sandbox

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/cewiz/cewiz"

// TestSandboxStaysApart: the emulator is a part of its own. It imports
// nothing of cewiz (its rules come from the public record, not from the
// client it tests), and nothing in flow/ imports it: only main (--sandbox,
// cewiz sandbox) and tests start it.
func TestSandboxStaysApart(t *testing.T) {
	self := module + "/flow/cloudelements/sandbox"
	flowDir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	sandboxDir, _ := filepath.Abs(".")
	checked := 0
	err = filepath.WalkDir(flowDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		inSandbox := filepath.Dir(p) == sandboxDir
		for _, im := range f.Imports {
			path, _ := strconv.Unquote(im.Path.Value)
			switch {
			case inSandbox && (path == module || strings.HasPrefix(path, module+"/")):
				t.Errorf("%s imports %s: the sandbox imports nothing of cewiz", p, path)
			case !inSandbox && path == self:
				t.Errorf("%s imports the sandbox: nothing in flow/ may", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Fatalf("only %d files read under %s", checked, flowDir)
	}
}
