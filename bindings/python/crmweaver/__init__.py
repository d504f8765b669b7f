"""Python bindings of libcrmweaver (pure ctypes, no compiled extension).

The library is found through $CRMWEAVER_LIB (a path to libcrmweaver.so), or
the system's library path (libcrmweaver.so.0).  Every call into the library
releases the GIL (ctypes does so for CDLL functions), so threads working on
different handles run in parallel; Python callbacks (model backends, tools,
embedders, the simulated user) take the GIL back while they run.  A Python
exception raised in a callback is carried across the library and raised again
from the call that ran it.

Errors raise subclasses of crmweaver.Error named after the status codes
(NotFound, Invalid, Query, Access, ...), with the library's message.

The package's version is ``crmweaver.__version__``; importing it checks that
the library it loads is at least that version, of the same major version (the
functions it binds exist from then on), and raises ImportError otherwise.
Every public name is typed (the package ships ``py.typed``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import random
import threading
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

__version__ = "0.1.0"

JSON = Any
"""A decoded JSON value (dict, list, str, number, bool or None)."""
Record = Dict[str, Any]
"""A record, a task, a trajectory or another JSON object, decoded."""
Message = Dict[str, Any]
"""An OpenAI chat message: {"role", "content", "tool_calls"?, ...}."""
PathLike = Union[str, "os.PathLike[str]"]

__all__ = [
    "Error", "Org", "Registry", "Memory", "TaskSet", "Agent", "EnvPool", "Env", "Backend",
    "memory_policy", "openai_http", "gold_backend", "replay_backend", "group_stats", "version",
    "Schema", "Role", "Session", "ToolContext", "features", "Bulk", "__version__",
]

# ---------------------------------------------------------------- loading


def _load():
    path = os.environ.get("CRMWEAVER_LIB")
    names = [path] if path else []
    found = ctypes.util.find_library("crmweaver")
    names += [found] if found else []
    names += ["libcrmweaver.so.0", "libcrmweaver.so"]
    last = None
    for n in names:
        try:
            return ctypes.CDLL(n)
        except OSError as e:  # try the next name
            last = e
    raise ImportError(f"libcrmweaver not found (set CRMWEAVER_LIB): {last}")


_lib = _load()


def _version_ok(have: str, want: str) -> bool:
    """May a package of version `want` use a library of version `have`?  The
    same major version, and not older (the functions it binds exist from
    `want` on; a library only adds functions within a major version)."""

    def nums(v: str) -> Tuple[int, ...]:
        return tuple(int(x) for x in v.split("-")[0].split(".")[:3] if x.isdigit())

    h, w = nums(have), nums(want)
    return len(h) >= 2 and h[0] == w[0] and h >= w


def _check_version() -> None:
    """Raise ImportError when the loaded library does not fit the package."""
    f = _lib.crmw_version_string
    f.restype = ctypes.c_char_p
    f.argtypes = []
    have = (f() or b"").decode()
    if not _version_ok(have, __version__):
        raise ImportError(f"crmweaver {__version__} needs libcrmweaver {__version__} or a later "
                          f"{__version__.split('.')[0]}.x, but loaded libcrmweaver {have or '(unknown)'} "
                          f"(set CRMWEAVER_LIB to the right library)")


_check_version()
c_int, c_int32, c_int64, c_size_t = ctypes.c_int, ctypes.c_int32, ctypes.c_int64, ctypes.c_size_t
c_char_p, c_void_p, c_double, c_uint32 = ctypes.c_char_p, ctypes.c_void_p, ctypes.c_double, ctypes.c_uint32


class _Buf(ctypes.Structure):
    _fields_ = [("data", c_void_p), ("len", c_size_t), ("cap", c_size_t)]

    def text(self):
        return ctypes.string_at(self.data, self.len).decode("utf-8", "replace") if self.data else ""

    def json(self):
        return json.loads(self.text())


_BufP = ctypes.POINTER(_Buf)
_COMPLETE = ctypes.CFUNCTYPE(c_int, c_void_p, c_void_p, c_void_p)
_EMBED = ctypes.CFUNCTYPE(c_int, ctypes.POINTER(ctypes.c_float), c_int32, ctypes.c_char_p, c_size_t, c_void_p)
_FREE = ctypes.CFUNCTYPE(None, c_void_p)
_PROGRESS = ctypes.CFUNCTYPE(c_int, c_char_p, c_int64, c_int64, c_void_p)
_TOOL = ctypes.CFUNCTYPE(c_int, ctypes.POINTER(ctypes.c_char), c_size_t, _BufP, c_void_p)
_USER = ctypes.CFUNCTYPE(c_int, _BufP, c_char_p, c_void_p)
_TOOL_CTX = ctypes.CFUNCTYPE(c_int, c_void_p, ctypes.POINTER(ctypes.c_char), c_size_t, _BufP, c_void_p)
_APPROVE_CTX = ctypes.CFUNCTYPE(c_int, ctypes.POINTER(c_int32), _BufP, c_void_p, c_char_p, c_void_p)


class _Backend(ctypes.Structure):
    _fields_ = [("struct_size", c_uint32), ("version", c_uint32), ("userdata", c_void_p), ("complete", _COMPLETE),
                ("embed", _EMBED), ("embed_name", c_char_p), ("embed_dim", c_int32), ("destroy", _FREE)]


def _fn(name, res, *args):
    f = getattr(_lib, name)
    f.restype = res
    f.argtypes = list(args)
    return f


P = c_void_p
PP = ctypes.POINTER(c_void_p)
_f = {}
for _name, _res, _args in [
    ("crmw_version_string", c_char_p, []),
    ("crmw_last_error", c_char_p, []),
    ("crmw_status_name", c_char_p, [c_int32]),
    ("crmw_buf_dispose", None, [_BufP]),
    ("crmw_buf_set", c_int, [_BufP, c_char_p, c_size_t]),
    ("crmw_gen", c_int, [c_char_p, c_char_p, c_void_p, c_void_p]),
    ("crmw_db_open", c_int, [PP, c_char_p, c_uint32]),
    ("crmw_db_free", None, [P]),
    ("crmw_query_opts_new", c_int, [PP]),
    ("crmw_query_opts_free", None, [P]),
    ("crmw_query_opts_set_today", c_int, [P, c_char_p]),
    ("crmw_query_opts_set_role", c_int, [P, P]),
    ("crmw_role_new", c_int, [PP, P, c_char_p, c_char_p]),
    ("crmw_role_free", None, [P]),
    ("crmw_query", c_int, [_BufP, P, c_char_p, c_size_t, P]),
    ("crmw_registry_new", c_int, [PP]),
    ("crmw_registry_free", None, [P]),
    ("crmw_registry_errmsg", c_char_p, [P]),
    ("crmw_registry_add_builtin", c_int, [P, c_char_p, P, P]),
    ("crmw_registry_add", c_int, [P, c_char_p, c_char_p, c_char_p, _TOOL, c_void_p, _FREE]),
    ("crmw_registry_call", c_int, [_BufP, P, c_char_p, c_char_p, c_size_t]),
    ("crmw_registry_export", c_int, [_BufP, P, c_int32]),
    ("crmw_registry_count", c_int32, [P]),
    ("crmw_registry_name", c_char_p, [P, c_int32]),
    ("crmw_memory_open", c_int, [PP, c_char_p, c_char_p]),
    ("crmw_memory_free", None, [P]),
    ("crmw_memory_add", c_int, [ctypes.POINTER(c_int64), ctypes.POINTER(c_int32), P, c_char_p,
                                ctypes.POINTER(ctypes.c_float), c_int32]),
    ("crmw_memory_search", c_int, [_BufP, P, c_char_p, c_char_p]),
    ("crmw_memory_get", c_int, [_BufP, P, c_int64]),
    ("crmw_memory_count", c_int, [ctypes.POINTER(c_int64), P]),
    ("crmw_memory_dim", c_int32, [P]),
    ("crmw_memory_set_embedder", c_int, [P, c_char_p, c_int32, _EMBED, c_void_p, _FREE]),
    ("crmw_task_set_generate", c_int, [PP, _BufP, P, c_char_p]),
    ("crmw_task_set_load", c_int, [PP, c_char_p]),
    ("crmw_task_set_parse", c_int, [PP, c_char_p, c_size_t]),
    ("crmw_task_set_free", None, [P]),
    ("crmw_task_set_count", c_int64, [P]),
    ("crmw_task_set_get", c_int, [_BufP, P, c_int64]),
    ("crmw_task_set_select", c_int, [PP, P, c_char_p]),
    ("crmw_agent_new", c_int, [PP, P, c_char_p]),
    ("crmw_agent_free", None, [P]),
    ("crmw_agent_errmsg", c_char_p, [P]),
    ("crmw_agent_set_backend", c_int, [P, ctypes.POINTER(_Backend)]),
    ("crmw_agent_set_memory", c_int, [P, P]),
    ("crmw_agent_set_registry", c_int, [P, P]),
    ("crmw_agent_set_user", c_int, [P, _USER, c_void_p, _FREE]),
    ("crmw_agent_run", c_int, [_BufP, P, c_char_p, c_char_p]),
    ("crmw_agent_cancel", None, [P]),
    ("crmw_request_json", c_void_p, [P, ctypes.POINTER(c_size_t)]),
    ("crmw_request_task", c_void_p, [P, ctypes.POINTER(c_size_t)]),
    ("crmw_request_purpose", c_char_p, [P]),
    ("crmw_request_canceled", c_int, [P]),
    ("crmw_response_set_text", c_int, [P, c_char_p, c_size_t]),
    ("crmw_response_set_message", c_int, [P, c_char_p, c_size_t]),
    ("crmw_response_set_error", c_int, [P, c_char_p]),
    ("crmw_response_set_abstain", c_int, [P, c_char_p]),
    ("crmw_response_set_usage", c_int, [P, c_int64, c_int64]),
    ("crmw_backend_dispose", None, [ctypes.POINTER(_Backend)]),
    ("crmw_backend_memory_policy", c_int, [ctypes.POINTER(_Backend), P, ctypes.POINTER(_Backend), c_char_p]),
    ("crmw_backend_openai_http", c_int, [ctypes.POINTER(_Backend), c_char_p]),
    ("crmw_backend_replay", c_int, [ctypes.POINTER(_Backend), c_char_p, c_char_p]),
    ("crmw_backend_gold", c_int, [ctypes.POINTER(_Backend), P, c_char_p]),
    ("crmw_env_pool_new", c_int, [PP, c_char_p, c_char_p]),
    ("crmw_env_pool_free", None, [P]),
    ("crmw_env_pool_set_tasks", c_int, [P, P]),
    ("crmw_env_pool_set_memory", c_int, [P, P]),
    ("crmw_env_new", c_int, [PP, P]),
    ("crmw_env_free", None, [P]),
    ("crmw_env_reset", c_int, [_BufP, P, c_char_p]),
    ("crmw_env_step", c_int, [_BufP, P, c_char_p, c_size_t]),
    ("crmw_env_trajectory", c_int, [_BufP, P]),
    ("crmw_env_step_batch", c_int, [P, PP, ctypes.POINTER(c_char_p), ctypes.POINTER(c_size_t), _BufP,
                                    ctypes.POINTER(c_int), c_int32]),
    ("crmw_group_stats", c_int, [_BufP, ctypes.POINTER(c_double), ctypes.POINTER(c_double), c_int32]),
    ("crmw_schema_builtin", c_int, [PP, c_char_p]),
    ("crmw_schema_from_json", c_int, [PP, c_char_p, c_size_t]),
    ("crmw_schema_to_json", c_int, [_BufP, P]),
    ("crmw_schema_describe", c_int, [_BufP, P, c_char_p]),
    ("crmw_schema_render", c_int, [_BufP, P, c_char_p]),
    ("crmw_schema_free", None, [P]),
    ("crmw_db_create", c_int, [PP, c_char_p, P, c_char_p]),
    ("crmw_db_schema", c_void_p, [P]),
    ("crmw_db_count", c_int, [ctypes.POINTER(c_int64), P, c_char_p]),
    ("crmw_record_insert", c_int, [_BufP, P, c_char_p, c_char_p, c_size_t]),
    ("crmw_record_update", c_int, [P, c_char_p, c_char_p, c_char_p, c_size_t]),
    ("crmw_record_delete", c_int, [P, c_char_p, c_char_p]),
    ("crmw_record_get", c_int, [_BufP, P, c_char_p, c_char_p]),
    ("crmw_db_import_file", c_int, [ctypes.POINTER(c_int64), P, c_char_p, c_int32, c_char_p]),
    ("crmw_db_export_dir", c_int, [P, c_int32, c_char_p]),
    ("crmw_role_describe", c_int, [_BufP, P]),
    ("crmw_role_can_read", c_int, [P, c_char_p, c_char_p]),
    ("crmw_session_new", c_int, [PP, P, c_char_p, c_char_p]),
    ("crmw_session_free", None, [P]),
    ("crmw_session_next", c_int, [ctypes.POINTER(c_int32), _BufP, P]),
    ("crmw_session_feed", c_int, [P, c_char_p, c_size_t]),
    ("crmw_session_feed_error", c_int, [P, c_char_p]),
    ("crmw_session_feed_abstain", c_int, [P, c_char_p]),
    ("crmw_session_feed_usage", c_int, [P, c_int64, c_int64]),
    ("crmw_session_trajectory", c_int, [_BufP, P]),
    ("crmw_session_decision", c_int, [_BufP, P]),
    ("crmw_task_set_generate_progress", c_int, [PP, _BufP, P, c_char_p, c_void_p, c_void_p]),
    ("crmw_features_json", c_int, [_BufP]),
    ("crmw_record_iter_new", c_int, [PP, P, c_char_p]),
    ("crmw_record_iter_next", c_int, [_BufP, P]),
    ("crmw_record_iter_free", None, [P]),
    ("crmw_record_upsert", c_int, [_BufP, P, c_char_p, c_char_p, c_size_t]),
    ("crmw_db_import_dir", c_int, [ctypes.POINTER(c_int64), P, c_char_p]),
    ("crmw_bulk_begin", c_int, [PP, P, c_char_p]),
    ("crmw_bulk_add_json", c_int, [_BufP, P, c_char_p, c_char_p, c_size_t]),
    ("crmw_bulk_commit", c_int, [P]),
    ("crmw_bulk_free", None, [P]),
    ("crmw_bulk_count", c_int64, [P]),
    ("crmw_schema_add_object", c_int, [P, c_char_p, c_size_t]),
    ("crmw_schema_add_field", c_int, [P, c_char_p, c_char_p, c_size_t]),
    ("crmw_query_sql", c_int, [_BufP, P, c_char_p, c_size_t, P]),
    ("crmw_query_explain", c_int, [_BufP, P, c_char_p, c_size_t, P]),
    ("crmw_registry_describe", c_int, [_BufP, P, c_char_p]),
    ("crmw_registry_validate", c_int, [_BufP, P, c_char_p, c_char_p, c_size_t]),
    ("crmw_task_set_save", c_int, [P, c_char_p, c_int32]),
    ("crmw_task_check", c_int, [_BufP, P, c_int64, P]),
    ("crmw_task_score", c_int, [ctypes.POINTER(c_double), _BufP, P, c_int64, c_char_p, c_char_p, c_void_p, c_void_p]),
    ("crmw_memory_update", c_int, [P, c_int64, c_char_p]),
    ("crmw_memory_delete", c_int, [P, c_int64]),
    ("crmw_memory_feedback", c_int, [ctypes.POINTER(c_int64), P, ctypes.POINTER(c_int64), c_size_t, c_int32, c_int64]),
    ("crmw_memory_list", c_int, [_BufP, P, c_char_p]),
    ("crmw_memory_stats", c_int, [_BufP, P]),
    ("crmw_memory_export", c_int, [P, c_char_p]),
    ("crmw_memory_import", c_int, [ctypes.POINTER(c_int64), ctypes.POINTER(c_int64), P, c_char_p, c_char_p]),
    ("crmw_memory_build_index", c_int, [P, c_char_p]),
    ("crmw_role_name", c_char_p, [P]),
    ("crmw_role_binding", c_char_p, [P, c_char_p]),
    ("crmw_role_allows", c_int, [P, c_char_p]),
    ("crmw_role_intersect", c_int, [PP, P, P]),
    ("crmw_registry_add_ctx", c_int, [P, c_char_p, c_char_p, c_char_p, _TOOL_CTX, c_void_p, _FREE]),
    ("crmw_registry_set_role", c_int, [P, P]),
    ("crmw_registry_role", c_void_p, [P]),
    ("crmw_tool_ctx_role", c_void_p, [P]),
    ("crmw_tool_ctx_binding", c_char_p, [P, c_char_p]),
    ("crmw_tool_ctx_today", c_char_p, [P]),
    ("crmw_tool_ctx_task_id", c_char_p, [P]),
    ("crmw_tool_ctx_episode_id", c_char_p, [P]),
    ("crmw_agent_set_role", c_int, [P, P]),
    ("crmw_agent_set_approver_ctx", c_int, [P, _APPROVE_CTX, c_void_p, _FREE]),
    ("crmw_session_new_as", c_int, [PP, P, P, c_char_p, c_char_p]),
    ("crmw_session_role", c_void_p, [P]),
    ("crmw_env_pool_set_role", c_int, [P, P]),
]:
    _f[_name] = _fn(_name, _res, *_args)

# ----------------------------------------------------------------- errors


class Error(Exception):
    """A failed library call: .code (negative int), .name ("CRMW_ENOTFOUND"), .message."""

    def __init__(self, code, message):
        self.code = code
        self.name = (_f["crmw_status_name"](code) or b"").decode()
        self.message = message
        super().__init__(f"{self.name}: {message}")


_classes = {}
for _code_name in ["ERROR", "EINVALID", "ENOMEM", "ENOTFOUND", "EEXISTS", "ESCHEMA", "EQUERY", "EACCESS", "ELIMIT",
                   "EBACKEND", "EUSER", "EIO", "EUNSUPPORTED", "ECANCELED", "EFORMAT", "ECORRUPT", "EBUSY", "ESTATE"]:
    _pretty = {"ERROR": "InternalError", "EINVALID": "Invalid", "ENOMEM": "NoMemory", "ENOTFOUND": "NotFound",
               "EEXISTS": "Exists", "ESCHEMA": "SchemaError", "EQUERY": "QueryError", "EACCESS": "AccessDenied",
               "ELIMIT": "LimitExceeded", "EBACKEND": "BackendError", "EUSER": "CallbackAborted", "EIO": "IOError_",
               "EUNSUPPORTED": "Unsupported", "ECANCELED": "Canceled", "EFORMAT": "FormatError",
               "ECORRUPT": "Corrupt", "EBUSY": "Busy", "ESTATE": "StateError"}[_code_name]
    _cls = type(_pretty, (Error,), {"__doc__": f"The library returned CRMW_{_code_name} (crmw_status_name)."})
    _classes["CRMW_" + _code_name] = _cls
    globals()[_pretty] = _cls
    __all__.append(_pretty)


def _raise(rc, message=None):
    msg = message if message is not None else (_f["crmw_last_error"]() or b"").decode("utf-8", "replace")
    name = (_f["crmw_status_name"](rc) or b"").decode()
    raise _classes.get(name, Error)(rc, msg)


def _check(rc):
    if rc != 0:
        _raise(rc)


def _opts(d):
    return json.dumps(d).encode() if d is not None else None


def version() -> str:
    """The loaded library's version ("0.1.0"); the package's is __version__."""
    return _f["crmw_version_string"]().decode()


def features() -> Record:
    """The build's optional features and library versions (a dict)."""
    return _call_json(_f["crmw_features_json"])


