"""Complex numbers: literals, arithmetic (Smith's division, integer and general powers), abs,
.real/.imag/.conjugate(), complex(), comparisons, truthiness, and their ZeroDivisionErrors."""


#export arith(complex, complex)
def arith(a, b):
    return a + b, a - b, a * b, a / b, -a, +b


#export mixed(complex, float, int)
def mixed(z, x, n):
    return z + x, x * z, z - n, n / z, z == x, z != n


#export powers(complex, int)
def powers(z, n):
    return z ** n, z ** 2, z ** -1, z ** 0.5, z ** (1 + 1j), 2 ** z


#export parts(complex)
def parts(z):
    return z.real, z.imag, z.conjugate(), abs(z), bool(z), complex(z.imag, z.real)


#export build(float, float)
def build(re, im):
    z = complex(re, im)
    w = re + im * 1j
    return z, w, z == w, complex(re), complex(1j, 2)


#export roots(float, float, float)
def roots(a, b, c):
    d = (b * b - 4 * a * c + 0j) ** 0.5
    return (-b + d) / (2 * a), (-b - d) / (2 * a)


#export accumulate(int)
def accumulate(n):
    z = 0j
    w = 1 + 0j
    for k in range(n):
        w = w * (0.6 + 0.8j)
        z += w / (k + 1)
    return z

#run: arith(1 + 2j, 3 - 4j)
#run: arith(1.5j, -2 + 0.5j)
#run: arith(1 + 1j, 0j)
#run: arith(1e300 + 1e300j, 1e-300 + 1e-300j)
#run: mixed(2 + 3j, 1.5, 2)
#run: mixed(2 + 0j, 2.0, 2)
#run: mixed(1j, 0.0, 0)
#run: powers(1 + 2j, 3)
#run: powers(0.5 - 1.5j, -2)
#run: powers(2 + 0j, 101)
#run: powers(0j, 2)
#run: parts(3 + 4j)
#run: parts(0j)
#run: parts(-0.0 - 2j)
#run: build(1.5, -2.5)
#run: roots(1.0, 2.0, 5.0)
#run: roots(1.0, -3.0, 2.0)
#run: accumulate(50)
