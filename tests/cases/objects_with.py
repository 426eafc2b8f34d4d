"""`with`: context managers entered and exited on every path (normal, return, exception,
suppressed exception), several items, files, locks, contextlib."""
import threading
from contextlib import contextmanager, suppress


# A generator-based manager (not compiled: a decorator; passed in by the run lines).
@contextmanager
def tag(log, name):
    log.append("enter " + name)
    try:
        yield name.upper()
    finally:
        log.append("exit " + name)


#export use(object, object, object)
def use(log, fail, tag):
    with tag(log, "a") as a, tag(log, "b") as b:
        log.append(a + b)
        if fail:
            raise ValueError("inside")
    return log


#export early(object, object)
def early(log, tag):
    with tag(log, "r") as r:
        return r + "!"


#export swallow(object)
def swallow(d):
    with suppress(KeyError):
        return d["missing"]
    return "suppressed"


#export locked(int)
def locked(n):
    lock = threading.Lock()
    total = 0
    for i in range(n):
        with lock:
            total += i
    return total, lock.locked()


#run: use([], False, tag)
#run: use([], True, tag)
#run: early([], tag)
#run: swallow({})
#run: swallow({"missing": 1})
#run: locked(5)