def _call_json(fn, *args):
    b = _Buf()
    try:
        _check(fn(ctypes.byref(b), *args))
        return b.json()
    finally:
        _f["crmw_buf_dispose"](ctypes.byref(b))


class _Handle:
    """An owned library handle: closed once, by close(), `with`, or the finaliser."""

    _free = None

    def __init__(self):
        self._h = c_void_p()

    def close(self) -> None:
        """Free the library handle (idempotent); the object is unusable afterwards."""
        if self._h:
            _f[self._free](self._h)
            self._h = c_void_p()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    def _ptr(self):
        if not self._h:
            raise StateError(_code("CRMW_ESTATE"), f"{type(self).__name__} is closed")
        return self._h


def _code(name):
    for c in range(0, -32, -1):
        if (_f["crmw_status_name"](c) or b"").decode() == name:
            return c
    return -1

# -------------------------------------------------------------------- org


class Org(_Handle):
    """An org database (crmw_db).  Org.generate makes one; Org(path) opens one."""

    _free = "crmw_db_free"

    def __init__(self, path: PathLike, readonly: bool = True) -> None:
        super().__init__()
        self.path = str(path)
        _check(_f["crmw_db_open"](ctypes.byref(self._h), self.path.encode(), 1 if readonly else 0))

    @staticmethod
    def generate(path: PathLike, profile: str = "b2b", seed: int = 1, scale: float = 1.0, overwrite: bool = True,
                 progress: Optional[Callable[[str, int, int], Any]] = None) -> "Org":
        """A synthetic org; progress(stage, done, total) may return True to stop."""
        cb = _progress_cb(progress)
        _check(_f["crmw_gen"](str(path).encode(), _opts({"profile": profile, "seed": seed, "scale": scale,
                                                           "overwrite": overwrite}),
                              ctypes.cast(cb, c_void_p) if cb else None, None))
        return Org(path)

    @staticmethod
    def create(path: PathLike, schema: "Schema", **options: Any) -> "Org":
        """An empty org for a Schema (":memory:" for a private in-memory one)."""
        o = Org.__new__(Org)
        _Handle.__init__(o)
        o.path = str(path)
        _check(_f["crmw_db_create"](ctypes.byref(o._h), o.path.encode(), schema._ptr(), _opts(options) if options else None))
        return o

    def sql(self, select: str) -> List[Record]:
        """One read-only SQLite SELECT (the sandbox); a list of records."""
        q = select.encode()
        return _call_json(_f["crmw_query_sql"], self._ptr(), q, len(q), None)

    def explain(self, soql: str) -> Record:
        """The SQL a SOQL or SOSL query compiles to, with its parameters."""
        q = soql.encode()
        return _call_json(_f["crmw_query_explain"], self._ptr(), q, len(q), None)

    def schema(self) -> Record:
        """The org's schema as JSON (a dict)."""
        return _call_json(_f["crmw_schema_to_json"], _f["crmw_db_schema"](self._ptr()))

    def count(self, obj: str) -> int:
        """The number of records of object `obj`."""
        n = c_int64()
        _check(_f["crmw_db_count"](ctypes.byref(n), self._ptr(), obj.encode()))
        return n.value

    def insert(self, obj: str, record: Record) -> str:
        """Insert a record (checked against the schema); its new Id."""
        d = json.dumps(record).encode()
        b = _Buf()
        try:
            _check(_f["crmw_record_insert"](ctypes.byref(b), self._ptr(), obj.encode(), d, len(d)))
            return b.text()
        finally:
            _f["crmw_buf_dispose"](ctypes.byref(b))

    def get(self, obj: str, record_id: str) -> Record:
        """The record `record_id` of object `obj` (NotFound when there is none)."""
        return _call_json(_f["crmw_record_get"], self._ptr(), obj.encode(), record_id.encode())

    def update(self, obj: str, record_id: str, patch: Record) -> None:
        """Change the fields of `patch` in one record."""
        d = json.dumps(patch).encode()
        _check(_f["crmw_record_update"](self._ptr(), obj.encode(), record_id.encode(), d, len(d)))

    def delete(self, obj: str, record_id: str) -> None:
        """Delete one record (a record others refer to is refused)."""
        _check(_f["crmw_record_delete"](self._ptr(), obj.encode(), record_id.encode()))

    def import_file(self, obj: str, path: PathLike, fmt: str = "jsonl") -> int:
        """Load one file of `obj`'s records (json, jsonl or csv), all or nothing; the count."""
        n = c_int64()
        _check(_f["crmw_db_import_file"](ctypes.byref(n), self._ptr(), obj.encode(), _FORMATS[fmt], str(path).encode()))
        return n.value

    def records(self, obj: str) -> Iterator[Record]:
        """Every record of an object, one dict at a time (an iterator)."""
        it = c_void_p()
        _check(_f["crmw_record_iter_new"](ctypes.byref(it), self._ptr(), obj.encode()))
        b = _Buf()
        try:
            while True:
                rc = _f["crmw_record_iter_next"](ctypes.byref(b), it)
                if rc == 0:
                    return
                if rc < 0:
                    _raise(rc)
                yield b.json()
        finally:
            _f["crmw_buf_dispose"](ctypes.byref(b))
            _f["crmw_record_iter_free"](it)

    def upsert(self, obj: str, record: Record) -> str:
        """Insert the record, or update the one with its Id; the Id."""
        d = json.dumps(record).encode()
        b = _Buf()
        try:
            _check(_f["crmw_record_upsert"](ctypes.byref(b), self._ptr(), obj.encode(), d, len(d)))
            return b.text()
        finally:
            _f["crmw_buf_dispose"](ctypes.byref(b))

    def import_dir(self, path: PathLike) -> int:
        """Load a folder of <Object>.json/.jsonl/.csv files, all or nothing; the count."""
        n = c_int64()
        _check(_f["crmw_db_import_dir"](ctypes.byref(n), self._ptr(), str(path).encode()))
        return n.value

    def bulk(self, **options: Any) -> "Bulk":
        """A bulk load (one transaction): `with org.bulk() as b: b.add("Account", {...})`
        commits at the end of the block, or rolls back when it raises."""
        return Bulk(self, options)

    def export_dir(self, path: PathLike, fmt: str = "jsonl") -> None:
        """Write every object's records to PATH/<Object>.<fmt> and PATH/schema.json."""
        _check(_f["crmw_db_export_dir"](self._ptr(), _FORMATS[fmt], str(path).encode()))

    def query(self, soql: str, today: Optional[str] = None, role: Union["Role", str, None] = None) -> JSON:
        """SOQL (a list of records) or SOSL (a dict per object); role: a Role or
        a policy string ("external:003...")."""
        opts, r = c_void_p(), c_void_p()
        try:
            if today or role:
                _check(_f["crmw_query_opts_new"](ctypes.byref(opts)))
                if today:
                    _check(_f["crmw_query_opts_set_today"](opts, today.encode()))
                if isinstance(role, Role):
                    _check(_f["crmw_query_opts_set_role"](opts, role._ptr()))
                elif role:
                    _check(_f["crmw_role_new"](ctypes.byref(r), self._ptr(), role.encode(), None))
                    _check(_f["crmw_query_opts_set_role"](opts, r))
            q = soql.encode()
            return _call_json(_f["crmw_query"], self._ptr(), q, len(q), opts)
        finally:
            if r:
                _f["crmw_role_free"](r)
            if opts:
                _f["crmw_query_opts_free"](opts)

