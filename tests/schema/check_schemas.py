#!/usr/bin/env python3
"""The JSON Schemas of capi/schema/ against what really goes in and out of the C ABI.

check_schemas.py SCHEMA_DIR HEADER LIBRARY REPO_ROOT [GO]
  - every schema is a valid draft 2020-12 schema whose $id names its file;
  - the library's output for real cases (driven through ctypes) validates against its
    schema made strict (no member the schema does not list), so a member the C++ writers
    add without the schema fails here;
  - the examples of calsync.h that are JSON once their placeholders are filled validate;
  - the Python binding's result dataclasses, and with GO (the go program) the Go binding's
    structs, agree with the schemas of the documents they read or write, member by member
    and type by type (binding_types.py); the keys the Python binding's dict code names
    exist in some schema.
"""
import copy
import ctypes
import json
import os
import re
import sys

import jsonschema

SCHEMA_DIR, HEADER, LIBRARY, ROOT = sys.argv[1:5]
GO = sys.argv[5] if len(sys.argv) > 5 else None
failures = []


def fail(what):
    failures.append(what)
    print("FAIL:", what)


schemas = {}
for name in sorted(os.listdir(SCHEMA_DIR)):
    with open(os.path.join(SCHEMA_DIR, name)) as f:
        s = json.load(f)
    jsonschema.Draft202012Validator.check_schema(s)
    if not s["$id"].endswith("/" + name):
        fail(f"{name}: $id {s['$id']} does not name the file")
    schemas[name[: -len(".schema.json")]] = s


def strict(node):
    node = copy.deepcopy(node)

    def close(n):
        if isinstance(n, dict):
            if n.get("type") == "object" and "properties" in n and "additionalProperties" not in n:
                n["additionalProperties"] = False
            for v in n.values():
                close(v)
        elif isinstance(n, list):
            for v in n:
                close(v)

    close(node)
    return node


def check(schema_name, text, what, strictly=True):
    doc = json.loads(text) if isinstance(text, str) else text
    schema = strict(schemas[schema_name]) if strictly else schemas[schema_name]
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(doc))
    for e in errors:
        fail(f"{what} vs {schema_name}: {'/'.join(map(str, e.path))}: {e.message}")
    return not errors


# --- 1. the library's output
lib = ctypes.CDLL(LIBRARY)
lib.calsync_last_error_message.restype = ctypes.c_char_p
outputs = {}


def call(fn, *args):
    out = ctypes.c_char_p()
    status = getattr(lib, fn)(*args, ctypes.byref(out))
    if status != 0:
        raise AssertionError(f"{fn}: {status} {lib.calsync_last_error_message().decode()}")
    text = out.value.decode()
    return text


def b(s):
    return json.dumps(s).encode() if not isinstance(s, bytes) else s


ICS = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:w1\r\n"
       "DTSTART:20260601T080000Z\r\nDTEND:20260601T090000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\n"
       "SUMMARY:Workshop\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
window = {"start": "2026-06-01T00:00:00Z", "end": "2026-06-08T00:00:00Z"}
outputs["engine_blocked_slots_response"] = call(
    "calsync_engine_blocked_slots",
    b({"version": 1, "zone": "Europe/Berlin", "window": window,
       "calendars": [{"id": "ics", "ics": ICS},
                     {"id": "json", "events": [
                         {"id": "a", "start": {"date": "2026-06-02"}},
                         {"id": "z", "start": {"date_time": "2026-06-03T09:00:00", "time_zone": "Nowhere/Else"}}]}]}))
outputs["free_slots_response"] = call(
    "calsync_engine_free_slots",
    b({"busy": [{"start": "2026-06-01T08:00:00Z", "end": "2026-06-01T09:00:00Z"}],
       "within": {"start": "2026-06-01T07:00:00Z", "end": "2026-06-01T12:00:00Z"},
       "duration_seconds": 3600, "step_seconds": 1800}))


class Options(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("store_path", ctypes.c_char_p),
                ("host_key", ctypes.c_char_p), ("host_key_length", ctypes.c_size_t),
                ("config_json", ctypes.c_char_p), ("log", ctypes.c_void_p),
                ("slots_changed", ctypes.c_void_p), ("user_data", ctypes.c_void_p)]


key = bytes(range(1, 33))
options = Options(1, None, key, len(key), b({"zone": "Europe/Berlin"}), None, None, None)
client = ctypes.c_void_p()
assert lib.calsync_client_new(ctypes.byref(options), ctypes.byref(client)) == 0
assert lib.calsync_client_upsert_appointment(client, b({
    "id": "appt-1", "start": "2026-06-01T08:00:00Z", "end": "2026-06-01T09:00:00Z",
    "client": "Ada", "service": "Oil", "vehicle": "VW", "notes": "n", "status": "booked"})) == 0
outputs["appointments_response"] = call("calsync_client_appointments", client)
outputs["client_blocked_slots_response"] = call("calsync_client_blocked_slots", client, b(window))
outputs["free_slots_response (client)"] = call(
    "calsync_client_free_slots", client,
    b({"within": window, "duration_seconds": 3600, "step_seconds": 3600}))
