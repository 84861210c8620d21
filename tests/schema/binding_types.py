#!/usr/bin/env python3
"""The Go and Python bindings' types against the JSON Schemas of capi/schema/.

binding_types.py SCHEMA_DIR [--go GO_DIR [--go-tool GO]] [--python FILE.py...] [--root DIR] [--partial]

Each type a binding reads a C ABI document into (or writes one from) is held against the
schema (or the schema's part) of that document:
  - every member the type names exists in the schema's properties (for a type that several
    documents share, in at least one of them), and its type agrees with the schema's
    (string <- string, time.Time, datetime, a string enum; integer <- int...; number <-
    float; boolean <- bool; array <- slice/list of the items' type; object <- a struct or
    dataclass checked the same way, or a map/dict of the additionalProperties' type;
    a schema that allows null <- a pointer, Optional, slice or map);
  - every member a response schema requires is read by the type ("version" aside: it is
    the document's envelope, which no binding type keeps).
Go types come from go/parser (go_shapes/main.go, run with `go run`): the response types of
the binding's fetch[T]/exchange[T]/fetchText[T] calls are found with the C function they
name; the rest (requests, the slot-diff callback) are in GO_TYPES below. Python types come
from importing the modules and reading dataclasses.fields and typing.get_type_hints; the
documents they read are in PYTHON_TYPES below. A Go struct with json tags, or a dataclass
of the Python files, that reaches no document is a failure too: the tables are complete.
--partial: a type of the tables missing from the sources is no failure (the self-test's
fixtures declare only the types they get wrong).
"""
import argparse
import dataclasses
import datetime
import enum
import importlib.util
import json
import os
import subprocess
import sys
import typing

# Go types not found from a fetch/exchange call: documents the binding writes, and the
# one the slots-changed callback decodes. NAME -> documents ("schema" or "schema#/pointer").
GO_TYPES = {
    "SlotDiff": ["slot_diff"],
    "TimeRange": ["range"],
    "freeSlotsRequest": ["engine_free_slots_request", "client_free_slots_request"],
    "TeamFeedOptions": ["team_feed_request"],
    "AccountSettings": ["provider_config"],
    "Config": ["client_config"],
    "OAuthClient": ["oauth_config", "client_config#/properties/google"],
    "Network": ["oauth_config#/properties/network"],
    "Policy": ["select_request#/properties/policy"],
    "PushRequest": ["push_request"],
}

# Python: every dataclass a call builds from a document (from_json) or sends (to_json).
PYTHON_TYPES = {
    "TimeRange": ["free_slots_response#/properties/free/items"],
    "BlockedSlots": ["client_blocked_slots_response"],
    "SlotDiff": ["slot_diff"],
    "Policy": ["select_request#/properties/policy"],
    "CalendarList": ["connection_calendars_response"],
    "Status": ["connection_status"],
    "ConnectionInfo": ["connection_info", "connections_response#/properties/connections/items"],
    "SyncReport": ["sync_report", "run_due_response#/properties/reports/items"],
    "HealthReport": ["health_report"],
    "FreeCheck": ["confirm_free_response"],
    "Appointment": ["appointment", "appointments_response#/properties/appointments/items"],
    "AuthorizationStart": ["authorize_begin_response"],
    "Tokens": ["tokens", "tokens_response"],
    "OAuthStart": ["oauth_begin_response"],
    "OAuthResult": ["oauth_complete_response"],
    "DeviceAuthorization": ["device_code_response"],
    "PushAnswer": ["push_answer"],
    "PushChannel": ["watch_response"],
    "PushRenewal": ["renew_push_response#/properties/channels/items"],
    "WorkerPass": ["worker_pass_response"],
}

ENVELOPE = "version"


def load_schemas(schema_dir):
    schemas = {}
    for name in sorted(os.listdir(schema_dir)):
        if name.endswith(".schema.json"):
            with open(os.path.join(schema_dir, name)) as f:
                schemas[name[: -len(".schema.json")]] = json.load(f)
    return schemas


# --- the bindings' types, as one kind of shape -------------------------------------------
# A shape is a dict: kind (string, integer, number, boolean, array, map, object, any,
# unknown), text (the binding's own spelling of the type), nullable (it holds a JSON null),
# elem (array, map), struct (object).


@dataclasses.dataclass
class Field:
    json: str
    name: str  # the binding's name of it
    shape: dict
    line: int = 0


@dataclasses.dataclass
class Struct:
    lang: str  # Go, Python
    name: str
    file: str
    fields: list
    line: int = 0

    def where(self, field=None):
        at = field.line if field is not None else self.line
        line = f":{at}" if at else ""
        return f"{self.file}{line}: {self.lang} {self.name}"