_FORMATS = {"json": 0, "jsonl": 1, "csv": 2}


class Bulk(_Handle):
    """A bulk load of an org (one transaction): made by Org.bulk()."""

    _free = "crmw_bulk_free"

    def __init__(self, org: Org, options: Optional[Record] = None) -> None:
        super().__init__()
        self._org = org
        _check(_f["crmw_bulk_begin"](ctypes.byref(self._h), org._ptr(), _opts(options) if options else None))

    def add(self, obj: str, record: Record) -> str:
        """Add one record to the load; its Id."""
        d = json.dumps(record).encode()
        b = _Buf()
        try:
            _check(_f["crmw_bulk_add_json"](ctypes.byref(b), self._ptr(), obj.encode(), d, len(d)))
            return b.text()
        finally:
            _f["crmw_buf_dispose"](ctypes.byref(b))

    def __len__(self) -> int:
        return _f["crmw_bulk_count"](self._ptr())

    def commit(self) -> None:
        """Commit the load (references checked, indexes built)."""
        _check(_f["crmw_bulk_commit"](self._ptr()))

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        try:
            if exc_type is None:
                self.commit()
        finally:
            self.close()  # without a commit: rolled back


def _progress_cb(fn):
    if fn is None:
        return None

    def tramp(stage, done, total, ud):
        try:
            return 1 if fn(stage.decode(), done, total) else 0
        except Exception:
            return 1

    return _PROGRESS(tramp)


