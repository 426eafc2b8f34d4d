"""Recursion over Python objects: flattening nested lists, a memo dict kept as a module value,
tree walks over dicts, string building by recursion, and mutual recursion."""

MEMO = {}


#export flatten(object)
def flatten(x):
    if isinstance(x, (list, tuple)):
        out = []
        for item in x:
            out.extend(flatten(item))
        return out
    return [x]


#export fib_memo(int)
def fib_memo(n):
    if n < 2:
        return n
    if n in MEMO:
        return MEMO[n]
    r = fib_memo(n - 1) + fib_memo(n - 2)
    MEMO[n] = r
    return r


#export depth(object)
def depth(tree):
    if not isinstance(tree, dict) or not tree:
        return 0
    return 1 + max(depth(v) for v in tree.values())


#export to_roman(int)
def to_roman(n):
    numerals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    for value, letters in numerals:
        if n >= value:
            return letters + to_roman(n - value)
    return ""


def is_even(n):
    return True if n == 0 else is_odd(n - 1)


def is_odd(n):
    return False if n == 0 else is_even(n - 1)


#export parity(object)
def parity(xs):
    return {x: ("even" if is_even(x) else "odd") for x in xs}


#export deep(object)
def deep(n):
    return [] if n == 0 else [n] + deep(n - 1)[:1]


#run: flatten([1, [2, [3, (4, 5)]], [], "ab"])
#run: flatten(7)
#run: fib_memo(80)
#run: depth({"a": {"b": {}}, "c": {"d": {"e": {"f": 1}}}})
#run: depth({})
#run: to_roman(1994)
#run: to_roman(0)
#run: parity([0, 3, 10])
#run: deep(5)
#run: deep(100000)
