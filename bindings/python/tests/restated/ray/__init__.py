"""A restatement of Ray 2.x's core actor API for testing adapters: not Ray.

ray.init(); Actor = ray.remote(Cls); h = Actor.remote(*args) creates the
actor; h.method.remote(*args) returns an ObjectRef at once; ray.get(ref or a
list of refs) waits for the values (an exception in the actor is raised
again).  As in Ray, an actor runs its method calls one at a time, in the
order they were sent, on its own worker (a thread here, a process in Ray);
different actors run in parallel.  Arguments and results are copied through
pickle, as Ray serialises them."""
import pickle
import queue
import threading
from concurrent.futures import Future

__version__ = "2.x (restated)"
_actors = []


class ObjectRef:
    def __init__(self, fut):
        self._fut = fut


def _copy(x):
    return pickle.loads(pickle.dumps(x))


class _Method:
    def __init__(self, actor, name):
        self._actor, self._name = actor, name

    def remote(self, *args, **kwargs):
        fut = Future()
        self._actor._q.put((self._name, _copy(args), _copy(kwargs), fut))
        return ObjectRef(fut)


class ActorHandle:
    def __init__(self, cls, args, kwargs):
        self._q = queue.Queue()
        ready = Future()
        self._t = threading.Thread(target=self._run, args=(cls, _copy(args), _copy(kwargs), ready), daemon=True)
        self._t.start()
        ready.result()

    def _run(self, cls, args, kwargs, ready):
        try:
            obj = cls(*args, **kwargs)
            ready.set_result(True)
        except BaseException as e:
            ready.set_exception(e)
            return
        while True:
            item = self._q.get()
            if item is None:
                return
            name, a, k, fut = item
            try:
                fut.set_result(_copy(getattr(obj, name)(*a, **k)))
            except BaseException as e:
                fut.set_exception(e)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return _Method(self, name)


class _RemoteClass:
    def __init__(self, cls):
        self._cls = cls

    def remote(self, *args, **kwargs):
        h = ActorHandle(self._cls, args, kwargs)
        _actors.append(h)
        return h


def init(*args, **kwargs):
    return None


def remote(cls):
    if not isinstance(cls, type):
        raise NotImplementedError("only actors are restated")
    return _RemoteClass(cls)


def get(refs, timeout=None):
    if isinstance(refs, list):
        return [r._fut.result(timeout) for r in refs]
    return refs._fut.result(timeout)


def shutdown():
    while _actors:
        h = _actors.pop()
        h._q.put(None)
        h._t.join()
