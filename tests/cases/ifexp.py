"""Conditional expressions; the branches join to one type."""

#export sign(float)
def sign(x):
    return 1 if x > 0 else (-1 if x < 0 else 0)


#export clamp(float, float, float)
def clamp(x, lo, hi):
    return lo if x < lo else hi if x > hi else x


#export pick(int)
def pick(n):
    return n * 0.5 if n % 2 else n

#run: sign(3.5)
#run: sign(-0.1)
#run: sign(0.0)
#run: clamp(5.0, 0.0, 1.0)
#run: clamp(-5.0, 0.0, 1.0)
#run: clamp(0.5, 0.0, 1.0)
#run: pick(3)