class Schema(_Handle):
    """A schema: a built-in set ("crmarena", "b2b", "b2c") or one from JSON."""

    _free = "crmw_schema_free"

    def __init__(self, set_name: Optional[str] = None, json_obj: Optional[Record] = None) -> None:
        super().__init__()
        if json_obj is not None:
            d = json.dumps(json_obj).encode()
            _check(_f["crmw_schema_from_json"](ctypes.byref(self._h), d, len(d)))
        else:
            _check(_f["crmw_schema_builtin"](ctypes.byref(self._h), (set_name or "crmarena").encode()))

    def to_json(self) -> Record:
        """The schema as JSON: {"objects": [...]}."""
        return _call_json(_f["crmw_schema_to_json"], self._ptr())

    def add_object(self, obj: Record) -> None:
        """Add an object ({"name", "label", "key_prefix", "fields": [...]})."""
        d = json.dumps(obj).encode()
        _check(_f["crmw_schema_add_object"](self._ptr(), d, len(d)))

    def add_field(self, obj_name: str, field: Record) -> None:
        """Add a field ({"name", "type", ...}) to an object."""
        d = json.dumps(field).encode()
        _check(_f["crmw_schema_add_field"](self._ptr(), obj_name.encode(), d, len(d)))

    def describe(self, obj: str) -> Record:
        """An object's description (fields, types, references, picklists)."""
        return _call_json(_f["crmw_schema_describe"], self._ptr(), obj.encode())

    def prompt(self, objects: Optional[str] = None) -> str:
        """The schema text an agent sees (all objects, or "A,B")."""
        b = _Buf()
        try:
            _check(_f["crmw_schema_render"](ctypes.byref(b), self._ptr(), objects.encode() if objects else None))
            return b.text()
        finally:
            _f["crmw_buf_dispose"](ctypes.byref(b))


class Role(_Handle):
    """A persona's access (docs/access.md): "internal", "external:<Contact Id>",
    or a JSON policy (a str, or a dict), with its variables bound by
    `bindings` ({"user_id": "005..."}).  Roles only narrow: a & b (or
    a.intersect(b)) sees what both see."""

    _free = "crmw_role_free"

    def __init__(self, org: Optional[Org], policy: Union[str, Record, None],
                 bindings: Optional[Dict[str, str]] = None) -> None:
        super().__init__()
        self._org = org
        if org is None:  # made by intersect()
            return
        text = json.dumps(policy) if isinstance(policy, dict) else policy
        _check(_f["crmw_role_new"](ctypes.byref(self._h), org._ptr(), text.encode(),
                                   json.dumps(bindings).encode() if bindings else None))

    @property
    def name(self) -> str:
        """The role's name ("internal", "external", or the policy's)."""
        return _f["crmw_role_name"](self._ptr()).decode()

    def binding(self, name: str) -> Optional[str]:
        """The Id bound to a variable ("account_id", "contact_id", "user_id"), or None."""
        v = _f["crmw_role_binding"](self._ptr(), name.encode())
        return v.decode() if v is not None else None

    def allows(self, capability: str) -> bool:
        """Does the role have a capability ("raw_sql", ...)?"""
        rc = _f["crmw_role_allows"](self._ptr(), capability.encode())
        if rc < 0:
            _raise(rc)
        return rc == 1

    def can_read(self, obj: str, field: Optional[str] = None) -> bool:
        """May the role read the object (or one of its fields)?"""
        return _f["crmw_role_can_read"](self._ptr(), obj.encode(), field.encode() if field else None) == 1

    def describe(self) -> Record:
        """The role as JSON: its objects, fields and row rules."""
        return _call_json(_f["crmw_role_describe"], self._ptr())

    def intersect(self, other: "Role") -> "Role":
        """The role that sees what both see (crmw_role_intersect)."""
        r = Role(None, None)
        _check(_f["crmw_role_intersect"](ctypes.byref(r._h), self._ptr(), other._ptr()))
        r._org = self._org
        return r

    __and__ = intersect


