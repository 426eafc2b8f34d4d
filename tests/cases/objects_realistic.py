"""A small whole module of the kind people compile with Cython: parsing records, grouping,
statistics with numpy, formatting a report; every feature of the object fallback together."""
import math
import numpy as np
from collections import defaultdict, namedtuple

Record = namedtuple("Record", ["name", "group", "value"])
SEPARATOR = ","
VALID_GROUPS = {"a", "b", "c"}


def parse_line(line):
    parts = [p.strip() for p in line.split(SEPARATOR)]
    if len(parts) != 3:
        raise ValueError(f"expected 3 fields, got {len(parts)}: {line!r}")
    name, group, value = parts
    if group not in VALID_GROUPS:
        raise KeyError(group)
    return Record(name, group, float(value))


#export parse(str)
def parse(text):
    records = []
    errors = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        try:
            records.append(parse_line(line))
        except (ValueError, KeyError) as e:
            errors.append((lineno, type(e).__name__))
    return records, errors


#export summarize(str)
def summarize(text):
    records, errors = parse(text)
    by_group = defaultdict(list)
    for r in records:
        by_group[r.group].append(r.value)
    out = {}
    for g in sorted(by_group):
        values = np.array(by_group[g])
        n = len(values)
        mean = 0.0
        for i in range(n):
            mean += values[i]
        mean /= n
        var = 0.0
        for i in range(n):
            var += (values[i] - mean) ** 2
        out[g] = (n, round(mean, 3), round(math.sqrt(var / n), 3))
    return out, len(errors)


#export report(str)
def report(text):
    stats, nerrors = summarize(text)
    lines = [f"{g}: n={n} mean={m:.2f} sd={s:.2f}" for g, (n, m, s) in stats.items()]
    lines.append(f"{nerrors} bad line{'s' if nerrors != 1 else ''}")
    return "\n".join(lines)


#export top(str, int)
def top(text, k):
    records, _ = parse(text)
    best = sorted(records, key=lambda r: (-r.value, r.name))[:k]
    return [r.name for r in best], max((r.value for r in records), default=-1.0), sum((r.value for r in records), start=0.5)


DATA = """# name,group,value
x1, a, 1.5
x2, b, 2.0
x3, a, 3.5
bad line
x4, d, 1.0
x5, c, 4.25
x6, b, nan?
x7, b, 0.5
"""

#run: parse(DATA)
#run: summarize(DATA)
#run: report(DATA)
#run: report("")
#run: top(DATA, 2)
#run: top("", 3)
