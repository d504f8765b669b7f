#!/usr/bin/env python3
"""Every public header compiles on its own, as C99 and as C++11, with
-Wall -Wextra -Werror -pedantic (and the umbrella header too).

usage: header_test.py SRC_INCLUDE_DIR BUILD_INCLUDE_DIR CC CXX
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

src_inc, build_inc, cc, cxx = sys.argv[1:5]
headers = []
for root, _, files in os.walk(src_inc):
    for f in files:
        if f.endswith(".h"):
            headers.append(os.path.relpath(os.path.join(root, f), src_inc))
# version.h is generated in the build tree.
headers.append("crmweaver/version.h")
headers = sorted(set(headers))

t = Tap()
t.ok(len(headers) >= 3, f"found {len(headers)} public headers")
flags = ["-Wall", "-Wextra", "-Werror", "-pedantic", f"-I{src_inc}", f"-I{build_inc}"]
with tempfile.TemporaryDirectory() as tmp:
    for h in headers:
        for lang, comp, std, ext in (("C99", cc, "-std=c99", "c"),
                                     ("C++11", cxx, "-std=c++11", "cpp")):
            src = os.path.join(tmp, f"t.{ext}")
            with open(src, "w") as f:
                # Twice: include guards must work.
                f.write(f"#include <{h}>\n#include <{h}>\nint main(void) {{ return 0; }}\n")
            cmd = [comp, std, *flags, "-c", src, "-o", os.path.join(tmp, "t.o")]
            r = subprocess.run(cmd, capture_output=True, text=True)
            t.ok(r.returncode == 0, f"{h} compiles alone as {lang}", r.stderr)
sys.exit(t.done())