def _role_ptr(role):
    return role._ptr() if role is not None else None


def _name_of(role_ptr):
    return _f["crmw_role_name"](role_ptr).decode() if role_ptr else None


class ToolContext:
    """What a tool call (or an approval) runs under, copied from the library's
    crmw_tool_ctx: `role` (the role's name, None for internal access),
    `bindings` ({"user_id": ...} of the role's bound variables), `today`
    ("YYYY-MM-DD", or "" when the org's own now applies), `task_id` and
    `episode_id` (None outside an episode)."""

    __slots__ = ("role", "bindings", "today", "task_id", "episode_id")

    def __init__(self, ptr: Any) -> None:
        def text(v: Optional[bytes]) -> Optional[str]:
            return v.decode() if v is not None else None
        self.role = _name_of(_f["crmw_tool_ctx_role"](ptr))
        self.bindings = {}
        for k in ("account_id", "contact_id", "user_id"):
            v = _f["crmw_tool_ctx_binding"](ptr, k.encode())
            if v is not None:
                self.bindings[k] = v.decode()
        self.today = text(_f["crmw_tool_ctx_today"](ptr))
        self.task_id = text(_f["crmw_tool_ctx_task_id"](ptr))
        self.episode_id = text(_f["crmw_tool_ctx_episode_id"](ptr))

    def binding(self, name: str) -> Optional[str]:
        """The Id bound to a variable of the call's role, or None."""
        return self.bindings.get(name)

    def __repr__(self) -> str:
        return (f"ToolContext(role={self.role!r}, bindings={self.bindings!r}, today={self.today!r}, "
                f"task_id={self.task_id!r}, episode_id={self.episode_id!r})")

# ------------------------------------------------------------------ tools


class Registry(_Handle):
    """A tool registry: the built-in sets over an org, and tools written in Python."""

    _free = "crmw_registry_free"

    def __init__(self, org: Optional[Org] = None, sets: str = "query,crmarena", role: Optional[Role] = None) -> None:
        super().__init__()
        _check(_f["crmw_registry_new"](ctypes.byref(self._h)))
        self._keep = []
        self._errors = threading.local()
        if org is not None:
            _check(_f["crmw_registry_add_builtin"](self._h, sets.encode(), org._ptr(), None))
        if role is not None:
            self.set_role(role)

    def set_role(self, role: Optional[Role]) -> None:
        """The registry's base role (None: internal access): every call runs
        under it, and an agent's episodes can only narrow it."""
        _check(_f["crmw_registry_set_role"](self._ptr(), _role_ptr(role)))

    @property
    def role(self) -> Optional[str]:
        """The name of the base role, None without one."""
        return _name_of(_f["crmw_registry_role"](self._ptr()))

    def names(self) -> List[str]:
        """The names of the registered tools, in order."""
        return [_f["crmw_registry_name"](self._ptr(), i).decode() for i in range(_f["crmw_registry_count"](self._ptr()))]

    def export(self, fmt: str = "openai") -> Any:
        """The tools for a model: "openai" or "anthropic" (a list), "hermes" or "gbnf" (text)."""
        code = {"openai": 0, "anthropic": 1, "hermes": 2, "gbnf": 3}[fmt]
        b = _Buf()
        try:
            _check(_f["crmw_registry_export"](ctypes.byref(b), self._ptr(), code))
            return b.json() if fmt in ("openai", "anthropic") else b.text()
        finally:
            _f["crmw_buf_dispose"](ctypes.byref(b))

    def describe(self, name: str) -> Record:
        """One tool's spec: name, description, parameters."""
        return _call_json(_f["crmw_registry_describe"], self._ptr(), name.encode())

    def validate(self, name: str, args: Record) -> Optional[Record]:
        """None when the arguments fit the tool's schema, else the error (a dict)."""
        a = json.dumps(args).encode()
        b = _Buf()
        try:
            rc = _f["crmw_registry_validate"](ctypes.byref(b), self._ptr(), name.encode(), a, len(a))
            if rc == 0:
                return None
            if b.len:
                try:
                    return b.json()
                except ValueError:
                    return {"error": b.text()}
            _raise(rc)
        finally:
            _f["crmw_buf_dispose"](ctypes.byref(b))

    def call(self, name: str, args: Optional[Record] = None) -> JSON:
        """Run a tool; its JSON result is decoded (text results come back as str)."""
        a = json.dumps(args or {}).encode()
        b = _Buf()
        try:
            rc = _f["crmw_registry_call"](ctypes.byref(b), self._ptr(), name.encode(), a, len(a))
            exc = getattr(self._errors, "exc", None)
            if exc is not None:
                self._errors.exc = None
                raise exc
            if rc:
                _raise(rc, b.text() or None)
            t = b.text()
            try:
                return json.loads(t)
            except ValueError:
                return t
        finally:
            _f["crmw_buf_dispose"](ctypes.byref(b))

    def add(self, name: str, description: str, parameters: Optional[Record], fn: Callable[..., Any],
            context: bool = False) -> None:
        """A tool written in Python: fn(args: dict) -> JSON-able result, or
        with context=True fn(args, ctx) where ctx is the call's ToolContext
        (its role and bindings, today, task and episode: enforce the role in
        your tool).  An exception becomes the tool's failure (the model sees
        its message)."""
        errors = self._errors

        def run(args, n, result, ctx):
            try:
                a = json.loads(ctypes.string_at(args, n).decode())
                out = fn(a, ToolContext(ctx)) if context else fn(a)
                data = (out if isinstance(out, str) else json.dumps(out)).encode()
                return 0 if _f["crmw_buf_set"](result, data, len(data)) == 0 else 1
            except Exception as e:  # the model sees the message; call() re-raises
                errors.exc = e
                msg = f"{type(e).__name__}: {e}".encode()
                _f["crmw_buf_set"](result, msg, len(msg))
                return 1

        params = json.dumps(parameters).encode() if parameters else None
        if context:
            cb = _TOOL_CTX(lambda ctx, args, n, result, ud: run(args, n, result, ctx))
            self._keep.append(cb)
            _check(_f["crmw_registry_add_ctx"](self._ptr(), name.encode(), description.encode(), params, cb, None,
                                               _FREE()))
            return
        cb = _TOOL(lambda args, n, result, ud: run(args, n, result, None))
        self._keep.append(cb)
        _check(_f["crmw_registry_add"](self._ptr(), name.encode(), description.encode(), params, cb, None, _FREE()))

# ----------------------------------------------------------------- memory


