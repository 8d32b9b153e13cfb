#!/usr/bin/env python3
"""arch_deps.py TOP LAYERS - the include checks of tests/arch.sh.

LAYERS is "base store rollup ingest,migrate,chart sources serve": the
folders of src/lib, lowest first; comma-joined folders are siblings.
Prints one line per check, as tests/run.sh counts them:

  arch/layering  a file in src/lib/F/ includes only headers of F or of
                 folders below F (src/cmd and src/main.c may include any)
  arch/cycles    no module depends on itself through others; a module is
                 a file pair x.c + x.h of one folder, or a lone file
                 (a private _impl.h, a .c without header), and A depends
                 on B when a file of A includes B's header

Exits 1 if a check fails.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
MAX_CYCLES = 200  # past this, the SCCs say the rest


def sources(top):
    """Every .c and .h of src/, as paths relative to src/."""
    src = os.path.join(top, "src")
    out = []
    for d, _, files in os.walk(src):
        for f in files:
            if f.endswith((".c", ".h")):
                out.append(os.path.relpath(os.path.join(d, f), src))
    return sorted(out)


def includes(top, path):
    with open(os.path.join(top, "src", path), errors="replace") as f:
        return INCLUDE.findall(f.read())


def resolve(top, path, inc):
    """The file under src/ that `#include "inc"` in src/path names, as the
    compiler finds it: beside the file, then -Isrc/lib, then -Isrc."""
    for cand in (os.path.join(os.path.dirname(path), inc),
                 os.path.join("lib", inc), inc):
        cand = os.path.normpath(cand)
        if os.path.isfile(os.path.join(top, "src", cand)):
            return cand
    return None


def layering(top, files, layers):
    rank = {}
    for i, group in enumerate(layers.split()):
        for folder in group.split(","):
            rank[folder] = i
    bad = []
    for path in files:
        parts = path.split(os.sep)
        if parts[0] != "lib" or len(parts) != 3:
            continue
        folder = parts[1]
        if folder not in rank:
            bad.append("src/%s: folder %s is in no layer" % (path, folder))
            continue
        for inc in includes(top, path):
            target = resolve(top, path, inc)
            tparts = (target or "").split(os.sep)
            if target is None:
                bad.append("src/%s -> %s (no such header)" % (path, inc))
                continue
            if tparts[0] != "lib" or len(tparts) != 3:
                bad.append("src/%s -> %s (outside src/lib)" % (path, inc))
                continue
            tf = tparts[1]
            if tf == folder or (tf in rank and rank[tf] < rank[folder]):
                continue
            how = "a sibling" if rank.get(tf) == rank[folder] else "above"
            bad.append("src/%s -> %s (%s is %s)" % (path, inc, tf, how))
    if bad:
        print("FAIL arch/layering: %d include(s) against the layers: %s"
              % (len(bad), "; ".join(bad)))
        return False
    print("PASS arch/layering")
    return True


def module_of(path, files):
    """x.c and x.h of one folder are module src/.../x.[ch]; anything else
    stands alone, named by its path."""
    stem, ext = os.path.splitext(path)
    other = stem + (".h" if ext == ".c" else ".c")
    return "src/" + (stem + ".[ch]" if other in files else path)


def graph(top, files):
    fileset = set(files)
    deps = {}
    for path in files:
        a = module_of(path, fileset)
        deps.setdefault(a, set())
        for inc in includes(top, path):
            target = resolve(top, path, inc)
            if target is None:
                continue
            b = module_of(target, fileset)
            if b != a:
                deps[a].add(b)
    return deps


def sccs(deps):
    """Tarjan's strongly connected components, iteratively."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    for root in sorted(deps):
        if root in index:
            continue
        work = [(root, iter(sorted(deps[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(deps.get(w, ())))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
    return out


def cycles_in(comp, deps, limit):
    """The elementary cycles of one component (at most limit), each from
    its smallest module, shortest first."""
    members = set(comp)
    found = []

    def walk(start, path):
        for w in sorted(deps[path[-1]] & members):
            if len(found) >= limit:
                return
            if w == start:
                found.append(list(path))
            elif w > start and w not in path:
                walk(start, path + [w])

    for start in comp:
        walk(start, [start])
    return sorted(found, key=lambda c: (len(c), c))


def cycles(top, files):
    deps = graph(top, files)
    shown = []
    comps = sccs(deps)
    for comp in comps:
        for c in cycles_in(comp, deps, MAX_CYCLES - len(shown)):
            shown.append(" -> ".join(c + [c[0]]))
    if comps:
        more = ""
        if len(shown) >= MAX_CYCLES:
            more = " (first %d shown; modules in cycles: %s)" % (
                MAX_CYCLES, "; ".join(", ".join(c) for c in comps))
        print("FAIL arch/cycles: %d cycle(s): %s%s"
              % (len(shown), "; ".join(shown), more))
        return False
    print("PASS arch/cycles")
    return True


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: arch_deps.py TOP LAYERS")
    top, layers = sys.argv[1], sys.argv[2]
    files = sources(top)
    ok = layering(top, files, layers)
    ok = cycles(top, files) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
