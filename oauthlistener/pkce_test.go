package oauthlistener

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ---- Rule 9: PKCE only if Cloud Elements can carry the verifier ----

// The package documents why PKCE does not apply, and sends no challenge:
// nothing in it builds a code_challenge.
func TestRule09_PKCEDocumentedAsNotApplicableAndNoChallengeSent(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"PKCE", "is not used", "oauth/url", "code_verifier"} {
		if !strings.Contains(string(doc), s) {
			t.Errorf("the package doc does not explain PKCE (%q missing)", s)
		}
	}
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "doc.go" {
			continue
		}
		b, _ := os.ReadFile(f)
		if strings.Contains(string(b), "code_challenge") {
			t.Errorf("%s builds a code_challenge that the token exchange could never answer", f)
		}
	}
}

// ---- Rule 6 (constant time): the state is only ever compared through
// crypto/subtle ----

func TestRule06_StateComparedInConstantTime(t *testing.T) {
	fset := token.NewFileSet()
	for _, name := range []string{"listener.go", "paste.go"} {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncDecl:
				if x.Name.Name == "stateMatches" {
					found := false
					ast.Inspect(x.Body, func(m ast.Node) bool {
						if sel, ok := m.(*ast.SelectorExpr); ok && sel.Sel.Name == "ConstantTimeCompare" {
							found = true
						}
						return true
					})
					if !found {
						t.Error("stateMatches does not use subtle.ConstantTimeCompare")
					}
				}
			case *ast.BinaryExpr:
				if x.Op != token.EQL && x.Op != token.NEQ {
					return true
				}
				for _, side := range []ast.Expr{x.X, x.Y} {
					if isStateExpr(side) {
						t.Errorf("%s: the state is compared with %s, not in constant time", fset.Position(x.Pos()), x.Op)
					}
				}
			}
			return true
		})
	}
	if !stateMatches("abc", "abc") || stateMatches("abc", "abd") || stateMatches("ab", "abc") || stateMatches("", "x") {
		t.Error("stateMatches is wrong")
	}
}

// isStateExpr: l.state, state, got (the received state) — but not the empty
// string checks "state == \"\"" which reveal nothing.
func isStateExpr(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.SelectorExpr:
		return x.Sel.Name == "state"
	case *ast.Ident:
		return x.Name == "got"
	}
	return false
}