outputs["confirm_free_response"] = call(
    "calsync_client_confirm_free", client,
    b({"start": "2026-06-01T08:00:00Z", "end": "2026-06-01T09:00:00Z", "timeout_ms": 100}))
outputs["connections_response"] = call("calsync_client_connections", client)
outputs["run_due_response"] = call("calsync_client_run_due", client)
outputs["renew_push_response"] = call("calsync_client_renew_push", client)
outputs["push_answer"] = call(
    "calsync_client_handle_push", client,
    b({"method": "POST", "query": "validationToken=abc", "headers": [], "body": ""}))
lib.calsync_client_free(client)

for name, text in outputs.items():
    check(name.split(" ")[0], text, "output " + name)
if json.loads(outputs["engine_blocked_slots_response"])["errors"] == []:
    fail("the engine case was meant to report the unknown zone in \"errors\"")

# --- 2. the header's examples
with open(HEADER) as f:
    header = f.read()
# The header's own words before an example -> its schema. Examples in the header's
# shorthand ({"start", "end"}, OAUTH_CLIENT + {...}, [X, ...]) are not JSON and left out.
EXAMPLES = {
    "calsync_connection_watch": ("request_json:", "watch_request"),
    "calsync_client_authorize_complete": ("request_json:", "authorize_complete_request"),
    "calsync_oauth_complete": ("request_json:", "oauth_complete_request"),
    "calsync_client_blocked_slots": ("range_json:", "range"),
    "calsync_client_confirm_free": ("request_json:", "confirm_free_request"),
    "calsync_client_upsert_appointment": ("APPOINTMENT =", "appointment"),
    "calsync_connection_select": ("request_json:", "select_request"),
    "calsync_client_authorize_begin": ("request_json:", "authorize_begin_request"),
}


def comment_text(fn):
    """The comment block that documents `fn`, without its leading ' * '."""
    at = header.index(" * " + fn + ":")
    end = header.index("*/", at)
    return "\n".join(re.sub(r"^ \*( |$)", "", line) for line in header[at:end].splitlines())


def balanced(text, start):
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start:i + 1]
    raise ValueError("unbalanced")


def as_json(example):
    """The header's notation made JSON: per-line notes cut, alternatives and placeholders filled."""
    lines = []
    for line in example.splitlines():
        line = re.split(r"\s{3,}(?=[A-Za-z(])", line.rstrip())[0]  # notes in a right column
        lines.append(line)
    text = " ".join(lines)
    text = re.sub(r'("[^"]*")(\s*\|\s*"[^"]*")+', r"\1", text)       # "a" | "b" -> "a"
    text = re.sub(r"\bRFC ?3339\b", '"2026-06-01T08:00:00Z"', text)
    text = re.sub(r"\{\.\.\.\}", "{}", text)
    text = re.sub(r"\s*\([^()\"]*\)", "", text)                     # (parenthetical notes)
    return json.loads(text)


found = 0
for fn, (lead, schema_name) in EXAMPLES.items():
    block = comment_text(fn)
    at = block.find(lead)
    try:
        example = as_json(balanced(block, block.index("{", at)))
    except (ValueError, json.JSONDecodeError) as e:
        fail(f"calsync.h: the example of {fn} is not readable JSON ({e})")
        continue
    found += 1
    check(schema_name, example, f"calsync.h example of {fn}", strictly=False)
print(f"{len(outputs)} outputs, {found} header examples checked")

# --- 3. the bindings' types (binding_types.py; Go's when GO is given)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import binding_types  # noqa: E402  (beside this file)

os.environ["CALSYNC_LIBRARY"] = LIBRARY  # calsync/worker.py loads the library on import
py_dir = os.path.join(ROOT, "examples/python/calsync")
typed = [os.path.join(py_dir, name) for name in ("results.py", "worker.py")]
for what in binding_types.check(SCHEMA_DIR, go_dir=os.path.join(ROOT, "examples/go") if GO else None,
                                python_files=typed, root=ROOT, go_tool=GO or "go"):
    fail(what)

# The Python binding's requests and untyped answers are dicts: their keys at least.
known = set()


def collect(n):
    if isinstance(n, dict):
        known.update(n.get("properties", {}).keys())
        for v in n.values():
            collect(v)
    elif isinstance(n, list):
        for v in n:
            collect(v)


collect(list(schemas.values()))
for name in sorted(os.listdir(py_dir)):
    if name.endswith(".py"):
        with open(os.path.join(py_dir, name)) as f:
            text = f.read()
        for key in set(re.findall(r'\[\s*"([a-z_]+)"\s*\]|\.get\(\s*"([a-z_]+)"', text)):
            key = key[0] or key[1]
            if key not in known:
                fail(f"examples/python/calsync/{name}: json member \"{key}\" is in no schema")

if failures:
    print(f"{len(failures)} failures")
    sys.exit(1)
print("ok")