class Memory(_Handle):
    """The shared-memory store.  Thread-safe: share one handle between threads."""

    _free = "crmw_memory_free"

    def __init__(self, path: PathLike, **options: Any) -> None:
        super().__init__()
        self._keep: List[Any] = []
        _check(_f["crmw_memory_open"](ctypes.byref(self._h), str(path).encode(), _opts(options) if options else None))

    def add(self, text: str, **fields: Any) -> Tuple[int, bool]:
        """Insert an entry (fields: kind, title, family, query, tags, metadata,
        provenance).  Returns (id, merged)."""
        e = dict(fields, text=text)
        i, m = c_int64(), c_int32()
        _check(_f["crmw_memory_add"](ctypes.byref(i), ctypes.byref(m), self._ptr(), json.dumps(e).encode(), None, 0))
        return i.value, bool(m.value)

    def search(self, text: str, k: int = 5, **filters: Any) -> List[Record]:
        """The k entries closest to `text` (filters: kind, family, scope, tags, ...)."""
        return _call_json(_f["crmw_memory_search"], self._ptr(), text.encode(), json.dumps(dict(filters, k=k)).encode())

    def get(self, entry_id: int) -> Record:
        """One entry with its counters and provenance."""
        return _call_json(_f["crmw_memory_get"], self._ptr(), int(entry_id))

    def __len__(self) -> int:
        n = c_int64()
        _check(_f["crmw_memory_count"](ctypes.byref(n), self._ptr()))
        return n.value

    def update(self, entry_id: int, **patch: Any) -> None:
        """Change fields of an entry (text, title, tags, metadata, ...)."""
        _check(_f["crmw_memory_update"](self._ptr(), int(entry_id), json.dumps(patch).encode()))

    def delete(self, entry_id: int) -> None:
        """Delete an entry."""
        _check(_f["crmw_memory_delete"](self._ptr(), int(entry_id)))

    def feedback(self, ids: Sequence[int], event: str = "success", amount: int = 1) -> int:
        """Move usefulness counters: event "retrieved", "success" or "failure"."""
        ev = {"retrieved": 0, "success": 1, "failure": 2}[event]
        arr = (c_int64 * len(ids))(*ids)
        n = c_int64()
        _check(_f["crmw_memory_feedback"](ctypes.byref(n), self._ptr(), arr, len(ids), ev, amount))
        return n.value

    def list(self, **options: Any) -> List[Record]:
        """Entries in an order (order, desc, limit, filters), without vectors."""
        return _call_json(_f["crmw_memory_list"], self._ptr(), json.dumps(options).encode())

    def stats(self) -> Record:
        """Counts, the embedder, the index and the counters' sums."""
        return _call_json(_f["crmw_memory_stats"], self._ptr())

    def export(self, path: PathLike) -> None:
        """Write every entry to a JSONL file."""
        _check(_f["crmw_memory_export"](self._ptr(), str(path).encode()))

    def import_jsonl(self, path: PathLike) -> Tuple[int, int]:
        """Read entries from a JSONL export: (added, merged)."""
        a, m = c_int64(), c_int64()
        _check(_f["crmw_memory_import"](ctypes.byref(a), ctypes.byref(m), self._ptr(), str(path).encode(), None))
        return a.value, m.value

    def build_index(self, factory: str = "HNSW32") -> None:
        """Build the faiss index beside the store (a factory string)."""
        _check(_f["crmw_memory_build_index"](self._ptr(), factory.encode()))

    def set_embedder(self, name: str, dim: int, fn: Callable[[str], Sequence[float]]) -> None:
        """fn(text) -> sequence of `dim` floats (a list, or a numpy array)."""

        def tramp(out, d, text, n, ud):
            try:
                v = fn(ctypes.string_at(text, n).decode("utf-8", "replace"))
                if len(v) != d:
                    return 1
                for j in range(d):
                    out[j] = float(v[j])
                return 0
            except Exception:
                return 1

        cb = _EMBED(tramp)
        self._keep.append(cb)
        _check(_f["crmw_memory_set_embedder"](self._ptr(), name.encode(), dim, cb, None, _FREE()))

# ------------------------------------------------------------------ tasks


class TaskSet(_Handle):
    """Tasks (CRMArena format plus family, gold, split); a sequence of dicts."""

    _free = "crmw_task_set_free"

    def __init__(self) -> None:
        super().__init__()

    @staticmethod
    def generate(org: Org, progress: Optional[Callable[[str, int, int], Any]] = None, **options: Any) -> "TaskSet":
        """Synthesised tasks; progress(stage, done, total) may return True to stop."""
        ts = TaskSet()
        cb = _progress_cb(progress)
        _check(_f["crmw_task_set_generate_progress"](ctypes.byref(ts._h), None, org._ptr(), _opts(options),
                                                  ctypes.cast(cb, c_void_p) if cb else None, None))
        return ts

    @staticmethod
    def load(path: PathLike) -> "TaskSet":
        """A task file: a JSON array (CRMArena, CRMArena-Pro, libcrmweaver) or JSONL."""
        ts = TaskSet()
        _check(_f["crmw_task_set_load"](ctypes.byref(ts._h), str(path).encode()))
        return ts

    def save(self, path: PathLike) -> None:
        """Write the tasks (JSONL when the name ends in .jsonl, else a JSON array)."""
        _check(_f["crmw_task_set_save"](self._ptr(), str(path).encode(), 1 if str(path).endswith(".jsonl") else 0))

    def check(self, i: int, org: Org) -> Record:
        """Run task i's gold program against the org: its report (a dict)."""
        return _call_json(_f["crmw_task_check"], self._ptr(), i, org._ptr())

    def score(self, i: int, answer: str, messages: Optional[List[Message]] = None) -> Tuple[float, Record]:
        """(score, info) of an answer to task i with the task's metric."""
        sc = c_double()
        b = _Buf()
        try:
            _check(_f["crmw_task_score"](ctypes.byref(sc), ctypes.byref(b), self._ptr(), i, answer.encode(),
                                         json.dumps(messages).encode() if messages else None, None, None))
            return sc.value, b.json()
        finally:
            _f["crmw_buf_dispose"](ctypes.byref(b))

    def select(self, **filt: Any) -> "TaskSet":
        """The tasks of a split and/or families: select(split="train", families="a,b")."""
        ts = TaskSet()
        _check(_f["crmw_task_set_select"](ctypes.byref(ts._h), self._ptr(), json.dumps(filt).encode()))
        return ts

    def __len__(self) -> int:
        return _f["crmw_task_set_count"](self._ptr())

    def __getitem__(self, i: int) -> Record:
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return _call_json(_f["crmw_task_set_get"], self._ptr(), i)

    def __iter__(self) -> Iterator[Record]:
        for i in range(len(self)):
            yield self[i]

# --------------------------------------------------------------- backends


class Backend:
    """A model backend table (a built-in one, or a Python callable wrapped by
    Agent).  Installed on one agent: its state then belongs to that agent."""

    def __init__(self, table: Optional[_Backend] = None, keep: Sequence[Any] = ()) -> None:
        self._t = table or _Backend()
        self._keep = list(keep)
        self._installed = False

    def __del__(self) -> None:
        if not self._installed and self._t.complete:
            try:
                _f["crmw_backend_dispose"](ctypes.byref(self._t))
            except Exception:
                pass


def memory_policy(memory: Memory, fallback: Optional[Backend] = None, **options: Any) -> Backend:
    """The memory policy: replays plans of solved tasks from `memory`, abstains
    when none fits, or hands the task to `fallback` (docs/backends.md)."""
    t = _Backend()
    fb = None
    if fallback is not None:
        fb = ctypes.byref(fallback._t)
        fallback._installed = True  # taken over by the policy
    _check(_f["crmw_backend_memory_policy"](ctypes.byref(t), memory._ptr(), fb, _opts(options) if options else None))
    return Backend(t, keep=[memory] + ([fallback] if fallback else []))


def openai_http(base_url: str, model: str, **options: Any) -> Backend:
    """An OpenAI-compatible server (docs/backend-http.md: temperature, top_p,
    seed, extra_body, timeouts, retries, requests_per_minute, ...)."""
    t = _Backend()
    _check(_f["crmw_backend_openai_http"](ctypes.byref(t), _opts(dict(options, base_url=base_url, model=model))))
    return Backend(t)


def gold_backend(org: Org) -> Backend:
    """Each task's own gold program (for memories and SFT data, never to evaluate)."""
    t = _Backend()
    _check(_f["crmw_backend_gold"](ctypes.byref(t), org._ptr(), None))
    return Backend(t, keep=[org])


def replay_backend(path: PathLike, match: str = "task_id") -> Backend:
    """The assistant messages of a trajectory file, by task_id or episode_id."""
    t = _Backend()
    _check(_f["crmw_backend_replay"](ctypes.byref(t), str(path).encode(), _opts({"match": match})))
    return Backend(t)

