"""try/except/else/finally and bare raise, for native and Python exceptions, across calls of
Python code and of compiled helpers, inside loops."""
import numpy as np


#export safe_div(int, int)
def safe_div(a, b):
    try:
        return a // b
    except ZeroDivisionError:
        return 0


#export parse_all(str list)
def parse_all(items):
    good = []
    bad = 0
    for s in items:
        try:
            good.append(int(s))
        except ValueError:
            bad += 1
            continue
        except TypeError as e:
            return str(e)
    return good, bad


#export lookup(object, object)
def lookup(d, k):
    try:
        v = d[k]
    except (KeyError, IndexError) as e:
        return "missing " + type(e).__name__
    else:
        return v * 2


#export reraise(object)
def reraise(x):
    try:
        return 10 / x
    except ZeroDivisionError:
        raise
    except TypeError:
        raise ValueError(f"bad operand {x!r}")


#export with_finally(object, object)
def with_finally(log, x):
    try:
        log.append("try")
        y = 1 / x
        log.append("after")
    except ZeroDivisionError:
        log.append("except")
        y = -1.0
    finally:
        log.append("finally")
    return y


#export finally_on_error(object, object)
def finally_on_error(log, x):
    try:
        log.append(1 / x)
    finally:
        log.append("cleanup")
    return len(log)


def helper(a, i):
    return a[i]


def every_third_fails(i):
    return 10 // (i % 3)


#export index_or_default(float64[:], int)
def index_or_default(a, i):
    try:
        return helper(a, i)
    except IndexError:
        return -1.0


#export nested(object)
def nested(x):
    out = []
    try:
        try:
            out.append(1 / x)
        except ZeroDivisionError:
            out.append("inner")
            raise
        finally:
            out.append("inner finally")
    except ArithmeticError as e:
        out.append("outer " + type(e).__name__)
    return out


#export callback_errors(object, int)
def callback_errors(f, n):
    caught = 0
    total = 0
    for i in range(n):
        try:
            total += f(i)
        except Exception:
            caught += 1
    return total, caught


#export bare_except(object)
def bare_except(x):
    try:
        x.missing_attribute
    except:
        return "caught"
    return "no error"


#export unbound_after_handler(object)
def unbound_after_handler(x):
    try:
        raise KeyError(x)
    except KeyError as e:
        pass
    return e


#export return_in_finally_try(object, object)
def return_in_finally_try(log, d):
    try:
        for k in d:
            if k == "stop":
                return "stopped " + str(len(log))
            log.append(k)
        return "done"
    except TypeError:
        log.append("type error")
        return "caught"
    finally:
        log.append("finally")


#export nested_finally(object, int)
def nested_finally(log, n):
    try:
        try:
            if n > 0:
                return n * 2
            log.append("inner body")
        finally:
            log.append("inner")
        return -1
    finally:
        log.append("outer")


#export finally_overrides(object)
def finally_overrides(log):
    try:
        return log[0]
    finally:
        log.append("ran")


#export convert(object, object)
def convert(d, cause):
    try:
        return d["k"]
    except KeyError:
        raise ValueError("missing k") from cause


#export while_true_break(object)
def while_true_break(xs):
    i = 0
    while True:
        try:
            v = xs[i]
        except IndexError:
            break
        i += 1
    return i


#run: safe_div(7, 2)
#run: safe_div(7, 0)
#run: parse_all(["1", "x", "3", "4.5"])
#run: parse_all(["1", None])
#run: lookup({"a": 2}, "a")
#run: lookup({"a": 2}, "b")
#run: lookup([1, 2], 5)
#run: lookup([1, 2], "s")
#run: reraise(4)
#run: reraise(0)
#run: reraise("s")
#run: with_finally([], 2)
#run: with_finally([], 0)
#run: finally_on_error([], 2)
#run: finally_on_error([], 0)
#run: index_or_default(np.arange(3.0), 1)
#run: index_or_default(np.arange(3.0), 5)
#run: nested(2)
#run: nested(0)
#run: callback_errors(every_third_fails, 7)
#run: bare_except(1)
#run: bare_except(None)
#run: unbound_after_handler(1)
#run: while_true_break([5, 6, 7])
#run: convert({"k": 1}, None)
#run: convert({}, None)
#run: convert({}, KeyError("inner"))
#run: convert({}, IndexError)
#run: convert({}, 3)
#run: return_in_finally_try([], ["a", "stop", "b"])
#run: return_in_finally_try([], ["a", "b"])
#run: return_in_finally_try([], 5)
#run: nested_finally([], 3)
#run: nested_finally([], 0)
#run: finally_overrides([])
#run: finally_overrides([1])
