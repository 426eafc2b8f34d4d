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


#export first_big(object, object, int)
def first_big(log, tag, limit):
    found = -1
    for i in range(10):
        with tag(log, str(i)):
            if i % 2 == 1:
                continue
            if i > limit:
                found = i
                break
    return found, log


#export nested_finally_loop(object)
def nested_finally_loop(log):
    for i in range(3):
        try:
            try:
                if i == 1:
                    continue
                if i == 2:
                    break
                log.append(i)
            finally:
                log.append("inner")
        finally:
            log.append("outer")
    return log


#run: use([], False, tag)
#run: first_big([], tag, 3)
#run: first_big([], tag, 100)
#run: nested_finally_loop([])
#run: use([], True, tag)
#run: early([], tag)
#run: swallow({})
#run: swallow({"missing": 1})
#run: locked(5)
