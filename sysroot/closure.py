#!/usr/bin/env python3
"""Copy the shared libraries a set of ELF files needs (DT_NEEDED, followed to the end) from a staging tree.

Libraries are looked up as the dynamic loader would on the box: in the staging tree's library folders, including
the alternatives' folders (blas, lapack) that Debian's maintainer scripts would link. A library the root
filesystem already has is not copied (it is the same Debian 12 file). A library the --own folder has (the box's own
builds, sysroot/build-ffmpeg) is taken from there, before the staging tree's. A library found nowhere is an error:
the loader would refuse to start the program.

    closure.py --stage STAGE --root ROOT [--own DIR] --out DIR ELF...
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

TRIPLE = subprocess.run(["gcc", "-dumpmachine"], capture_output=True, text=True, check=True).stdout.strip()
LIB_DIRS = [f"usr/lib/{TRIPLE}", f"lib/{TRIPLE}", "usr/lib", "lib",
            f"usr/lib/{TRIPLE}/blas", f"usr/lib/{TRIPLE}/lapack"]


def needed(path):
    out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[(.*?)\]", out)


def find(tree, name):
    for d in LIB_DIRS:
        p = os.path.join(tree, d, name)
        if os.path.exists(p):
            return p
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stage", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--own")
    ap.add_argument("--out", required=True)
    ap.add_argument("elves", nargs="+")
    a = ap.parse_args()
    seen, todo, missing = set(), list(a.elves), []
    copied = 0
    while todo:
        for name in needed(todo.pop()):
            if name in seen:
                continue
            seen.add(name)
            if find(a.root, name):
                continue
            own = a.own and os.path.join(a.own, name)
            src = own if own and os.path.exists(own) else find(a.stage, name)
            if src is None:
                missing.append(name)
                continue
            dst = os.path.join(a.out, name)
            shutil.copyfile(os.path.realpath(src), dst)
            os.chmod(dst, 0o644)
            copied += os.path.getsize(dst)
            todo.append(dst)
    if missing:
        sys.exit(f"closure.py: needed but in no package: {', '.join(sorted(missing))}")
    print(f"closure.py: {copied / 1e6:.1f} MB of libraries", file=sys.stderr)


if __name__ == "__main__":
    main()
