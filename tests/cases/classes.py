"""Classes of the module: made as Python makes them (instances with a `__dict__`, `__slots__`,
inheritance and `super()`, dunder methods, properties, static and class methods, class
attributes, defaults and keywords), their methods compiled. Exported functions create and use
instances; results are plain values (instances of the two modules' classes differ)."""
import math


class Shape:
    """A shape with a name."""
    count = 0

    def __init__(self, name):
        self.name = name
        Shape.count += 1

    def area(self):
        return 0.0

    def describe(self):
        return f"{self.name} of area {self.area():.2f}"


class Circle(Shape):
    def __init__(self, r):
        super().__init__("circle")
        self.r = r

    def area(self):
        return math.pi * self.r * self.r

    @property
    def diameter(self):
        return 2 * self.r

    @staticmethod
    def unit():
        return Circle(1.0)

    @classmethod
    def named(cls, r):
        return cls(r)

    def __add__(self, other):
        return Circle(self.r + other.r)

    def __eq__(self, other):
        return isinstance(other, Circle) and self.r == other.r

    def __repr__(self):
        return f"Circle({self.r})"


class Vec:
    __slots__ = ("x", "y")

    def __init__(self, x=0.0, y=0.0):
        self.x = x
        self.y = y

    def norm(self):
        return math.sqrt(self.x * self.x + self.y * self.y)

    def scaled(self, k=2.0):
        return Vec(self.x * k, self.y * k)


class Counter:
    def __init__(self, start=0):
        self.n = start

    def bump(self, by=1):
        if by < 0:
            raise ValueError("negative step")
        self.n += by
        return self

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i * self.n

    def __iter__(self):
        return iter(range(self.n))

    def __call__(self, x):
        return x + self.n

    def __lt__(self, other):
        return self.n < other.n


class Node:
    def __init__(self, value, next=None):
        self.value = value
        self.next = next


def total_of(node):
    s = 0
    while node is not None:
        s += node.value
        node = node.next
    return s


#export areas(int)
def areas(n):
    total = 0.0
    for i in range(n):
        total += Circle(i * 0.5).area()
    return total

#run: areas(10)
#run: areas(0)


#export tour(float)
def tour(r):
    c = Circle.named(r)
    d = c + Circle.unit()
    v = Vec(3.0, y=4.0).scaled(k=0.5)
    return (c.describe(), d.diameter, repr(d), c == Circle(r), c == 3, v.norm(), Vec().norm(),
            isinstance(c, Shape), Shape.count > 0, Circle.unit().diameter)

#run: tour(2.0)
#run: tour(-1.5)


#export protocols(int)
def protocols(k):
    c = Counter(k).bump().bump(by=3)
    head = None
    for i in range(k):
        head = Node(i, head)
    best = max([Counter(3), Counter(1), Counter(2)])
    return (len(c), c[2], [x for x in c], c(10), total_of(head), best.n,
            sorted([Counter(2), Counter(1)])[0].n)

#run: protocols(4)
#run: protocols(0)


#export errors(int)
def errors(k):
    c = Counter()
    c.bump(k)
    return c.n

#run: errors(3)
#run: errors(-1)


#export bad_call(int)
def bad_call(k):
    if k == 0:
        return Counter(1, 2, 3).n
    if k == 1:
        return Circle().r
    return Vec(z=1.0).x

#run: bad_call(0)
#run: bad_call(1)
#run: bad_call(2)
