"""The compiler's structure, drawn from its own code: modules as boxes, `use` lines and paths
(`crate::…`, `super::…`, a child module's name) as arrows. No cycle: each room of the compiler
depends on the rooms below it, never back (docs/ARCHITECTURE.md)."""
import re
from pathlib import Path

from conftest import ROOT


def module_graph(src: Path) -> dict:
    """{module path ('' for the crate root, 'codegen::arrays', …): modules it refers to}."""
    files = {}
    for f in src.rglob("*.rs"):
        parts = list(f.relative_to(src).with_suffix("").parts)
        if parts[-1] in ("mod", "lib", "main"):
            parts = parts[:-1]
        files["::".join(parts)] = f

    def resolve(cur, path):
        segs = path.split("::")
        here = cur.split("::") if cur else []
        if segs[0] == "crate":
            base, segs = [], segs[1:]
        elif segs[0] in ("super", "self"):
            base = here
            while segs and segs[0] in ("super", "self"):
                base = base[:-1] if segs[0] == "super" else base
                segs = segs[1:]
        elif "::".join(here + segs[:1]) in files:
            base = here
        else:
            return None
        found = None
        for k in range(len(segs) + 1):
            if "::".join(base + segs[:k]) in files:
                found = "::".join(base + segs[:k])
        return found

    graph = {}
    for name, f in files.items():
        text = re.sub(r"#\[cfg\(test\)\]\s*mod tests \{.*", "", f.read_text(), flags=re.S)
        text = re.sub(r"//[^\n]*", "", text)
        refs = set(re.findall(r"(?<![\w:])((?:crate|super|self|[a-z_]\w*)(?:::\w+)+)", text))
        for use in re.findall(r"use ((?:crate|super|self)::[^;]*);", text, flags=re.S):
            prefix = use.split("{")[0].rstrip(":")
            for inner in re.findall(r"\{([^{}]*)\}", use):
                refs.update(prefix + "::" + item.strip().split(" ")[0]
                            for item in inner.split(",") if item.strip() not in ("", "self"))
        graph[name] = {t for r in refs if (t := resolve(name, r)) is not None and t != name}
    return graph


def cycles(graph: dict) -> list:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_the_compiler_has_no_module_cycle():
    graph = module_graph(ROOT / "compiler" / "src")
    assert "codegen::state" in graph and "plan::facts" in graph, "the graph misses modules"
    found = cycles(graph)
    assert not found, "modules that import each other in a circle: " + "; ".join(
        " ⇄ ".join(c) + " (" + ", ".join(f"{a} → {sorted(graph[a] & set(c))}" for a in c) + ")"
        for c in found)


def test_a_cycle_is_found(tmp_path):
    """The check itself: two modules that refer to each other are reported."""
    (tmp_path / "a").mkdir()
    (tmp_path / "lib.rs").write_text("pub mod a;\n")
    (tmp_path / "a" / "mod.rs").write_text("mod b;\nuse b::Thing;\npub struct Other;\n")
    (tmp_path / "a" / "b.rs").write_text("use super::Other;\npub struct Thing;\n")
    assert cycles(module_graph(tmp_path)) == [["a", "a::b"]]