def shape(kind, text, nullable=False, **more):
    return dict(kind=kind, text=text, nullable=nullable, **more)


GO_KINDS = {"string": "string", "bool": "boolean", "float32": "number", "float64": "number"}


class GoTypes:
    def __init__(self, root, types):
        self.root, self.types, self.structs = root, types, {}

    def rel(self, path):
        return os.path.relpath(path, self.root)

    def struct(self, name, raw, file, line):
        key = name or f"struct@{file}:{line}"
        if key not in self.structs:
            s = Struct("Go", name or f"anonymous struct (line {line})", self.rel(file), [], line)
            self.structs[key] = s
            s.fields = self.fields(raw, file)
        return self.structs[key]

    def fields(self, raw, file):
        out = []
        for f in raw["fields"]:
            t = f["t"]
            if f.get("embedded"):
                inner = t["e"] if t["k"] == "ptr" else t
                target = self.types.get(inner.get("n"), {}).get("shape", {})
                if not f["json"] and target.get("k") == "struct":
                    out += self.fields(target, self.types[inner["n"]]["file"])
                    continue
                f = dict(f, go=inner.get("n", "?"), json=f["json"] or inner.get("n", "?"))
            out.append(Field(f["json"], f["go"], self.shape(t, file, f["line"]), f["line"]))
        return out

    def shape(self, t, file, line=0, text=None):
        k = t["k"]
        if k == "basic":
            n = t["n"]
            kind = GO_KINDS.get(n, "integer")
            return shape(kind, text or n)
        if k == "time":
            return shape("string", text or "time.Time")
        if k == "any":
            return shape("any", text or "any", True)
        if k == "ptr":
            inner = self.shape(t["e"], file, line)
            return dict(inner, nullable=True, text="*" + inner["text"])
        if k == "slice" and t["e"] == {"k": "basic", "n": "byte"}:
            return shape("string", text or "[]byte", True)  # encoding/json: base64
        if k == "slice":
            inner = self.shape(t["e"], file, line)
            return shape("array", "[]" + inner["text"], True, elem=inner)
        if k == "map":
            inner = self.shape(t["e"], file, line)
            key = self.shape(t["key"], file, line)
            kind = "map" if key["kind"] == "string" else "unknown"
            return shape(kind, f"map[{key['text']}]{inner['text']}", True, elem=inner)
        if k == "struct":
            return shape("object", "struct{...}", struct=self.struct(None, t, file, line))
        if k == "named":
            entry = self.types.get(t["n"])
            if entry is None:
                return shape("unknown", t["n"])
            if entry["shape"]["k"] == "struct":
                s = self.struct(t["n"], entry["shape"], entry["file"], entry["line"])
                return shape("object", t["n"], struct=s)
            return self.shape(entry["shape"], entry["file"], entry["line"], text=t["n"])
        return shape("unknown", text or t.get("n", k))


def go_shapes(go_dir, tool_dir, go_tool):
    """go_shapes/main.go's dump of the package in go_dir."""
    env = dict(os.environ)
    env.setdefault("GOFLAGS", "-mod=mod")
    env.setdefault("GOPROXY", "off")
    env.setdefault("GOTOOLCHAIN", "local")
    run = subprocess.run([go_tool, "run", os.path.join(tool_dir, "main.go"), go_dir],
                         capture_output=True, text=True, env=env, check=False)
    if run.returncode != 0:
        raise SystemExit(f"go_shapes failed: {run.stderr}")
    return json.loads(run.stdout)


def python_shape(hint, module_file):
    text = repr(hint).replace("typing.", "").replace("datetime.datetime", "datetime")
    if hint is typing.Any:
        return shape("any", "Any", True)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union:
        present = [a for a in args if a is not type(None)]
        inner = [python_shape(a, module_file) for a in present]
        kinds = {i["kind"] for i in inner}
        if len(kinds) == 1:
            base = dict(inner[0])
        else:
            base = shape("unknown", text)
        return dict(base, text=text, nullable=len(present) < len(args))
    if origin is list:
        return shape("array", text, elem=python_shape(args[0], module_file))
    if origin is dict:
        kind = "map" if args[0] is str else "unknown"
        return shape(kind, text, elem=python_shape(args[1], module_file))
    if hint is bool:
        return shape("boolean", "bool")
    if hint is int:
        return shape("integer", "int")
    if hint is float:
        return shape("number", "float")
    if hint is str or hint is datetime.datetime:
        return shape("string", hint.__name__)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        kind = "string" if issubclass(hint, str) else "unknown"
        return shape(kind, hint.__name__)
    if dataclasses.is_dataclass(hint):
        return shape("object", hint.__name__, struct=python_struct(hint, module_file))
    return shape("unknown", text)


