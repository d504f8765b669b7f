"""A small driver of headless Chromium over the DevTools protocol on a pipe
(--remote-debugging-pipe: Chromium reads commands on fd 3 and writes answers
on fd 4, each a JSON text ended by a NUL byte).  No network, no dependency.

    with Browser(path) as b:
        page = b.open("file:///tmp/report.html")
        page.eval("document.title")            # the value of a JavaScript expression

find() gives the browser on PATH (Debian's package: chromium) or None.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--mute-audio"]


def find():
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Error(Exception):
    pass


class Page:
    def __init__(self, browser, session):
        self.b = browser
        self.session = session

    def eval(self, expr):
        """The value of a JavaScript expression (returned by value)."""
        r = self.b.call("Runtime.evaluate", {"expression": expr, "returnByValue": True, "awaitPromise": True},
                        self.session)
        if "exceptionDetails" in r:
            raise Error(json.dumps(r["exceptionDetails"])[:500])
        return r["result"].get("value")


class Browser:
    def __init__(self, exe, timeout=120):
        self.timeout = timeout
        self.dir = tempfile.mkdtemp(prefix="crmw-chromium-")
        cmd_r, cmd_w = os.pipe()  # we write, the browser reads on fd 3
        res_r, res_w = os.pipe()  # the browser writes on fd 4, we read

        def child():
            a, b = os.dup(cmd_r), os.dup(res_w)  # out of the way of 3 and 4 first
            a2, b2 = 100, 101
            os.dup2(a, a2)
            os.dup2(b, b2)
            os.dup2(a2, 3)
            os.dup2(b2, 4)

        self.proc = subprocess.Popen([exe, *FLAGS, "--remote-debugging-pipe", f"--user-data-dir={self.dir}",
                                      "about:blank"], preexec_fn=child, close_fds=False,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        os.close(cmd_r)
        os.close(res_w)
        self.w, self.r = cmd_w, res_r
        self.buf = b""
        self.next_id = 0

    def _recv(self):
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self.buf:
            if time.monotonic() > deadline:
                raise Error("no answer from the browser")
            chunk = os.read(self.r, 1 << 16)
            if not chunk:
                raise Error("the browser closed its pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._recv()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise Error(f"{method}: {m['error']}")
                return m["result"]

    def open(self, url):
        """A new page at `url`, once its document is complete."""
        target = self.call("Target.createTarget", {"url": url})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        deadline = time.monotonic() + self.timeout
        while page.eval("location.href.split('#')[0] + ' ' + document.readyState") != url.split("#")[0] + " complete":
            if time.monotonic() > deadline:
                raise Error(f"{url} did not finish loading")
            time.sleep(0.05)
        return page

    def close(self):
        try:
            self.call("Browser.close")
        except (Error, OSError):
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.w)
        os.close(self.r)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