# ------------------------------------------------------------------ agent


class Agent(_Handle):
    """An agent over an org.  backend: a callable taking the request (a dict:
    the OpenAI chat envelope, plus "task" when the episode has one) and
    returning the model's output (text, or an assistant message dict), or a
    Backend from memory_policy/openai_http/gold_backend/replay_backend.
    store: a Memory for retrieval and write-back; options: crmw_agent_new's
    (mode, max_turns, memory={"write": True, ...}, ...)."""

    _free = "crmw_agent_free"

    def __init__(self, org: Org, backend: Union[Backend, Callable[[Record], Any], None] = None,
                 store: Optional[Memory] = None, **options: Any) -> None:
        super().__init__()
        self._org = org
        self._keep = []
        self._pending = threading.local()
        _check(_f["crmw_agent_new"](ctypes.byref(self._h), org._ptr(), _opts(options) if options else None))
        if backend is not None:
            self.set_backend(backend)
        if store is not None:
            self.set_memory(store)

    def set_backend(self, backend: Union[Backend, Callable[[Record], Any]]) -> None:
        """Install a backend: a built-in Backend, or a callable taking the request
        (a dict) and returning the model's output (text or an assistant message)."""
        if isinstance(backend, Backend):
            table = backend._t
            backend._installed = True
            self._keep.append(backend)
        else:
            pending = self._pending

            def complete(resp, req, ud):
                try:
                    n = c_size_t()
                    p = _f["crmw_request_json"](req, ctypes.byref(n))
                    request = json.loads(ctypes.string_at(p, n.value).decode())
                    tp = _f["crmw_request_task"](req, ctypes.byref(n))
                    if tp:
                        request["task"] = json.loads(ctypes.string_at(tp, n.value).decode())
                    out = backend(request)
                    if isinstance(out, dict):
                        data = json.dumps(out).encode()
                        return 0 if _f["crmw_response_set_message"](resp, data, len(data)) == 0 else 1
                    data = str(out).encode()
                    _f["crmw_response_set_text"](resp, data, len(data))
                    return 0
                except BaseException as e:  # raised again from run()
                    pending.exc = e
                    _f["crmw_response_set_error"](resp, f"python backend raised {type(e).__name__}: {e}".encode())
                    return 0

            cb = _COMPLETE(complete)
            self._keep.append(cb)
            table = _Backend(ctypes.sizeof(_Backend), 1, None, cb, _EMBED(), None, 0, _FREE())
        _check(_f["crmw_agent_set_backend"](self._ptr(), ctypes.byref(table)))

    def set_memory(self, memory: Optional[Memory]) -> None:
        """The shared memory of the agent's episodes (None: none)."""
        self._keep.append(memory)
        _check(_f["crmw_agent_set_memory"](self._ptr(), memory._ptr() if memory is not None else None))

    def set_registry(self, registry: Optional[Registry]) -> None:
        """A host registry instead of the built-in tool sets (None: the built-in ones)."""
        self._keep.append(registry)
        _check(_f["crmw_agent_set_registry"](self._ptr(), registry._ptr() if registry is not None else None))

    def set_role(self, role: Optional[Role]) -> None:
        """The role every episode runs under (None: internal access, unless the
        registry has a base role); a task's context.role only narrows it."""
        _check(_f["crmw_agent_set_role"](self._ptr(), _role_ptr(role)))

    def set_approver(self, fn: Optional[Callable[[Record, ToolContext], Union[bool, str, None]]]) -> None:
        """Approve each tool call before it runs: fn(call: dict, ctx:
        ToolContext) returns True (or None) to allow it, False or a reason
        (str) to veto it.  An exception aborts the episode and is raised again
        from run().  None removes the approver."""
        if fn is None:
            _check(_f["crmw_agent_set_approver_ctx"](self._ptr(), _APPROVE_CTX(), None, _FREE()))
            return
        pending = self._pending

        def tramp(allow, reason, ctx, call, ud):
            try:
                verdict = fn(json.loads(call.decode()), ToolContext(ctx))
                if verdict is None or verdict is True:
                    return 0
                allow[0] = 0
                if isinstance(verdict, str):
                    r = verdict.encode()
                    _f["crmw_buf_set"](reason, r, len(r))
                return 0
            except BaseException as e:  # raised again from run()
                pending.exc = e
                return 1

        cb = _APPROVE_CTX(tramp)
        self._keep.append(cb)
        _check(_f["crmw_agent_set_approver_ctx"](self._ptr(), cb, None, _FREE()))

    def run(self, task: Union[Record, str], episode_id: Optional[str] = None) -> Record:
        """One episode; returns the trajectory (a dict).  An exception raised
        by a Python backend is raised again here."""
        t = (json.dumps(task) if isinstance(task, dict) else task).encode()
        o = _opts({"episode_id": episode_id}) if episode_id else None
        b = _Buf()
        self._pending.exc = None
        try:
            rc = _f["crmw_agent_run"](ctypes.byref(b), self._ptr(), t, o)
            exc = getattr(self._pending, "exc", None)
            if exc is not None:
                self._pending.exc = None
                raise exc
            if rc and not b.len:
                _raise(rc)
            return b.json()
        finally:
            _f["crmw_buf_dispose"](ctypes.byref(b))

    def set_user(self, fn: Callable[[Record], str]) -> None:
        """The simulated user of multi-turn episodes: fn(request: dict) -> reply text."""
        pending = self._pending

        def tramp(reply, request, ud):
            try:
                out = str(fn(json.loads(request.decode()))).encode()
                return 0 if _f["crmw_buf_set"](reply, out, len(out)) == 0 else 1
            except BaseException as e:  # raised again from run()
                pending.exc = e
                return 1

        cb = _USER(tramp)
        self._keep.append(cb)
        _check(_f["crmw_agent_set_user"](self._ptr(), cb, None, _FREE()))

    def session(self, task: Union[Record, str], episode_id: Optional[str] = None,
                role: Optional[Role] = None) -> "Session":
        """A step-wise episode (for hosts that batch inference): see Session."""
        return Session(self, task, episode_id, role)

    def cancel(self) -> None:
        """End every episode of the agent in progress (any thread)."""
        if self._h:
            _f["crmw_agent_cancel"](self._h)

class Session(_Handle):
    """One episode driven step by step: next() gives ("model", request) until
    ("done", trajectory); answer each request with feed(text),
    feed_error(message) or feed_abstain(reason)."""

    _free = "crmw_session_free"

    def __init__(self, agent: Agent, task: Union[Record, str], episode_id: Optional[str] = None,
                 role: Optional[Role] = None) -> None:
        super().__init__()
        self._agent = agent
        t = (json.dumps(task) if isinstance(task, dict) else task).encode()
        _check(_f["crmw_session_new_as"](ctypes.byref(self._h), agent._ptr(), _role_ptr(role), t,
                                         _opts({"episode_id": episode_id}) if episode_id else None))

    @property
    def role(self) -> Optional[str]:
        """The name of the role the episode runs under, None for internal access."""
        return _name_of(_f["crmw_session_role"](self._ptr()))

    def next(self) -> Tuple[str, Record]:
        """("model", the request to answer) or ("done", the trajectory)."""
        step = c_int32()
        out = _call_json_step(self._ptr(), step)
        return ("model" if step.value == 1 else "done"), out

    def feed(self, output: Union[str, Message], prompt_tokens: Optional[int] = None,
             completion_tokens: Optional[int] = None) -> None:
        """Answer the pending request with the model's output (text or a message),
        optionally with its token counts."""
        if prompt_tokens is not None:
            _check(_f["crmw_session_feed_usage"](self._ptr(), prompt_tokens, completion_tokens or 0))
        d = (json.dumps(output) if isinstance(output, dict) else str(output)).encode()
        _check(_f["crmw_session_feed"](self._ptr(), d, len(d)))

    def feed_error(self, message: str) -> None:
        """The model call failed: the episode ends with a backend error."""
        _check(_f["crmw_session_feed_error"](self._ptr(), message.encode()))

    def feed_abstain(self, reason: str) -> None:
        """Decline to answer: the episode ends abstained."""
        _check(_f["crmw_session_feed_abstain"](self._ptr(), reason.encode()))

    def decision(self) -> Record:
        """The last decision: the parsed actions, their status and observations."""
        return _call_json(_f["crmw_session_decision"], self._ptr())

    def trajectory(self) -> Record:
        """The episode's trajectory so far (one line of the trajectory JSONL)."""
        return _call_json(_f["crmw_session_trajectory"], self._ptr())


