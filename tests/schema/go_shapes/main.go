// Command go_shapes prints, as JSON, the shapes of the types a Go package declares and
// the response types its C calls decode, for check_schemas.py to hold against
// capi/schema/. It reads the source with go/parser (no cgo build, no type checker: the
// binding's own types and time.Time are all it needs to tell apart).
//
//	go run ./tests/schema/go_shapes DIR...
//
// Output: {"types": {NAME: {"file", "line", "shape"}}, "calls": [{"file", "line",
// "func", "op", "shape"}]}. A shape is {"k": "basic"|"time"|"any"|"named"|"ext"|"ptr"|
// "slice"|"map"|"struct", ...}; a struct's fields carry their JSON name as encoding/json
// reads the tag ("-" fields are left out; an untagged field has its Go name).
// "tagged": the field has a json tag. "calls" are the generic calls fetch[T], fetchText[T] and exchange[T] with the C
// function they name (a string literal, or a const of the enclosing function).
package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

type shape map[string]any

type typeEntry struct {
	File  string `json:"file"`
	Line  int    `json:"line"`
	Shape shape  `json:"shape"`
}

type callEntry struct {
	File  string `json:"file"`
	Line  int    `json:"line"`
	Func  string `json:"func"`
	Op    string `json:"op"`
	Shape shape  `json:"shape"`
}

var basics = map[string]bool{
	"string": true, "bool": true, "byte": true, "rune": true, "float32": true, "float64": true,
	"int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true, "uintptr": true,
}

// decoders are the binding's generic calls that decode a C call's JSON answer into T.
var decoders = map[string]bool{"fetch": true, "fetchText": true, "exchange": true}

type reader struct {
	fset *token.FileSet
	file string
}

func (r reader) line(n ast.Node) int { return r.fset.Position(n.Pos()).Line }

func (r reader) shapeOf(e ast.Expr) shape {
	switch t := e.(type) {
	case *ast.Ident:
		switch {
		case basics[t.Name]:
			return shape{"k": "basic", "n": t.Name}
		case t.Name == "any":
			return shape{"k": "any"}
		default:
			return shape{"k": "named", "n": t.Name}
		}
	case *ast.SelectorExpr:
		name := fmt.Sprintf("%s.%s", t.X, t.Sel.Name)
		if name == "time.Time" {
			return shape{"k": "time"}
		}
		return shape{"k": "ext", "n": name}
	case *ast.StarExpr:
		return shape{"k": "ptr", "e": r.shapeOf(t.X)}
	case *ast.ArrayType:
		if t.Len != nil {
			return shape{"k": "ext", "n": "array"}
		}
		return shape{"k": "slice", "e": r.shapeOf(t.Elt)}
	case *ast.MapType:
		return shape{"k": "map", "key": r.shapeOf(t.Key), "e": r.shapeOf(t.Value)}
	case *ast.InterfaceType:
		return shape{"k": "any"}
	case *ast.StructType:
		return r.structShape(t)
	}
	return shape{"k": "ext", "n": fmt.Sprintf("%T", e)}
}

func (r reader) structShape(t *ast.StructType) shape {
	fields := []shape{}
	for _, f := range t.Fields.List {
		tag := ""
		if f.Tag != nil {
			unquoted, err := strconv.Unquote(f.Tag.Value)
			if err == nil {
				tag = reflect.StructTag(unquoted).Get("json")
			}
		}
		parts := strings.Split(tag, ",")
		if parts[0] == "-" && len(parts) == 1 {
			continue
		}
		omitempty := false
		for _, o := range parts[1:] {
			omitempty = omitempty || o == "omitempty"
		}
		ft := r.shapeOf(f.Type)
		if len(f.Names) == 0 { // embedded: encoding/json promotes its fields when untagged
			fields = append(fields, shape{"embedded": true, "json": parts[0], "t": ft,
				"line": r.line(f), "omitempty": omitempty})
			continue
		}
		for _, n := range f.Names {
			if !n.IsExported() {
				continue
			}
			name := parts[0]
			if name == "" {
				name = n.Name
			}
			fields = append(fields, shape{"go": n.Name, "json": name, "omitempty": omitempty,
				"tagged": tag != "", "t": ft, "line": r.line(n)})
		}
	}
	return shape{"k": "struct", "fields": fields}
}

// constStrings are the string consts declared in a function body, by name.
func constStrings(body *ast.BlockStmt) map[string]string {
	consts := map[string]string{}
	ast.Inspect(body, func(n ast.Node) bool {
		d, ok := n.(*ast.GenDecl)
		if !ok || d.Tok != token.CONST {
			return true
		}
		for _, s := range d.Specs {
			v := s.(*ast.ValueSpec)
			for i, name := range v.Names {
				if i < len(v.Values) {
					if lit, ok := v.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						consts[name.Name], _ = strconv.Unquote(lit.Value)
					}
				}
			}
		}
		return true
	})
	return consts
}

func (r reader) calls(fn *ast.FuncDecl) []callEntry {
	if fn.Body == nil {
		return nil
	}
	consts := constStrings(fn.Body)
	typeParams := map[string]bool{} // fetch[T] inside the generic helpers themselves
	if fn.Type.TypeParams != nil {
		for _, f := range fn.Type.TypeParams.List {
			for _, n := range f.Names {
				typeParams[n.Name] = true
			}
		}
	}
	var found []callEntry
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok || len(c.Args) < 2 {
			return true
		}
		var callee ast.Expr
		var typeArg ast.Expr
		switch f := c.Fun.(type) {
		case *ast.IndexExpr:
			callee, typeArg = f.X, f.Index
		case *ast.IndexListExpr:
			callee, typeArg = f.X, f.Indices[0]
		default:
			return true
		}
		id, ok := callee.(*ast.Ident)
		if !ok || !decoders[id.Name] {
			return true
		}
		if t, ok := typeArg.(*ast.Ident); ok && typeParams[t.Name] {
			return true
		}
		op := ""
		switch a := c.Args[1].(type) {
		case *ast.BasicLit:
			op, _ = strconv.Unquote(a.Value)
		case *ast.Ident:
			op = consts[a.Name]
		}
		found = append(found, callEntry{File: r.file, Line: r.line(c), Func: fn.Name.Name,
			Op: op, Shape: r.shapeOf(typeArg)})
		return true
	})
	return found
}

func main() {
	types := map[string]typeEntry{}
	calls := []callEntry{}
	fset := token.NewFileSet()
	for _, dir := range os.Args[1:] {
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		sort.Strings(names)
		for _, name := range names {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			r := reader{fset, name}
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.GenDecl:
					for _, s := range d.Specs {
						if ts, ok := s.(*ast.TypeSpec); ok {
							types[ts.Name.Name] = typeEntry{name, r.line(ts), r.shapeOf(ts.Type)}
						}
					}
				case *ast.FuncDecl:
					calls = append(calls, r.calls(d)...)
				}
			}
		}
	}
	out := json.NewEncoder(os.Stdout)
	out.SetIndent("", " ")
	if err := out.Encode(map[string]any{"types": types, "calls": calls}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
