"""Strings through the object fallback: literals, methods, f-strings, joins, defaults, module
constants holding strings."""

VOWELS = ("a", "e", "i", "o", "u")
GREETING = "hello"


#export word_counts(str)
def word_counts(text):
    counts = {}
    for w in text.split():
        counts[w] = counts.get(w, 0) + 1
    return counts


#export join_upper(str list, str)
def join_upper(words, sep=", "):
    out = ""
    for i, w in enumerate(words):
        if i > 0:
            out += sep
        out += w.upper()
    return out


#export shout(str, int)
def shout(name, times):
    return f"{name!r} x{times:03d} = {name * times}|{times / 3:.2f}|{'ok' if times else 'none'}"


#export describe(str)
def describe(s):
    n = len(s)
    first = s[0] if n > 0 else ""
    return n, first, s[1:-1], s[::-1], "a" in s, s.startswith("ab"), s == "abc", s < "b"


#export title_case(str)
def title_case(s):
    parts = []
    for w in s.split(" "):
        parts.append(w[:1].upper() + w[1:].lower())
    return " ".join(parts)


#export count_vowels(str)
def count_vowels(s):
    n = 0
    for ch in s:
        if ch in VOWELS:
            n += 1
    return n


#export greet(str)
def greet(name):
    return GREETING + ", " + name, VOWELS[1:], len(VOWELS)


#export maybe_bound(bool)
def maybe_bound(flag):
    if flag:
        s = "set"
    s += "!"
    return s


#export fmt_ints(int, bool)
def fmt_ints(n, b):
    return f"n={n};", f"{n}{n}", f"é{-n}ü", f"{b}/{not b}", f"{n * 0}", f"{n:05d}", f"{n!r}"


#export fmt_plain(int)
def fmt_plain(n):
    return f"[{n}]", f"{n}", str(n), str(n > 0), str(n + 0.5)


#export repeat_default(str, int?)
def repeat_default(s, k=2):
    return s * k


#run: word_counts("the cat and the hat and the bat")
#run: word_counts("")
#run: join_upper(["ab", "cd", "e"], "-")
#run: join_upper(["x"])
#run: join_upper([])
#run: join_upper(["a", 3], "+")
#run: shout("bo", 2)
#run: shout("", 0)
#run: describe("abc")
#run: describe("")
#run: describe("zebra")
#run: title_case("hello wORLD  again")
#run: count_vowels("pyaot compiles python")
#run: repeat_default("ab")
#run: greet("bo")
#run: fmt_ints(0, True)
#run: fmt_ints(-5, False)
#run: fmt_ints(1234567890123, True)
#run: fmt_ints(2 ** 63 - 1, False)
#run: fmt_plain(-(2 ** 63))
#run: fmt_plain(-1)
#run: maybe_bound(True)
#run: maybe_bound(False)
#run: repeat_default("ab", 3)
