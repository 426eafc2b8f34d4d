"""Classes made as a class statement makes them (types.new_class): decorators (`@dataclass`),
annotations, `NamedTuple` and `Generic` bases (`__mro_entries__`), `metaclass=`; methods
compiled (method decorators other than staticmethod, classmethod and property are refused)."""
import abc
import dataclasses
from dataclasses import dataclass, field
from typing import Generic, NamedTuple, TypeVar

T = TypeVar("T")


@dataclass
class Point:
    x: float
    y: float = 0.0
    tags: list = field(default_factory=list)

    def norm2(self):
        return self.x * self.x + self.y * self.y


@dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int = 0


class Pair(NamedTuple):
    left: int
    right: int

    def total(self):
        return self.left + self.right


class Box(Generic[T]):
    def __init__(self, item):
        self.item = item

    def get(self):
        return self.item


class Shape(abc.ABC):
    def area(self):
        return 0.0


class Square(Shape, metaclass=abc.ABCMeta):
    def __init__(self, s):
        self.s = s

    def area(self):
        return self.s * self.s


#export run(float)
def run(v):
    p = Point(v, 2.0)
    q = Point(v)
    q.tags.append("t")
    pair = Pair(3, 4)
    versions = sorted([Version(1, 2), Version(1), Version(0, 9)])
    return (p.norm2(), repr(q), p == Point(v, 2.0), [f.name for f in dataclasses.fields(Point)],
            [(w.major, w.minor) for w in versions], pair.total(), pair.right, tuple(pair),
            Box(v).get(), Square(v).area(), isinstance(Square(1.0), Shape))

#run: run(3.0)


#export frozen()
def frozen():
    v = Version(1)
    v.major = 2
    return v.major

#run: frozen()


import functools


class Temperature:
    def __init__(self, celsius):
        self._c = celsius
        self.reads = 0

    @property
    def celsius(self):
        return self._c

    @celsius.setter
    def celsius(self, value):
        if value < -273.15:
            raise ValueError("below absolute zero")
        self._c = value

    @functools.cached_property
    def kelvin(self):
        self.reads += 1
        return self._c + 273.15

    @staticmethod
    @functools.lru_cache(maxsize=None)
    def scale(x):
        return x * 1.8


#export temperatures(float)
def temperatures(c):
    t = Temperature(c)
    t.celsius = c + 1.0
    k1 = t.kelvin
    k2 = t.kelvin
    return t.celsius, k1 == k2, t.reads, Temperature.scale(2.0), Temperature.scale(2.0)

#run: temperatures(20.0)
#run: temperatures(-300.0)
