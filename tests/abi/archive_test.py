#!/usr/bin/env python3
"""The installed static library gives a static host only the public API.

libcrmweaver.a is one relocatable object with the library's internal
symbols made local (scripts/localize-archive): its strong global symbols
are exactly those of lib/libcrmweaver.map; any other global symbol is weak
(an instance of a C++ template or inline function, which the linker merges
with the same instance elsewhere).  Then the attack: a host that defines,
for its own purposes, a function of every name the library used
internally (crmw__ helpers, the faiss C API, unprefixed internal functions)
links against the archive without a clash and runs.

usage: archive_test.py ARCHIVE OBJECTS_ARCHIVE VERSION_SCRIPT NM CC UNINSTALLED_PC_DIR INCLUDE_DIR...
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

archive, objects, mapfile, nm, cc, pcdir = sys.argv[1:7]
includes = ["-I" + d for d in sys.argv[7:]]
t = Tap()


def map_symbols(path):
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    out = set()
    for _node, body in re.findall(r"(\w[\w.]*)\s*\{(.*?)\}", text, flags=re.S):
        glob = re.search(r"global:(.*?)(local:|$)", body, flags=re.S)
        if glob:
            out.update(re.findall(r"([A-Za-z_]\w*)\s*;", glob.group(1)))
    return out


def globals_of(path):
    """{name: nm type} of the defined global symbols of an archive."""
    r = subprocess.run([nm, "-g", "--defined-only", path], capture_output=True, text=True)
    if r.returncode:
        return None
    out = {}
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3:
            out[parts[2]] = parts[1]
    return out


public = map_symbols(mapfile)
syms = globals_of(archive)
t.ok(syms is not None and len(public) > 0, f"nm {os.path.basename(archive)}")
strong = {s for s, k in syms.items() if k not in ("W", "V", "w", "v")}
weak = sorted(s for s, k in syms.items() if k in ("W", "V", "w", "v"))
t.ok(strong == public, f"its strong global symbols are the {len(public)} of the version script",
     "missing: " + " ".join(sorted(public - strong)[:20]) + "\nextra: " + " ".join(sorted(strong - public)[:40]))
odd = [s for s in weak if not (s.startswith("_Z") or s.startswith("DW.ref."))]
t.ok(not odd, f"the other {len(weak)} global symbols are weak C++ instances (_Z..., DW.ref.)", " ".join(odd[:40]))
t.ok(not [s for s in syms if s.startswith("crmw__") or s.startswith("faiss_")],
     "no internal crmw__ function and no faiss C API function is global")

# Every name the library uses internally: the strong globals of its
# objects that are not public (before 2026-12, 631 of them were global in
# the installed archive too), as far as they are C identifiers.
inner = globals_of(objects) or {}
names = sorted(s for s, k in inner.items()
               if k not in ("W", "V", "w", "v") and s not in public and re.fullmatch(r"[A-Za-z_]\w*", s)
               and s != "main")
t.ok(len(names) > 100, f"{len(names)} internal names to define in a host")
with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, "host.c")
    with open(src, "w") as f:
        f.write("#include <crmweaver.h>\n#include <stdio.h>\n#include <string.h>\n")
        f.write("int host_calls;\n")
        for n in names:
            f.write(f"void {n}(void);\nvoid {n}(void) {{ host_calls++; }}\n")
        f.write("int main(void)\n{\n"
                "\tcrmw_buf out = CRMW_BUF_INIT;\n"
                "\tint rc = crmw_parse_model_output(&out, \"<tool_call>{\\\"name\\\": \\\"a\\\"}</tool_call>\", 35, NULL);\n"
                "\tprintf(\"%s %d %d %s\\n\", crmw_version_string(), rc, host_calls, out.data ? out.data : \"\");\n"
                "\tcrmw_buf_dispose(&out);\n"
                "\treturn rc != CRMW_OK || host_calls != 0;\n}\n")
    # the archive itself, then the .pc's Libs.private and its Requires.private
    # linked as shared libraries (as tests/abi/pkgconfig_test.sh does: Debian's
    # libcurl ships no static archives of what it needs)
    env = dict(os.environ, PKG_CONFIG_PATH=pcdir)
    text = open(os.path.join(pcdir, "crmweaver-uninstalled.pc")).read()
    private = (re.search(r"^Libs.private: (.*)$", text, re.M) or [None, ""])[1].split()
    req = re.sub(r"[<>=]+ *[0-9.]+", "", (re.search(r"^Requires.private: (.*)$", text, re.M) or [None, ""])[1])
    req = req.replace(",", " ").split()
    pc = subprocess.run(["pkg-config", "--libs"] + req, capture_output=True, text=True, env=env)
    t.ok(pc.returncode == 0, "the libraries the archive needs (Libs.private, Requires.private)", pc.stderr)
    flags = private + pc.stdout.split()
    exe = os.path.join(tmp, "host")
    r = subprocess.run([cc] + includes + [src, "-o", exe, archive] + flags + ["-lstdc++"], capture_output=True, text=True)
    t.ok(r.returncode == 0, f"a host defining {len(names)} of the library's internal names links statically",
         r.stderr[-3000:])
    if r.returncode == 0:
        run = subprocess.run([exe], capture_output=True, text=True)
        t.ok(run.returncode == 0 and '"tool_call"' in run.stdout,
             "it runs, and the library calls none of the host's functions", run.stdout + run.stderr)
sys.exit(t.done())