_python_structs = {}


def python_struct(cls, module_file):
    if cls not in _python_structs:
        s = Struct("Python", cls.__name__, module_file, [])
        _python_structs[cls] = s
        hints = typing.get_type_hints(cls)
        s.fields = [Field(f.name, f.name, python_shape(hints[f.name], module_file))
                    for f in dataclasses.fields(cls)]
    return _python_structs[cls]


def load_python(path, package_dir):
    """The module at path, imported as part of its package (relative imports work)."""
    package = os.path.basename(package_dir)
    parent = os.path.dirname(package_dir)
    if parent not in sys.path:
        sys.path.insert(0, parent)
    if os.path.exists(os.path.join(package_dir, "__init__.py")):
        name = package + "." + os.path.splitext(os.path.basename(path))[0]
        return importlib.import_module(name)
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# --- the schemas' side -----------------------------------------------------------------


class Node:
    """A place in a schema: the document, its JSON pointer, and the (ref-resolved) node."""

    def __init__(self, schemas, doc, pointer="#"):
        self.schemas, self.doc, self.pointer = schemas, doc, pointer
        self.node = self.resolve(self.walk(pointer))

    def walk(self, pointer):
        n = self.schemas[self.doc]
        for step in pointer.lstrip("#").strip("/").split("/") if pointer != "#" else []:
            n = self.resolve(n)[step.replace("~1", "/").replace("~0", "~")]
        return n

    def resolve(self, n):
        while isinstance(n, dict) and "$ref" in n:
            n = self.walk(n["$ref"])
        return n

    def child(self, *steps):
        return Node(self.schemas, self.doc, "/".join([self.pointer, *steps]))

    def output(self):
        return self.schemas[self.doc].get("x-calsync-direction") == "output"

    def types(self):
        n = self.node
        if not isinstance(n, dict):
            return {"any"}
        if "type" in n:
            return set(n["type"] if isinstance(n["type"], list) else [n["type"]])
        values = [n["const"]] if "const" in n else n.get("enum")
        if values is not None:
            return {json_type(v) for v in values}
        return {"any"}

    def __str__(self):
        return self.doc + ("" if self.pointer == "#" else self.pointer)


def json_type(v):
    for t, kinds in (("null", type(None)), ("boolean", bool), ("integer", int),
                     ("number", float), ("string", str), ("array", list), ("object", dict)):
        if isinstance(v, kinds):
            return t
    return "any"


# A binding kind and the schema types it may stand for.
HOLDS = {"string": {"string"}, "integer": {"integer"}, "number": {"number"},
         "boolean": {"boolean"}, "array": {"array"}, "object": {"object"}, "map": {"object"}}


class Checker:
    def __init__(self, schemas):
        self.schemas = schemas
        self.uses = {}  # id(Struct) -> (Struct, [Node]), in order of discovery
        self.must_reach = []  # types that are for JSON: some document must be theirs
        self.failures = []

    def fail(self, what):
        self.failures.append(what)

    def use(self, struct, node):
        entry = self.uses.setdefault(id(struct), (struct, []))
        if all(str(n) != str(node) for n in entry[1]):
            entry[1].append(node)

    def document(self, spec):
        doc, _, pointer = spec.partition("#")
        if doc not in self.schemas:
            raise KeyError(f"no schema {doc}")
        return Node(self.schemas, doc, "#" + pointer if pointer else "#")

    def agree(self, sh, node, struct, field):
        """Whether a field's shape can hold what node allows; a failure names both."""
        types = node.types()
        if "any" in types or sh["kind"] == "any":
            return

        def mismatch(why=""):
            self.fail(f"{struct.where(field)}.{field.name} (\"{field.json}\"): "
                      f"{struct.lang} type {sh['text']} but schema {node} is "
                      f"{'/'.join(sorted(types))}{why}")

        if "null" in types and not sh["nullable"]:
            return mismatch(" (a null the binding's type cannot hold)")
        types = types - {"null"}
        if not types:
            return
        if sh["kind"] not in HOLDS or not types <= HOLDS[sh["kind"]]:
            return mismatch()
        if sh["kind"] == "array":
            items = node.node.get("items")
            if items is not None:
                self.agree(sh["elem"], node.child("items"), struct, field)
        elif sh["kind"] == "map":
            extra = node.node.get("additionalProperties")
            if isinstance(extra, dict):
                self.agree(sh["elem"], node.child("additionalProperties"), struct, field)
            elif "properties" in node.node:
                mismatch(" with fixed properties, not a map")
        elif sh["kind"] == "object" and "properties" in node.node:
            self.use(sh["struct"], node)

    def check_uses(self):
        done = 0
        while done < len(self.uses):  # checking a use finds the nested ones
            struct, nodes = list(self.uses.values())[done]
            seen = 0
            while seen < len(nodes):
                self.check_fields(struct, nodes[seen])
                seen += 1
            done += 1
        for struct, nodes in self.uses.values():
            self.check_members(struct, nodes)
        for struct in self.must_reach:
            if id(struct) not in self.uses:
                self.fail(f"{struct.where()}: reads or writes no document this checker knows "
                          f"(add it to binding_types.py's tables)")

    def check_fields(self, struct, node):
        props = node.node.get("properties", {})
        for f in struct.fields:
            if f.json in props:
                self.agree(f.shape, node.child("properties", f.json), struct, f)

    def check_members(self, struct, nodes):
        names = {f.json for f in struct.fields}
        with_props = [n for n in nodes if "properties" in n.node]
        for f in struct.fields:
            if with_props and all(f.json not in n.node["properties"] for n in with_props):
                self.fail(f"{struct.where(f)}.{f.name}: member \"{f.json}\" is in none of "
                          f"{', '.join(map(str, with_props))}")
        for n in nodes:
            if not n.output():
                continue
            for member in n.node.get("required", []):
                if member != ENVELOPE and member not in names:
                    self.fail(f"{struct.where()}: reads {n} but has no member \"{member}\", "
                              f"which that document always carries")


