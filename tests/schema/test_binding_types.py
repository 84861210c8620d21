#!/usr/bin/env python3
"""binding_types.py can fail: the wrong bindings of fixtures/ are each reported, by file,
type, member and both types, and nothing else is.

test_binding_types.py SCHEMA_DIR FIXTURES_DIR [GO]   (without GO the Go fixture is left out)
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import binding_types  # noqa: E402  (beside this file)

SCHEMA_DIR, FIXTURES = sys.argv[1:3]
GO = sys.argv[3] if len(sys.argv) > 3 else None



def mistake(file, lang, type_, member=None, binding=None, schema=None, says=None):
    """A pattern for one report: binding file (and line), language, type, member, then
    either both types or what is said."""
    head = rf"^{re.escape(file)}(:\d+)?: {lang} {type_}"
    if says is not None:
        return head + (rf"(\.\w+)?: {says}" if member is None else rf"\.{member}: {says}")
    return (head + rf"\.\w+ \(\"{member}\"\): {lang} type {re.escape(binding)} "
            rf"but schema \S+ is {re.escape(schema)}( \(.*\))?$")


GO_FILE, PY_FILE = "go/wrong.go", "python/results.py"
NULL = "null/string"
GO_EXPECTED = [
    mistake(GO_FILE, "Go", "SyncReport", "connection_id", "int", "string"),
    mistake(GO_FILE, "Go", "SyncReport", "added", "BlockedSlot", "array"),
    mistake(GO_FILE, "Go", "SyncReport", "Revision", says=r"member \"revison\" is in none of "),
    mistake(GO_FILE, "Go", "BlockedSlot", says=r"reads \S+ but has no member \"label\""),
    mistake(GO_FILE, "Go", "BlockedSlot", "all_day", "string", "boolean"),
    mistake(GO_FILE, "Go", "CalendarReport", "events_read", "bool", "integer"),
    mistake(GO_FILE, "Go", "CalendarReport", "skipped", "map[string]string", "array"),
    mistake(GO_FILE, "Go", "CalendarReport", "capped", "string", "object"),
    mistake(GO_FILE, "Go", "Status", "last_attempt", "time.Time", NULL),
    mistake(GO_FILE, "Go", "Status", "events_exported", "float64", "integer"),
    mistake(GO_FILE, "Go", "Unmapped", says="reads or writes no document"),
    rf"^{GO_FILE}:\d+: Gone: decodes the answer of \"calsync_connection_gone\", which no schema",
]
PY_EXPECTED = [
    mistake(PY_FILE, "Python", "BlockedSlot", "end", "int", "string"),
    mistake(PY_FILE, "Python", "BlockedSlot", says=r"reads \S+ but has no member \"label\""),
    mistake(PY_FILE, "Python", "BlockedSlot", "tentative", "str", "boolean"),
    mistake(PY_FILE, "Python", "Status", "last_attempt", "datetime", NULL),
    mistake(PY_FILE, "Python", "Status", "consecutive_failures", "float", "integer"),
    mistake(PY_FILE, "Python", "CalendarReport", "events_read", "str", "integer"),
    mistake(PY_FILE, "Python", "CalendarReport", "skipped", "str", "object"),
    mistake(PY_FILE, "Python", "CalendarReport", "capped", "dict[str, str]", "array"),
    mistake(PY_FILE, "Python", "SyncReport", "revison", says=r"member \"revison\" is in none of "),
    mistake(PY_FILE, "Python", "Unmapped", says="reads or writes no document"),
]

failures = binding_types.check(
    SCHEMA_DIR, go_dir=os.path.join(FIXTURES, "go") if GO else None,
    python_files=[os.path.join(FIXTURES, "python/results.py")], root=FIXTURES, partial=True,
    go_tool=GO or "go")
expected = PY_EXPECTED + (GO_EXPECTED if GO else [])
problems = []
for pattern in expected:
    if not any(re.search(pattern, f) for f in failures):
        problems.append(f"not reported: {pattern}")
for f in failures:
    if not any(re.search(p, f) for p in expected):
        problems.append(f"reported but not a mistake of the fixture: {f}")
for p in problems:
    print("FAIL:", p)
print(f"{len(failures)} reports of {len(expected)} expected mistakes"
      + ("" if GO else " (go not given: the Go fixture is left out)"))
sys.exit(1 if problems else 0)
