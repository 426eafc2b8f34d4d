"""Lists, dicts, sets and tuples of objects: literals, methods, items, iteration, mutation."""
from collections import Counter
from types import SimpleNamespace


#export squares(int)
def squares(n):
    out = []
    for i in range(n):
        out.append(i * i)
    return out


#export append_to(int list, int)
def append_to(xs, v):
    xs.append(v)
    xs[0] += 100
    return len(xs)


#export invert(str:int dict)
def invert(d):
    out = {}
    for k, v in d.items():
        out[v] = k
    return out


#export total_values(str:int dict)
def total_values(d):
    total = 0
    for k in d:
        total += d[k]
    return total


#export unique_sorted(int list)
def unique_sorted(xs):
    seen = set()
    for x in xs:
        seen.add(x)
    return sorted(seen), len(seen), 3 in seen


#export literals(int)
def literals(n):
    a = [n, n + 1, "x"]
    b = {"n": n, "pair": (n, 2.5)}
    c = {n, n, n + 1}
    t = (n, "t", [1, 2])
    return a, b, c, t, a[-1], b["pair"][1], t[2][0]


#export pairs(int list, str list)
def pairs(xs, names):
    out = []
    for x, name in zip(xs, names):
        out.append((name, x))
    return out


#export nested(int)
def nested(n):
    grid = []
    for i in range(n):
        row = []
        for j in range(n):
            row.append(i * j)
        grid.append(row)
    grid[n - 1][n - 1] = -1
    return grid, grid[1][1:]


#export swap_ends(object)
def swap_ends(xs):
    xs[0], xs[-1] = xs[-1], xs[0]
    return xs


#export pop_all(int list)
def pop_all(xs):
    s = 0
    while xs:
        s += xs.pop()
    return s, xs


#export grow(object)
def grow(xs):
    seen = []
    for x in xs:
        seen.append(x)
        if len(xs) < 6:
            xs.append(x * 10)
        elif len(xs) < 8:
            xs.pop(0)
    return seen


#export bump_attr(object, int)
def bump_attr(o, n):
    o.x += n
    o.seen = [o.x]
    return o.x, o.seen


#export drop_last(object)
def drop_last(xs):
    xs.pop()
    str(len(xs)) + "!"
    return xs


#export get_or(object, object)
def get_or(d, k):
    return d.get(k), d.get(k, -1), f"{d.get(k, 0)}|{k!r}", str(k), repr(k)


#export get_missing(str:int dict, str)
def get_missing(d, k):
    return d[k]


#run: squares(5)
#run: squares(0)
#run: append_to([1, 2], 3)
#run: append_to([], 3)
#run: invert({"a": 1, "b": 2})
#run: total_values({"a": 1, "b": 2, "c": 39})
#run: unique_sorted([3, 1, 3, 2, 1])
#run: literals(4)
#run: pairs([1, 2, 3], ["a", "b"])
#run: nested(3)
#run: swap_ends([1, 2, 3])
#run: swap_ends([])
#run: pop_all([1, 2, 3])
#run: bump_attr(SimpleNamespace(x=1), 2)
#run: bump_attr(SimpleNamespace(x="a"), 2)
#run: bump_attr(3, 2)
#run: drop_last([1, [2, 3]])
#run: drop_last([])
#run: grow([1, 2])
#run: grow([])
#run: grow((1, 2))
#run: grow("ab")
#run: get_or({"a": 1}, "a")
#run: get_or({"a": 1}, "b")
#run: get_or({"a": 1}, [1])
#run: get_or(Counter("aab"), "a")
#run: get_or([1], "a")
#run: get_missing({"a": 1}, "a")
#run: get_missing({"a": 1}, "b")
