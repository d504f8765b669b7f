#!/usr/bin/env python3
"""A full disk and a read-only file system: every command that
cannot write fails with exit 1 and one line on stderr naming the file and
the cause, never a crash; nothing committed before is lost, and the files
still open and pass the checks afterwards (same record counts, same memory
entries, SQLite's integrity_check).  On a read-only mount the reading
commands (query, tools call, memory search/list/show/stats/export) still
work, also when no -shm file is beside the database.

The file systems are small tmpfs mounts.  Mounting needs CAP_SYS_ADMIN;
without it the test runs itself again inside `unshare -rm` (user and mount
namespaces), and when that is not possible either it skips.

usage: test_fs_faults.py CRMWEAVER_EXE
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

exe = os.path.abspath(sys.argv[1])
INNER = "CRMW_FS_FAULTS_UNSHARED"


def try_mount(where, opts="size=1m"):
    return subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", where],
                          capture_output=True, text=True).returncode == 0


def umount(where):
    subprocess.run(["umount", where], capture_output=True)


def privileges():
    """None when mounting works here, else the reason it does not."""
    d = tempfile.mkdtemp(prefix="crmw-fsprobe-")
    try:
        if try_mount(d):
            umount(d)
            return None
        return "cannot mount a tmpfs"
    except FileNotFoundError:
        return "no mount program"
    finally:
        os.rmdir(d)


why = privileges()
if why and not os.environ.get(INNER) and shutil.which("unshare"):
    # again inside a user and mount namespace, where we may mount
    r = subprocess.run(["unshare", "-rm", sys.executable, os.path.abspath(__file__), exe],
                       env={**os.environ, INNER: "1"}, capture_output=True, text=True)
    if "\n1.." in "\n" + r.stdout:
        sys.stdout.write(r.stdout)
        sys.exit(r.returncode)
    why += " (and unshare -rm failed: " + (r.stderr.strip().splitlines() or ["?"])[0].strip() + ")"

t = Tap()
if why:
    t.skip("disk-full and read-only file system checks", why)
    sys.exit(t.done())

tmp = tempfile.mkdtemp(prefix="crmw-fsfault-")
mnt = os.path.join(tmp, "mnt")
os.mkdir(mnt)
mounted = False


mnt_size = None


class NoRemount(Exception):
    pass


def mount(size):
    global mounted, mnt_size
    if mounted:
        umount(mnt)
    mounted = try_mount(mnt, f"size={size}")
    mnt_size = size
    if not mounted:
        raise RuntimeError("mounting the tmpfs failed")


def remount(mode):
    # type and size spelled out: in a user namespace mount(8) needs them
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"remount,{mode},size={mnt_size}", "tmpfs", mnt],
                       capture_output=True, text=True)
    if r.returncode:
        raise NoRemount(f"remount,{mode} failed: " + (r.stderr.strip().splitlines() or ["?"])[0])


def run(*args, env=None):
    return subprocess.run([exe, *args], capture_output=True, text=True, errors="replace", timeout=300,
                          env={**os.environ, **(env or {})})


def clean_failure(r, causes, names):
    """Exit 1 (not a signal), one line on stderr naming a file and the cause,
    no sanitizer report."""
    err = r.stderr
    return (r.returncode == 1 and err.count("\n") == 1 and err.startswith("crmweaver: ")
            and any(c.lower() in err.lower() for c in causes) and all(n in err for n in names)
            and "Sanitizer" not in err and "runtime error" not in err)


FULL = ("No space left on device", "disk is full")
RO = ("Read-only file system", "read-only", "readonly")


def detail(r):
    return f"exit {r.returncode}\nstderr: {r.stderr}\nstdout: {r.stdout[:300]}"


def fill(path, leave=0):
    """Write a file until the disk is full, then give back `leave` bytes."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        for size in (65536, 4096, 512, 1):
            while True:
                os.write(fd, b"\0" * size)
    except OSError:
        pass
    finally:
        os.close(fd)
    os.truncate(path, max(0, os.path.getsize(path) - leave))


