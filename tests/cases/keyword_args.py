"""Exported functions take their arguments by position or by name, with defaults."""

#export affine(float, float?, float?)
def affine(x, a=2.0, b=0.5):
    return a * x + b


#export span(int, int)
def span(start, stop):
    return stop - start

#run: affine(1.0)
#run: affine(1.0, 3.0)
#run: affine(1.0, b=1.0)
#run: affine(x=2.0, a=1.0, b=0.0)
#run: span(stop=10, start=3)
#run: span(3, stop=5)
#run: span(3)
#run: span(1, 2, 3)
#run: span(1, start=2)
#run: span(1, 2, other=3)
