#!/usr/bin/env python3
"""Resolve the closure of Debian package dependencies for the box's root filesystem.

Reads package names (packages.txt), follows Depends and Pre-Depends with `apt-cache depends`, takes the first
installable choice of each alternative group, skips the names in exclude.txt, and prints one name per line.
Lines of exclude.txt that start with / are file patterns for sysroot/build, not package names.
"""
import subprocess
import sys


def names(path):
    with open(path, encoding="utf-8") as f:
        return [l.split("#")[0].strip() for l in f if l.split("#")[0].strip()]


def depends(pkg):
    out = subprocess.run(
        ["apt-cache", "depends", "--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks",
         "--no-replaces", "--no-enhances", pkg],
        capture_output=True, text=True, check=True).stdout.splitlines()
    groups, current = [], []
    i = 1
    while i < len(out):
        line = out[i]
        stripped = line.strip()
        kind, _, target = stripped.partition(": ")
        alt = kind.startswith("|")
        kind = kind.lstrip("|")
        if kind in ("Depends", "PreDepends"):
            choices = [target]
            # a virtual package lists its providers on the following, deeper-indented lines
            while i + 1 < len(out) and out[i + 1].startswith("    ") and ":" not in out[i + 1]:
                i += 1
                choices.append(out[i].strip())
            current.extend(c for c in choices if not c.startswith("<"))
            if not alt:
                groups.append(current)
                current = []
        i += 1
    return groups


def main():
    wanted = names(sys.argv[1])
    excluded = {n for n in names(sys.argv[2]) if not n.startswith("/")}
    seen, todo = set(), list(wanted)
    while todo:
        pkg = todo.pop()
        if pkg in seen or pkg in excluded:
            continue
        seen.add(pkg)
        for group in depends(pkg):
            if not group or any(g in seen for g in group):
                continue
            todo.append(next((g for g in group if g not in excluded), group[0]))
    for pkg in sorted(seen - excluded):
        print(pkg)


if __name__ == "__main__":
    main()
