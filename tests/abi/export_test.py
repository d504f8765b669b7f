#!/usr/bin/env python3
"""The shared library exports exactly the symbols of lib/libcrmweaver.map:
all prefixed crmw_, all versioned, nothing from faiss, BLAS or jansson.
With the public headers given, each symbol's node is also its tier
(docs/abi.md, "Stability tiers"): a function whose doc comment says
@experimental carries a CRMW_EXPERIMENTAL_<release> node, every other one a
release node CRMW_<release>.

usage: export_test.py LIBCRMWEAVER_SO VERSION_SCRIPT [NM [INCLUDE_DIR]]
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402
from headers import all_declarations  # noqa: E402

so, mapfile = sys.argv[1:3]
nm = sys.argv[3] if len(sys.argv) > 3 else "nm"
include = sys.argv[4] if len(sys.argv) > 4 else None
RELEASE_NODE = re.compile(r"CRMW_\d+\.\d+")
EXPERIMENTAL_NODE = re.compile(r"CRMW_EXPERIMENTAL_\d+\.\d+")


def header_tiers(path):
    """{function: True when experimental} of every CRMW_API declaration."""
    return {name: bool(doc and "@experimental" in doc) for name, _, doc in all_declarations(path)}


def map_symbols(path):
    """{symbol: node} from a GNU ld version script."""
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    out = {}
    for node, body in re.findall(r"(\w[\w.]*)\s*\{(.*?)\}", text, flags=re.S):
        glob = re.search(r"global:(.*?)(local:|$)", body, flags=re.S)
        if glob:
            for sym in re.findall(r"([A-Za-z_]\w*)\s*;", glob.group(1)):
                out[sym] = node
    return out


t = Tap()
expected = map_symbols(mapfile)
t.ok(len(expected) > 0, f"version script lists {len(expected)} symbols")
r = subprocess.run([nm, "-D", "--defined-only", so], capture_output=True, text=True)
t.ok(r.returncode == 0, f"nm -D {os.path.basename(so)}", r.stderr)

exported = {}
for line in r.stdout.splitlines():
    parts = line.split()
    if len(parts) < 3:
        continue
    typ, name = parts[1], parts[2]
    if typ == "A":  # the version node itself (CRMW_0.1)
        continue
    sym, _, ver = name.partition("@")
    exported[sym] = ver.lstrip("@")

bad_prefix = sorted(s for s in exported if not s.startswith("crmw_"))
t.ok(not bad_prefix, "every exported symbol starts with crmw_", "\n".join(bad_prefix[:50]))
missing = sorted(set(expected) - set(exported))
t.ok(not missing, "every symbol of the version script is exported", "\n".join(missing))
extra = sorted(set(exported) - set(expected))
t.ok(not extra, "nothing is exported beyond the version script", "\n".join(extra[:50]))
wrong_node = sorted(f"{s}@{exported[s]} (map: {n})" for s, n in expected.items()
                    if s in exported and exported[s] != n)
t.ok(not wrong_node, "each symbol carries its version node", "\n".join(wrong_node))
bad_node = sorted(f"{s}@{n}" for s, n in exported.items()
                  if not RELEASE_NODE.fullmatch(n) and not EXPERIMENTAL_NODE.fullmatch(n))
t.ok(not bad_node, "every node is a release node (CRMW_0.1) or an experimental one (CRMW_EXPERIMENTAL_0.1)",
     "\n".join(bad_node))
if include:
    tiers = header_tiers(include)
    t.ok(set(tiers) == set(exported), f"the headers declare the {len(exported)} exported functions",
         "not exported: " + " ".join(sorted(set(tiers) - set(exported))) +
         "\nnot declared: " + " ".join(sorted(set(exported) - set(tiers))))
    exp = sorted(s for s, e in tiers.items() if e)
    t.ok(len(exp) > 0, f"{len(exp)} functions are marked @experimental: {' '.join(exp)}")
    wrong = sorted(f"{s}@{exported[s]} ({'@experimental' if e else 'stable'} in its header)"
                   for s, e in tiers.items()
                   if s in exported and bool(EXPERIMENTAL_NODE.fullmatch(exported[s])) != e)
    t.ok(not wrong, "each function's node is its tier: @experimental ones in CRMW_EXPERIMENTAL_*, "
         "the others in a release node", "\n".join(wrong))
for lib in ("faiss", "cblas_", "sgemm", "json_", "sqlite3_", "curl_", "omp_", "_Z"):
    leaked = [s for s in exported if lib in s]
    t.ok(not leaked, f"no {lib}* symbol exported", "\n".join(leaked[:20]))
sys.exit(t.done())
