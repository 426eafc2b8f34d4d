"""Text processing: str methods, %-formatting and str.format, ord/chr, slicing with steps,
substring tests, sorting dict items with lambdas, setdefault, Counter arithmetic."""
from collections import Counter


#export caesar(str, int)
def caesar(text, shift):
    out = []
    for ch in text:
        if "a" <= ch <= "z":
            out.append(chr((ord(ch) - ord("a") + shift) % 26 + ord("a")))
        elif ch.isupper():
            out.append(chr((ord(ch) - 65 + shift) % 26 + 65))
        else:
            out.append(ch)
    return "".join(out)


#export formats(str, int, float)
def formats(name, n, x):
    return ("%s has %d items (%.2f%%)" % (name, n, x), "{0}:{1:>5}|{2:.3e}".format(name, n, x),
            name[::-1], name[1::2], name.center(9, "*"), "an" in name, name.count("a"))


#export rank(str:int dict)
def rank(scores):
    ordered = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    table = {}
    for position, (name, score) in enumerate(ordered, 1):
        table.setdefault(score, []).append((position, name))
    return ordered, table


#export letter_diff(str, str)
def letter_diff(a, b):
    ca = Counter(a)
    cb = Counter(b)
    return sorted((ca - cb).items()), sorted((ca & cb).elements())


#run: caesar("Hello, World!", 3)
#run: caesar("abcxyz", -1)
#run: formats("banana", 3, 12.3456)
#run: formats("", 0, 0.0)
#run: rank({"ann": 3, "bob": 5, "cid": 3})
#run: letter_diff("abracadabra", "bar")
#run: formats("x", 1, "y")