def check_go(checker, go_dir, go_tool, root, partial):
    tool_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "go_shapes")
    dump = go_shapes(go_dir, tool_dir, go_tool)
    go = GoTypes(root, dump["types"])
    responses = {}
    for name, s in checker.schemas.items():
        if s.get("x-calsync-direction") == "output":
            for fn in s.get("title", "").split(":")[0].split(","):
                responses.setdefault(fn.strip(), []).append(name)
    for call in dump["calls"]:
        sh = go.shape(call["shape"], call["file"], call["line"])
        where = f"{go.rel(call['file'])}:{call['line']}: {call['func']}"
        if call["op"] not in responses:
            checker.fail(f"{where}: decodes the answer of \"{call['op']}\", which no schema describes")
            continue
        if sh["kind"] != "object":
            checker.fail(f"{where}: decodes \"{call['op']}\" into {sh['text']}, not a struct")
            continue
        for doc in responses[call["op"]]:
            checker.use(sh["struct"], checker.document(doc))
    for name, docs in GO_TYPES.items():
        entry = dump["types"].get(name)
        if entry is None or entry["shape"]["k"] != "struct":
            if not partial:
                checker.fail(f"{go_dir}: no struct {name}, which binding_types.py's GO_TYPES names")
            continue
        s = go.struct(name, entry["shape"], entry["file"], entry["line"])
        for doc in docs:
            checker.use(s, checker.document(doc))
    for name, entry in sorted(dump["types"].items()):
        tagged = [f for f in entry["shape"].get("fields", []) if f.get("tagged")]
        if tagged:
            s = go.struct(name, entry["shape"], entry["file"], entry["line"])
            checker.must_reach.append(s)


def check_python(checker, files, root, partial):
    classes = {}
    for path in files:
        module = load_python(os.path.abspath(path), os.path.dirname(os.path.abspath(path)))
        rel = os.path.relpath(os.path.abspath(path), root)
        for name, cls in vars(module).items():
            if isinstance(cls, type) and dataclasses.is_dataclass(cls) \
                    and cls.__module__ == module.__name__:
                classes[name] = (cls, rel)
                checker.must_reach.append(python_struct(cls, rel))
    for name, docs in PYTHON_TYPES.items():
        if name not in classes:
            if not partial:
                checker.fail(f"{', '.join(files)}: no dataclass {name}, which "
                             f"binding_types.py's PYTHON_TYPES names")
            continue
        cls, rel = classes[name]
        s = python_struct(cls, rel)
        for doc in docs:
            checker.use(s, checker.document(doc))


def check(schema_dir, go_dir=None, python_files=(), root=".", partial=False, go_tool="go"):
    """The failures, one line each."""
    checker = Checker(load_schemas(schema_dir))
    if go_dir:
        check_go(checker, go_dir, go_tool, root, partial)
    if python_files:
        check_python(checker, list(python_files), root, partial)
    checker.check_uses()
    return checker.failures


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("schema_dir")
    p.add_argument("--go")
    p.add_argument("--go-tool", default="go")
    p.add_argument("--python", nargs="*", default=[])
    p.add_argument("--root", default=".")
    p.add_argument("--partial", action="store_true")
    a = p.parse_args()
    failures = check(a.schema_dir, a.go, a.python, a.root, a.partial, a.go_tool)
    for f in failures:
        print("FAIL:", f)
    print(f"{len(failures)} failures" if failures else "ok")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
