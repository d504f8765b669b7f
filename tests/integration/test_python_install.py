#!/usr/bin/env python3
"""The Python package installs offline into a fresh virtual environment, as
README.md says (python3 -m venv --system-site-packages, then pip install
--no-build-isolation --no-index: Debian's python3-setuptools and python3-wheel
build it, nothing is downloaded), and README.md's Python snippet runs from
that environment.  When Debian's wheel of `wheel` is there too
(python3-wheel-whl), a venv without the system's packages works as well.

usage: test_python_install.py LIBCRMWEAVER_SO SOURCE_ROOT
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

lib, top = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
t = Tap()


def has(py, code):
    return subprocess.run([py, "-c", code], capture_output=True).returncode == 0


# Debian's interpreter first: it is the one with python3-setuptools and python3-wheel
python = next((p for p in ("/usr/bin/python3", sys.executable)
               if p and os.path.exists(p) and has(p, "import venv, ensurepip, setuptools, wheel")), None)
if not python:
    print("1..0 # SKIP no python3 with venv, setuptools and wheel (Debian: python3-venv python3-setuptools "
          "python3-wheel)")
    sys.exit(0)

tmp = tempfile.mkdtemp(prefix="crmw-pyinstall-")
src = os.path.join(tmp, "src")
shutil.copytree(os.path.join(top, "bindings", "python"), src,
                ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "tests"))
# no index, no configuration, no network: only what is on the machine
env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", CRMWEAVER_LIB=lib,
           http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9")
env.pop("PYTHONPATH", None)


def venv(name, *opts):
    d = os.path.join(tmp, name)
    r = subprocess.run([python, "-m", "venv", *opts, d], capture_output=True, text=True)
    return d, r


v, r = venv("venv", "--system-site-packages")
t.ok(r.returncode == 0, "python3 -m venv --system-site-packages", r.stderr[-800:])
pip = os.path.join(v, "bin", "pip")
r = subprocess.run([pip, "install", "--no-build-isolation", "--no-index", src], capture_output=True, text=True,
                   env=env, cwd=tmp)
t.ok(r.returncode == 0, "pip install --no-build-isolation --no-index ./bindings/python, offline",
     (r.stdout + r.stderr)[-1500:])
vpy = os.path.join(v, "bin", "python")
r = subprocess.run([vpy, "-c", "import crmweaver, os; d = os.path.dirname(crmweaver.__file__); "
                    "print(crmweaver.__version__, crmweaver.version(), d, os.path.exists(os.path.join(d, 'py.typed')))"],
                   capture_output=True, text=True, env=env, cwd=tmp)
parts = r.stdout.split()
t.ok(r.returncode == 0 and parts[2].startswith(v) and parts[3] == "True" and parts[0] == parts[1],
     "the installed package (with py.typed) is imported from the venv and matches the library", r.stdout + r.stderr)

# README.md's snippet, from the venv
readme = open(os.path.join(top, "README.md")).read()
m = re.search(r"<!-- test: python-snippet -->\s*```python\n(.*?)```", readme, re.S)
t.ok(m is not None, "README.md has the Python snippet (marked for this test)")
if m:
    with open(os.path.join(tmp, "snippet.py"), "w") as f:
        f.write(m.group(1))
    r = subprocess.run([vpy, "snippet.py"], capture_output=True, text=True, env=env, cwd=tmp, timeout=600)
    t.ok(r.returncode == 0 and "answered" in r.stdout, "README.md's snippet runs from the venv",
         (r.stdout + r.stderr)[-1500:])
m = re.search(r"<!-- test: python-install -->\s*```sh\n(.*?)```", readme, re.S)
t.ok(m is not None and "--no-build-isolation" in m.group(1) and "--system-site-packages" in m.group(1),
     "README.md's install commands are the ones tested here")

# Debian's wheel of wheel (python3-wheel-whl): a venv without the system's packages
wheels = glob.glob("/usr/share/python-wheels/wheel-*.whl")
if wheels:
    v2, r = venv("plain")
    pip2 = os.path.join(v2, "bin", "pip")
    r1 = subprocess.run([pip2, "install", "--no-index", wheels[0]], capture_output=True, text=True, env=env)
    r2 = subprocess.run([pip2, "install", "--no-build-isolation", "--no-index", src], capture_output=True, text=True,
                        env=env, cwd=tmp)
    t.ok(r.returncode == 0 and r1.returncode == 0 and r2.returncode == 0,
         "a plain venv: wheel from /usr/share/python-wheels, then the package", (r1.stderr + r2.stderr)[-800:])
else:
    t.skip("a plain venv with Debian's wheel of wheel", "python3-wheel-whl is not installed")

shutil.rmtree(tmp)
sys.exit(t.done())
