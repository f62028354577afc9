package api

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// notHeld are the bound methods that do not hold the desk for the whole
// call, each with its reason.
var notHeld = map[string]string{
	"Backup.Restore":  "takes the write side for the swap and holds the read side until then",
	"Backup.Cancel":   "touches no desk: it only cancels the running job",
	"Files.PickFiles": "touches no desk: it only shows the file picker",
}

// TestEveryBoundCallHoldsTheDesk proves by reading the source that every
// exported method of the bound structs starts with `defer x.hold()()`, so a
// restore never swaps the desk under a running call, and that no bound method
// calls another one (holding the read lock twice deadlocks when a restore
// waits between the two).
func TestEveryBoundCallHoldsTheDesk(t *testing.T) {
	fset := token.NewFileSet()
	paths, _ := filepath.Glob("*.go")
	type method struct {
		name string
		decl *ast.FuncDecl
	}
	var methods []method
	bound := map[string]bool{} // exported method names of bound types
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || !fd.Name.IsExported() {
				continue
			}
			star, ok := fd.Recv.List[0].Type.(*ast.StarExpr)
			if !ok {
				continue
			}
			typ := star.X.(*ast.Ident).Name
			if typ == "Base" {
				continue
			}
			methods = append(methods, method{typ + "." + fd.Name.Name, fd})
			bound[fd.Name.Name] = true
		}
	}
	if len(methods) < 40 {
		t.Fatalf("found only %d bound methods: the test no longer reads the package", len(methods))
	}
	for _, m := range methods {
		if _, ok := notHeld[m.name]; !ok && !startsWithHold(m.decl) {
			t.Errorf("%s does not start with `defer x.hold()()`", m.name)
		}
		recv := m.decl.Recv.List[0].Names[0].Name
		ast.Inspect(m.decl.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !bound[sel.Sel.Name] {
				return true
			}
			switch x := sel.X.(type) {
			case *ast.Ident:
				if x.Name == recv {
					t.Errorf("%s calls the bound method %s: call an unexported helper instead", m.name, sel.Sel.Name)
				}
			case *ast.ParenExpr, *ast.CompositeLit, *ast.UnaryExpr:
				t.Errorf("%s calls the bound method %s: call an unexported helper instead", m.name, sel.Sel.Name)
			}
			return true
		})
	}
}

func startsWithHold(fd *ast.FuncDecl) bool {
	if len(fd.Body.List) == 0 {
		return false
	}
	d, ok := fd.Body.List[0].(*ast.DeferStmt)
	if !ok {
		return false
	}
	inner, ok := d.Call.Fun.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := inner.Fun.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "hold"
}
