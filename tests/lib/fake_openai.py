"""A fake OpenAI-compatible chat-completions server for the tests.

    srv = FakeOpenAI(model="m")          # listens on 127.0.0.1, port 0 (srv.port)
    srv.url                              # "http://127.0.0.1:PORT/v1"
    srv.script = [(429, {"Retry-After": "1"}, {...})]   # the next answers, then the model's
    srv.hold()                           # every request waits for a permit ...
    srv.release(3)                       # ... until the test gives it
    ev = srv.events.get(timeout=60)      # ("request", n, body) as each request arrives
    srv.close()

The "model" is deterministic: its answer depends only on the request, so two
runs over the same tasks write the same trajectories.  On a task's first turn
it calls issue_soql_query for one Account id; then it answers with the text
of the last tool result (or "I do not know").  A request for another model
gets HTTP 400 {"error": {"message": "model 'X' does not exist"}}, like vLLM.
Each request's arrival is put on `events` with a monotonic time in
`srv.arrivals`, so tests synchronise on events instead of sleeping.
"""
import http.server
import json
import os
import queue
import socket
import threading
import time


def closed_port():
    """A local port nothing listens on (connection refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def model_answer(body):
    """The deterministic model: a tool call first, then an answer."""
    msgs = body.get("messages", [])
    last = msgs[-1] if msgs else {}
    if last.get("role") == "tool":
        text = str(last.get("content", ""))
        ids = [w.strip('"{}[],:') for w in text.split() if len(w.strip('"{}[],:')) == 18]
        content = f"The answer is {ids[0]}." if ids else "I do not know."
        return {"role": "assistant", "content": content}
    n = sum(1 for m in msgs if m.get("role") == "user")
    return {"role": "assistant", "content": None,
            "tool_calls": [{"id": f"call_{n}", "type": "function",
                            "function": {"name": "issue_soql_query",
                                         "arguments": json.dumps({"query": "SELECT Id FROM Account LIMIT 1"})}}]}


class FakeOpenAI:
    def __init__(self, model="m", answer=model_answer):
        self.model = model
        self.answer = answer
        self.script = []           # (status, headers, body) answers used before the model's
        self.bodies = []           # every request body, in arrival order
        self.arrivals = []         # time.monotonic() of each arrival
        self.events = queue.Queue()
        self.lock = threading.Lock()
        self._permits = None       # a Semaphore while holding
        self._stop = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once

            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(n)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {}
                with outer.lock:
                    idx = len(outer.bodies)
                    outer.bodies.append(body)
                    outer.arrivals.append(time.monotonic())
                    scripted = outer.script.pop(0) if outer.script else None
                outer.events.put(("request", idx, body))
                permits = outer._permits
                if permits is not None:
                    while not permits.acquire(timeout=0.2):
                        if outer._stop.is_set():
                            return
                if scripted is not None:
                    status, headers, payload = scripted
                elif body.get("model") != outer.model:
                    status, headers = 400, {}
                    payload = {"error": {"message": f"model '{body.get('model')}' does not exist",
                                         "type": "invalid_request_error"}}
                else:
                    status, headers = 200, {}
                    payload = {"id": f"chatcmpl-{idx}", "object": "chat.completion", "model": outer.model,
                               "choices": [{"index": 0, "message": outer.answer(body), "finish_reason": "stop"}],
                               "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}}
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client went away (a canceled request)
                    pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def hold(self):
        """From now on each request waits for a permit (release())."""
        self._permits = threading.Semaphore(0)

    def release(self, n=1):
        for _ in range(n):
            self._permits.release()

    def unhold(self):
        p, self._permits = self._permits, None
        if p is not None:
            p.release(10000)

    def wait_requests(self, n, timeout=120):
        """Block until `n` requests have arrived in all; their bodies.  The
        timeout only catches a hang (stretched by CRMW_TEST_TIME_SCALE under
        valgrind)."""
        deadline = time.monotonic() + timeout * float(os.environ.get("CRMW_TEST_TIME_SCALE", "1"))
        while True:
            with self.lock:
                if len(self.bodies) >= n:
                    return list(self.bodies)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{len(self.bodies)} of {n} requests arrived")
            try:
                self.events.get(timeout=min(left, 1.0))
            except queue.Empty:
                pass

    def close(self):
        self._stop.set()
        self.unhold()
        self.httpd.shutdown()
        self.httpd.server_close()
