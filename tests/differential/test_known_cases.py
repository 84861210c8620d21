"""Each hand-checked case of known_disagreements.py, through calsync: calsync must give the
RFC 5545 answer (and, where recorded, the peer its wrong one), so the list stays honest."""
import sys

import compare
import known_disagreements


def main():
    lib = compare.load(sys.argv[1])
    failures = 0
    for case in known_disagreements.CASES:
        text = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calsync//known//EN\r\n" +
                case["ics"] + "END:VCALENDAR\r\n")
        uid = case["ics"].split("UID:")[1].split("\r\n")[0]
        ours = sorted((s, e) for u, s, e in compare.calsync_occurrences(lib, text) if u == uid)
        if ours != sorted(case["rfc"]):
            failures += 1
            print(f"calsync differs from the RFC on '{case['name']}': {ours}")
        if case["peer"] is not None:
            theirs = sorted((s, e) for u, s, e in compare.peer_occurrences(text) if u == uid)
            if theirs != sorted(case["peer"]):
                print(f"note: the peer no longer shows '{case['name']}': {theirs}")
    print(f"{len(known_disagreements.CASES)} known cases, {failures} wrong in calsync")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
