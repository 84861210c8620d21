"""The arrows between layers, checked on the built static libraries: every symbol a layer's
objects need from another layer must come from a library that layer links (CMake's
LINK_LIBRARIES, followed down). The include check (layer_includes.cmake) sees the sources;
this one sees a call that runs the wrong way without an include, through a declaration
written by hand.

Run as: layer_links.py --nm NM LAYER=ARCHIVE=LINKED [LAYER=ARCHIVE=LINKED ...], where
LINKED is the layer's link libraries separated by '+' (entries that are not layers, such as
CURL::libcurl, are ignored). Prints each wrong use and exits 1; prints "links: ok" otherwise.
"""

import argparse
import subprocess
import sys

# nm's types of a symbol an object defines for others to use (weak and unique definitions,
# the inline functions and templates every layer has copies of, are no one's).
STRONG_DEFINITIONS = set("TDBRGSC")


def read_symbols(nm, archive):
    """(defined by member, needed by member) of one static library."""
    answer = subprocess.run([nm, "-g", "-A", "-P", archive], check=True,
                            capture_output=True, text=True)
    defined, needed = {}, {}
    for line in answer.stdout.splitlines():
        where, _, rest = line.partition(": ")
        fields = rest.split()
        if len(fields) < 2:
            continue
        name, kind = fields[0], fields[1]
        member = where[where.find("[") + 1:-1] if where.endswith("]") else where
        if kind == "U":
            needed.setdefault(name, member)
        elif kind in STRONG_DEFINITIONS:
            defined[name] = member
    return defined, needed


def reachable(layer, links):
    """The layers `layer` links, directly or through another layer."""
    seen, todo = set(), list(links[layer])
    while todo:
        below = todo.pop()
        if below not in seen:
            seen.add(below)
            todo.extend(links[below])
    return seen


def demangle(name):
    try:
        return subprocess.run(["c++filt", name], check=True, capture_output=True,
                              text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return name


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nm", default="nm")
    parser.add_argument("layers", nargs="+", metavar="LAYER=ARCHIVE=LINKED")
    args = parser.parse_args()

    archives, linked = {}, {}
    for spec in args.layers:
        layer, archive, libraries = spec.split("=", 2)
        archives[layer] = archive
        linked[layer] = [entry for entry in libraries.split("+") if entry]
    links = {layer: [entry for entry in linked[layer] if entry in archives]
             for layer in archives}

    symbols = {layer: read_symbols(args.nm, archive) for layer, archive in archives.items()}
    violations = 0
    for layer in archives:
        allowed = reachable(layer, links) | {layer}
        _, needed = symbols[layer]
        for name, member in sorted(needed.items(), key=lambda item: item[1]):
            for other in archives:
                if other in allowed or name not in symbols[other][0]:
                    continue
                print(f"link violation: {layer} ({member}) uses {demangle(name)} of {other}, "
                      f"which it does not link")
                violations += 1
    if violations:
        print(f"links: {violations} violation(s)")
        return 1
    print("links: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
