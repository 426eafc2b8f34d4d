"""isinstance dispatch, None checks, truthiness and `and`/`or` of objects, type names."""


#export kind(object)
def kind(x):
    if x is None:
        return "none"
    if isinstance(x, bool):
        return f"bool {x}"
    if isinstance(x, int):
        return f"int {x + 1}"
    if isinstance(x, (float, complex)):
        return "number"
    if isinstance(x, str):
        return "str " + x
    return type(x).__name__


#export first_truthy(object, object)
def first_truthy(a, b):
    return a or b, a and b, not a, bool(b)


#export default_if_none(object, int)
def default_if_none(x, d):
    if x is not None:
        return x
    return d


#export count_true(object)
def count_true(xs):
    n = 0
    for x in xs:
        if x:
            n += 1
    return n


#export compare(object, object)
def compare(a, b):
    return a == b, a != b, a < b, a <= b < 10


#run: kind(None)
#run: kind(True)
#run: kind(41)
#run: kind(2.5)
#run: kind(1j)
#run: kind("s")
#run: kind([1])
#run: kind({})
#run: first_truthy(0, "x")
#run: first_truthy([1], None)
#run: first_truthy("", "")
#run: default_if_none(None, 3)
#run: default_if_none("v", 3)
#run: count_true([0, 1, "", "a", None, [0]])
#run: count_true(5)
#run: compare(1, 2)
#run: compare("b", "a")
#run: compare(3, 3.0)
#run: compare(1, "a")