def _call_json_step(s, step):
    b = _Buf()
    try:
        _check(_f["crmw_session_next"](ctypes.byref(step), ctypes.byref(b), s))
        return b.json()
    finally:
        _f["crmw_buf_dispose"](ctypes.byref(b))

# -------------------------------------------------------------------- env


class EnvPool(_Handle):
    """What environments share: the org, the agent options, tasks, memory,
    worker threads for step_batch."""

    _free = "crmw_env_pool_free"

    def __init__(self, org_path: PathLike, workers: int = 1, memory: str = "retrieve",
                 agent: Optional[Record] = None) -> None:
        super().__init__()
        self._keep: List[Any] = []
        self._envs: List["Env"] = []
        self._ntasks = 0
        _check(_f["crmw_env_pool_new"](ctypes.byref(self._h), str(org_path).encode(),
                                       _opts({"workers": workers, "memory": memory, "agent": agent or {}})))

    def set_tasks(self, tasks: Optional[TaskSet]) -> None:
        """The tasks reset picks from (by index, or in a seeded shuffle)."""
        self._keep.append(tasks)
        _check(_f["crmw_env_pool_set_tasks"](self._ptr(), tasks._ptr() if tasks is not None else None))
        self._ntasks = len(tasks) if tasks is not None else 0

    def set_memory(self, memory: Optional[Memory]) -> None:
        """The shared memory of the pool's episodes (None: none)."""
        self._keep.append(memory)
        _check(_f["crmw_env_pool_set_memory"](self._ptr(), memory._ptr() if memory is not None else None))

    def set_role(self, role: Optional[Role]) -> None:
        """The role every episode of the pool runs under (None: internal
        access); a task's context.role only narrows it."""
        _check(_f["crmw_env_pool_set_role"](self._ptr(), _role_ptr(role)))

    def env(self, seed: Optional[int] = None) -> "Env":
        """A new environment of the pool (see Env for `seed`)."""
        return Env(self, seed)

    def step_batch(self, envs: Sequence["Env"], outputs: Sequence[Union[str, Message]]) -> List[
            Tuple[List[Message], float, bool, bool, Record]]:
        """Step envs[i] with outputs[i] (text or an assistant message) over the
        workers; a list of step results (as Env.step)."""
        n = len(envs)
        if len(outputs) != n:
            raise ValueError(f"step_batch: {n} environments but {len(outputs)} outputs")
        arr = (c_void_p * n)(*[e._ptr() for e in envs])
        data = [_output_bytes(o) for o in outputs]
        outs = (c_char_p * n)(*data)
        lens = (c_size_t * n)(*[len(d) for d in data])
        bufs = (_Buf * n)()
        rcs = (c_int * n)()
        try:
            rc = _f["crmw_env_step_batch"](self._ptr(), arr, outs, lens, bufs, rcs, n)
            if rc:
                _raise(rc)
            return [_step_tuple(bufs[i].json()) for i in range(n)]
        finally:
            for i in range(n):
                _f["crmw_buf_dispose"](ctypes.byref(bufs[i]))

    def close(self) -> None:
        """Free the pool's environments, then the pool."""
        for e in self._envs:
            e.close()
        self._envs = []
        super().close()


def _output_bytes(output: Union[str, Message]) -> bytes:
    """The model's output as the library reads it: text, or a message as JSON."""
    if isinstance(output, dict):
        return json.dumps(output).encode()
    if isinstance(output, (bytes, bytearray)):
        return bytes(output)
    if isinstance(output, str):
        return output.encode()
    raise TypeError(f"a model output is text or a message dict, not {type(output).__name__}")


def _step_tuple(s: Record) -> Tuple[List[Message], float, bool, bool, Record]:
    info = s.get("info", {})
    end = info.get("end_reason")
    truncated = end in ("max_turns",)
    terminated = bool(s.get("done")) and not truncated
    reward = s.get("reward")
    info = dict(info, messages=s.get("messages", []))
    return s.get("messages", []), (0.0 if reward is None else reward), terminated, truncated, info


class Env(_Handle):
    """One environment with the Gymnasium shape: reset() -> (observation,
    info), step(output) -> (observation, reward, terminated, truncated, info).
    Observations are lists of OpenAI chat messages; the output is the model's
    text or its assistant message (a dict).

    reset() without a task or index moves on through the pool's tasks in a
    shuffled order (a new shuffle after each pass), drawn from a random
    generator seeded by `seed` (here, or at the last reset(seed=...); 0 when
    never given), so that a training loop sees every task once per pass and
    two runs with the same seed see the same order."""

    _free = "crmw_env_free"

    def __init__(self, pool: EnvPool, seed: Optional[int] = None) -> None:
        super().__init__()
        self._pool = pool
        self._rng = random.Random(0 if seed is None else seed)
        self._order: List[int] = []
        self._at = 0
        _check(_f["crmw_env_new"](ctypes.byref(self._h), pool._ptr()))
        pool._envs.append(self)

    def _next_index(self) -> int:
        n = self._pool._ntasks
        if n <= 0:
            raise StateError(_code("CRMW_ESTATE"), "Env.reset: the pool has no tasks (EnvPool.set_tasks)")
        if self._at >= len(self._order) or len(self._order) != n:
            self._order = list(range(n))
            self._rng.shuffle(self._order)
            self._at = 0
        i = self._order[self._at]
        self._at += 1
        return i

    def reset(self, task: Optional[Record] = None, index: Optional[int] = None, seed: Optional[int] = None,
              episode_id: Optional[str] = None, tools: bool = True, **kwargs: Any) -> Tuple[List[Message], Record]:
        """Start an episode: of `task` (a dict), of the pool's task `index`, or
        of the next task of the shuffled order (`seed` reseeds it first, as
        Gymnasium's reset(seed=...) does).  Returns (messages, info) with info
        {"task_id", "family", "episode_id", "index"?, "tools"}."""
        if kwargs:
            raise TypeError(f"Env.reset: unexpected arguments {sorted(kwargs)}")
        r: Dict[str, Any] = {"tools": tools}
        picked = None
        if task is not None:
            r["task"] = task
        else:
            if index is None:
                if seed is not None:
                    self._rng.seed(seed)
                    self._order = []
                index = picked = self._next_index()
            r["index"] = index
        if episode_id:
            r["episode_id"] = episode_id
        obs = _call_json(_f["crmw_env_reset"], self._ptr(), json.dumps(r).encode())
        info = {k: obs[k] for k in ("task_id", "family", "episode_id") if k in obs}
        if task is None:
            info["index"] = index if picked is None else picked
        info["tools"] = obs.get("tools")
        return obs["messages"], info

    def step(self, output: Union[str, Message]) -> Tuple[List[Message], float, bool, bool, Record]:
        """Feed the model's output (text in any tool-call dialect, or an
        assistant message dict with "content" and "tool_calls"): (observation,
        reward, terminated, truncated, info)."""
        d = _output_bytes(output)
        return _step_tuple(_call_json(_f["crmw_env_step"], self._ptr(), d, len(d)))

    def trajectory(self) -> Record:
        """The episode's trajectory (one line of the trajectory JSONL)."""
        return _call_json(_f["crmw_env_trajectory"], self._ptr())


def group_stats(rewards: Sequence[float]) -> Record:
    """GRPO group statistics: {"size", "mean", "std", "advantages"}."""
    n = len(rewards)
    arr = (c_double * max(n, 1))(*rewards)
    return _call_json(_f["crmw_group_stats"], None, arr, n)