def count(db, obj):
    r = run("query", "--db", db, f"SELECT COUNT(Id) FROM {obj}")
    return json.loads(r.stdout)[0]["expr0"] if r.returncode == 0 else r.stderr


def integrity(db):
    try:
        c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        v = c.execute("PRAGMA integrity_check").fetchone()[0]
        c.close()
        return v
    except sqlite3.Error as e:
        return str(e)


def mem_ids(store):
    r = run("memory", "list", "--store", store, "--limit", "100000", "--json")
    return [e["id"] for e in json.loads(r.stdout)] if r.returncode == 0 else r.stderr


def content(db):
    """Every table's rows (sorted) and the index names: what an org holds."""
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    names = [n for (n,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                     "AND name NOT LIKE 'crmw_fts_%' ORDER BY name")]
    rows = {n: sorted(map(repr, c.execute(f'SELECT * FROM "{n}"'))) for n in names}
    ix = sorted(n for (n,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'index'"))
    c.close()
    return rows, ix


def leftovers(d):
    return [p for p in os.listdir(d) if ".tmp" in p]


has_faiss = json.loads(run("features").stdout)["features"].get("faiss", False)

try:
    # ------------------------------------------------------------ disk full
    mount("4m")
    org = os.path.join(mnt, "org.db")
    r = run("gen", "--profile", "crmarena", "--seed", "1", "--scale", "1", "-o", org)
    t.ok(clean_failure(r, FULL, ["org.db"]), "gen of an org that does not fit: one line naming the file", detail(r))
    t.ok(not os.listdir(mnt), "the failed gen leaves no file behind", os.listdir(mnt))

    mount("5m")
    r = run("gen", "--profile", "crmarena", "--seed", "1", "--scale", "0.1", "-o", org)
    t.ok(r.returncode == 0, "a small org fits", r.stderr)
    before = {o: count(org, o) for o in ("OrderItem", "Case", "Account")}
    items = os.path.join(tmp, "items.jsonl")
    r = run("export", "--db", org, "--format", "jsonl", "--object", "OrderItem", "-o", items)
    with open(items) as src, open(os.path.join(tmp, "more.jsonl"), "w") as dst:
        rows = [json.loads(line) for line in src]
        for _ in range(8):
            for row in rows:
                row.pop("Id", None)
                dst.write(json.dumps(row) + "\n")
    r = run("import", "--db", org, "--format", "jsonl", "--object", "OrderItem", os.path.join(tmp, "more.jsonl"))
    t.ok(clean_failure(r, FULL, ["org.db"]), "a bulk import that does not fit: one line naming the org", detail(r))
    after = {o: count(org, o) for o in before}
    t.ok(after == before, "the failed import is rolled back: same record counts", f"{before} -> {after}")
    t.ok(integrity(org) == "ok", "the org passes integrity_check after the failed import", integrity(org))
    r = run("query", "--db", org, "FIND {zipper} RETURNING Case(Subject)")
    t.ok(r.returncode == 0 and "Case" in r.stdout, "search still works after the failed import", r.stderr)
    # replacing the org with one that does not fit keeps the old one
    r = run("gen", "--profile", "crmarena", "--seed", "3", "--scale", "1", "--force", "-o", org)
    t.ok(clean_failure(r, FULL, ["org.db"]), "gen --force of an org that does not fit: one line naming the file",
         detail(r))
    kept = {o: count(org, o) for o in before}
    t.ok(kept == before and integrity(org) == "ok" and leftovers(mnt) == [],
         "the failed gen --force leaves the old org as it was, and no temporary file", f"{before} -> {kept}")

    # exports onto the full disk
    fill(os.path.join(mnt, "filler"))
    out = os.path.join(mnt, "exp")
    r = run("export", "--db", org, "--format", "jsonl", "-o", out)
    t.ok(clean_failure(r, FULL, ["exp/"]), "an org export onto a full disk: one line naming the file", detail(r))
    left = leftovers(out) if os.path.isdir(out) else []
    bad = []
    for p in os.listdir(out) if os.path.isdir(out) else []:
        with open(os.path.join(out, p)) as f:
            try:
                [json.loads(line) for line in f]
            except ValueError:
                bad.append(p)
    t.ok(not left and not bad, "no temporary or half-written export file", f"tmp: {left}, broken: {bad}")
    r = run("export", "--db", org, "--format", "csv", "--object", "OrderItem", "-o", os.path.join(mnt, "oi.csv"))
    t.ok(clean_failure(r, FULL, ["oi.csv"]) and not os.path.exists(os.path.join(mnt, "oi.csv"))
         and not leftovers(mnt), "a file export onto a full disk leaves nothing", detail(r))
    r = run("tasks", "gen", "--db", org, "--per-family", "2", "--no-verify", "-o", os.path.join(mnt, "tasks.json"))
    t.ok(clean_failure(r, FULL, ["tasks.json"]) and not os.path.exists(os.path.join(mnt, "tasks.json"))
         and not leftovers(mnt), "a task file onto a full disk: the cause, and no half-written file", detail(r))
    t.ok({o: count(org, o) for o in before} == before and integrity(org) == "ok",
         "the org is unchanged after the failed exports")

    # the shared-memory store
    mount("1m")
    mem = os.path.join(mnt, "mem.db")
    for i in range(20):
        run("memory", "add", "--store", mem, "--text", f"guideline {i} about routing cases to agents with skill {i}")
    ids = mem_ids(mem)
    t.ok(ids == list(range(1, 21)), "20 guidelines in the store", ids)
    lines = os.path.join(tmp, "mem-lines.jsonl")
    with open(lines, "w") as f:
        for i in range(3000):
            f.write(json.dumps({"text": f"entry {i} " + " ".join(f"w{(i * 7 + j * 13) % 5000}" for j in range(60))})
                    + "\n")
    r = run("memory", "import", "--store", mem, lines)
    t.ok(clean_failure(r, FULL, ["mem.db"]), "a memory import that does not fit: one line naming the store",
         detail(r))
    t.ok(mem_ids(mem) == ids, "the failed import is rolled back: the same entries", mem_ids(mem)[:5])
    added = []
    r = None
    for i in range(400):
        r = run("memory", "add", "--store", mem, "--text",
                f"entry {i} " + " ".join(f"u{(i * 31 + j * 17) % 9973}x{j}" for j in range(400)), "--json")
        if r.returncode:
            break
        added.append(json.loads(r.stdout)["id"])
    t.ok(r is not None and clean_failure(r, FULL, ["mem.db"]), "adding guidelines until the disk is full",
         detail(r) if r else "")
    now = mem_ids(mem)
    t.ok(now == ids + added, "every guideline added before the disk filled is there, no other",
         f"{len(now)} entries, expected {len(ids) + len(added)}")
    t.ok(integrity(mem) == "ok", "the memory store passes integrity_check", integrity(mem))
    r = run("memory", "search", "--store", mem, "--text", "routing cases", "-k", "3", "--json")
    t.ok(r.returncode == 0 and len(json.loads(r.stdout)["hits"] if r.stdout.startswith("{")
                                   else json.loads(r.stdout)) == 3, "search still works", detail(r))
    fill(os.path.join(mnt, "filler"))
    r = run("memory", "search", "--store", mem, "--text", "routing cases", "--json")
    t.ok(r.returncode == 0 or clean_failure(r, FULL, ["mem.db"]),
         "a search with not a byte free answers or names the store and the cause", detail(r))
    # room for SQLite's -shm file (32 KiB), not for the export or the index
    os.remove(os.path.join(mnt, "filler"))
    fill(os.path.join(mnt, "filler"), 64 * 1024)
    r = run("memory", "export", "--store", mem, "-o", os.path.join(mnt, "mem.jsonl"))
    t.ok(clean_failure(r, FULL, ["mem.jsonl"]) and not os.path.exists(os.path.join(mnt, "mem.jsonl"))
         and not leftovers(mnt), "a memory export onto a full disk leaves nothing", detail(r))
    if has_faiss:
        r = run("memory", "index", "--store", mem, "--factory", "Flat")
        t.ok(clean_failure(r, FULL, ["mem.db"]), "saving a faiss index onto a full disk: one line naming the file",
             detail(r))
        t.ok(not [p for p in os.listdir(mnt) if p.endswith(".faiss") or ".tmp" in p],
             "no index file or temporary left", os.listdir(mnt))
        r = run("memory", "search", "--store", mem, "--text", "routing cases", "--engine", "faiss", "--json")
        t.ok(r.returncode == 0, "a faiss search still works (the index is a cache)", detail(r))
    else:
        for d in ("saving a faiss index onto a full disk", "no index file left", "a faiss search still works"):
            t.skip(d, "built without faiss")
    os.remove(os.path.join(mnt, "filler"))
    t.ok(mem_ids(mem) == ids + added and integrity(mem) == "ok", "the store is unchanged after the failures")

    # ------------------------------- SQLite's temporary directory is full
    # A large bulk load sorts its index keys in temporary files; when there
    # is no room for them it sorts in memory: the same org, no error.
    mount("1m")
    fill(os.path.join(mnt, "filler"))
    ref, full = os.path.join(tmp, "ref.db"), os.path.join(tmp, "tmpfull.db")
    r = run("gen", "--profile", "crmarena", "--seed", "2", "--scale", "0.5", "-o", ref)
    r2 = run("gen", "--profile", "crmarena", "--seed", "2", "--scale", "0.5", "-o", full,
             env={"SQLITE_TMPDIR": mnt})
    t.ok(r.returncode == 0 and r2.returncode == 0, "gen with a full temporary directory succeeds", detail(r2))
    t.ok(r2.returncode == 0 and content(full) == content(ref) and integrity(full) == "ok",
         "... and writes the same org, indexes included", detail(r2))
    os.remove(os.path.join(mnt, "filler"))

    # ------------------------------------------------- read-only file system
    mount("8m")
    r = run("gen", "--profile", "crmarena", "--seed", "1", "--scale", "0.1", "-o", org)
    t.ok(r.returncode == 0, "an org on a fresh tmpfs", r.stderr)
    for p in ("org.db-wal", "org.db-shm"):  # as after a copy: the database file alone
        if os.path.exists(os.path.join(mnt, p)):
            os.remove(os.path.join(mnt, p))
    for i in range(3):
        run("memory", "add", "--store", mem, "--text", f"guideline {i} about routing cases", "--family", "case_routing")
    if has_faiss:
        run("memory", "index", "--store", mem, "--factory", "Flat")
    before = {o: count(org, o) for o in ("OrderItem", "Case")}
    ids = mem_ids(mem)
    listing = run("memory", "list", "--store", mem, "--json").stdout
    try:
        remount("ro")
    except NoRemount as e:
        t.skip("read-only file system checks", str(e))
        raise
    files = sorted(os.listdir(mnt))

    r = run("query", "--db", org, "SELECT COUNT(Id) FROM OrderItem")
    t.ok(r.returncode == 0 and json.loads(r.stdout)[0]["expr0"] == before["OrderItem"],
         "read-only mount: query works", detail(r))
    r = run("query", "--db", org, "FIND {zipper} RETURNING Case(Subject)")
    t.ok(r.returncode == 0 and "Case" in r.stdout, "read-only mount: SOSL search works", detail(r))
    r = run("tools", "call", "--db", org, "--set", "crmarena", "get_period", '{"period_name":"Q3","year":2023}')
    t.ok(r.returncode == 0, "read-only mount: a tool call works", detail(r))
    r = run("memory", "search", "--store", mem, "--text", "routing", "-k", "2", "--json")
    t.ok(r.returncode == 0 and "routing" in r.stdout, "read-only mount: memory search works", detail(r))
    if has_faiss:
        r = run("memory", "search", "--store", mem, "--text", "routing", "--engine", "faiss", "--json")
        t.ok(r.returncode == 0 and "routing" in r.stdout, "read-only mount: faiss search works", detail(r))
    else:
        t.skip("read-only mount: faiss search works", "built without faiss")
    r = run("memory", "list", "--store", mem, "--json")
    t.ok(r.returncode == 0 and r.stdout == listing, "read-only mount: memory list shows the same entries", detail(r))
    r = run("memory", "stats", "--store", mem, "--json")
    t.ok(r.returncode == 0 and json.loads(r.stdout)["entries"] == len(ids), "read-only mount: memory stats",
         detail(r))
    r = run("memory", "show", "--store", mem, "1")
    t.ok(r.returncode == 0, "read-only mount: memory show", detail(r))
    r = run("memory", "export", "--store", mem, "-o", os.path.join(tmp, "mem-ro.jsonl"))
    t.ok(r.returncode == 0 and sum(1 for _ in open(os.path.join(tmp, "mem-ro.jsonl"))) == len(ids),
         "read-only mount: memory export to a writable folder", detail(r))

    r = run("memory", "add", "--store", mem, "--text", "a new guideline")
    t.ok(clean_failure(r, RO, ["mem.db"]), "read-only mount: memory add fails clearly", detail(r))
    r = run("memory", "import", "--store", mem, lines)
    t.ok(clean_failure(r, RO, ["mem.db"]), "read-only mount: memory import fails clearly", detail(r))
    r = run("memory", "delete", "--store", mem, "1")
    t.ok(clean_failure(r, RO, ["mem.db"]), "read-only mount: memory delete fails clearly", detail(r))
    r = run("memory", "index", "--store", mem, "--factory", "Flat")
    t.ok(clean_failure(r, RO, ["mem.db"]), "read-only mount: memory index fails clearly", detail(r))
    r = run("import", "--db", org, "--format", "jsonl", "--object", "OrderItem", os.path.join(tmp, "more.jsonl"))
    t.ok(clean_failure(r, RO, ["org.db"]), "read-only mount: import into the org fails clearly", detail(r))
    r = run("gen", "--profile", "crmarena", "--seed", "2", "--scale", "0.1", "-o", os.path.join(mnt, "new.db"))
    t.ok(clean_failure(r, RO, ["new.db"]), "read-only mount: gen of a new org fails clearly", detail(r))
    r = run("gen", "--profile", "crmarena", "--seed", "2", "--scale", "0.1", "--force", "-o", org)
    t.ok(clean_failure(r, RO, ["org.db"]), "read-only mount: gen --force over the org fails clearly", detail(r))
    r = run("export", "--db", org, "--format", "jsonl", "-o", os.path.join(mnt, "exp"))
    t.ok(clean_failure(r, RO, ["exp"]), "read-only mount: export fails clearly", detail(r))
    r = run("tasks", "gen", "--db", org, "--per-family", "1", "--no-verify", "-o", os.path.join(mnt, "t.json"))
    t.ok(clean_failure(r, RO, ["t.json"]), "read-only mount: tasks gen -o fails clearly", detail(r))
    t.ok(sorted(os.listdir(mnt)) == files, "read-only mount: no file appeared", f"{files} -> {os.listdir(mnt)}")

    remount("rw")
    t.ok({o: count(org, o) for o in before} == before and integrity(org) == "ok",
         "writable again: the org has the same records and passes integrity_check")
    t.ok(mem_ids(mem) == ids and integrity(mem) == "ok"
         and run("memory", "list", "--store", mem, "--json").stdout == listing,
         "writable again: the memory store has the same entries")
    r = run("memory", "add", "--store", mem, "--text", "written after the remount")
    t.ok(r.returncode == 0, "writable again: memory add works", detail(r))
except NoRemount:
    pass
finally:
    if mounted:
        umount(mnt)
    shutil.rmtree(tmp, ignore_errors=True)

sys.exit(t.done())
