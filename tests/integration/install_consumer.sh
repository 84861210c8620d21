#!/bin/sh
# Installs the build tree, stripped, into a fresh prefix, then builds and runs the consumer
# program against that prefix through CMake (find_package(calsync 1)) or pkg-config.
# pkg-config sees calsync.pc and nothing else (PKG_CONFIG_LIBDIR names only the prefix's
# directory): a consumer machine needs no dependency's .pc to build against the shared
# library. The installed tree is checked as a release install: the library named after
# the version, no debug information left in it, LICENSE beside the documentation, and the
# CLI's manual page and bash completion where man and bash-completion look.
# The bindings against the same prefix: python installs examples/python into a venv with
# only the prefix's calsync.pc on PKG_CONFIG_PATH and imports it with neither
# CALSYNC_LIBRARY nor LD_LIBRARY_PATH (the package finds the library pip recorded); go
# builds examples/go's program with only PKG_CONFIG_PATH (#cgo pkg-config), no CGO_* flags.
# usage: install_consumer.sh cmake|pkgconfig|python|go BUILD_DIR SOURCE_DIR WORK_DIR [C_FLAGS]
# C_FLAGS are the tree's own (the sanitizer flags under the asan preset). python and go
# read PYTHON and GO (the interpreter and toolchain) from the environment.
set -eu
mode=$1 build=$2 src=$3 work=$4 flags=${5:-}
rm -rf "$work" && mkdir -p "$work"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" --strip >/dev/null
so=$(find "$prefix" -name 'libcalsync.so.*.*.*' | head -n1)
[ -n "$so" ] || { echo "no libcalsync.so.MAJOR.MINOR.PATCH installed"; exit 1; }
libdir=$(dirname "$so")
[ -L "$libdir/libcalsync.so.1" ] || { echo "no libcalsync.so.1 link in $libdir"; exit 1; }
if readelf -S "$so" | grep -q '\.debug_'; then
  echo "installed $(basename "$so") keeps debug sections after --strip"; exit 1
fi
[ -f "$prefix/share/doc/calsync/LICENSE" ] || { echo "LICENSE not installed"; exit 1; }
echo "installed $(basename "$so"): $(wc -c <"$so") bytes"
# With the CLI: its manual page and bash completion beside it, and both working from the
# prefix (the page renders; the completion, sourced in bash, asks the installed program).
if [ -x "$prefix/bin/calsync" ]; then
  page="$prefix/share/man/man1/calsync.1"
  completion="$prefix/share/bash-completion/completions/calsync"
  [ -f "$page" ] || { echo "calsync.1 not installed in share/man/man1"; exit 1; }
  [ -f "$completion" ] || { echo "no bash completion in share/bash-completion/completions"; exit 1; }
  groff -man -Tutf8 -P-cbou "$page" | grep -q "calsync sync" ||
    { echo "the installed calsync.1 does not render the sync command"; exit 1; }
  completed=$(PATH="$prefix/bin:$PATH" bash --norc -c \
    '. "$1"; COMP_WORDS=(calsync sy); COMP_CWORD=1; _calsync; echo "${COMPREPLY[*]}"' \
    complete "$completion")
  [ "$completed" = sync ] ||
    { echo "installed completion: 'calsync sy' gave '$completed', not 'sync'"; exit 1; }
fi
examples="$src/../../examples"
case "$mode" in
  cmake)
    cmake -S "$src/consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_C_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
    cmake --build "$work/build" >/dev/null
    exe="$work/build/consumer"
    ;;
  pkgconfig)
    # Only calsync's own .pc: no system directory, no inherited PKG_CONFIG_PATH.
    export PKG_CONFIG_LIBDIR="$libdir/pkgconfig"
    export PKG_CONFIG_PATH="$libdir/pkgconfig"
    cflags=$(pkg-config --cflags calsync)
    libs=$(pkg-config --libs calsync)
    # shellcheck disable=SC2086
    cc $flags -std=c99 -Wall -Werror -o "$work/consumer" "$src/consumer/main.c" $cflags $libs
    exe="$work/consumer"
    ;;
  python)
    export PKG_CONFIG_LIBDIR="$libdir/pkgconfig"
    export PKG_CONFIG_PATH="$libdir/pkgconfig"
    cmake -DPYTHON="$PYTHON" -DSOURCE="$examples/python" -DWORK="$work/python" \
      -P "$examples/python/install_into_venv.cmake" >/dev/null
    venv="$work/python/venv"
    [ -n "$(find "$venv" -path '*/site-packages/calsync/py.typed')" ] \
      || { echo "py.typed not installed"; exit 1; }
    loaded=$(cd "$work" && env -u CALSYNC_LIBRARY -u LD_LIBRARY_PATH "$venv/bin/python" -c '
import calsync
print(calsync.version(), *{l.split()[-1] for l in open("/proc/self/maps") if "libcalsync" in l})')
    [ "${loaded#* }" = "$(realpath "$so")" ] \
      || { echo "import calsync loaded ${loaded#* }, not $(realpath "$so")"; exit 1; }
    echo "python: calsync ${loaded%% *}: loaded ${loaded#* }"
    exit 0
    ;;
  go)
    export PKG_CONFIG_LIBDIR="$libdir/pkgconfig"
    export PKG_CONFIG_PATH="$libdir/pkgconfig"
    unset CGO_CFLAGS CGO_LDFLAGS
    export CGO_ENABLED=1 GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local \
      GOCACHE="$work/go/cache" GOPATH="$work/go/path" HOME="$work/go"
    cd "$examples/go"
    LD_LIBRARY_PATH="$libdir" "$GO" run ./cmd/blocked
    exit 0
    ;;
esac
LD_LIBRARY_PATH="$libdir" "$exe"
