"""Augmented assignment with every operator."""

#export aug(int, int)
def aug(a, b):
    x = a
    x += b
    x -= 1
    x *= 3
    x //= 2
    x %= 1000
    x **= 2
    x <<= 2
    x >>= 1
    x &= 0xFFFF
    x |= 1
    x ^= 5
    return x


#export aug_float(float)
def aug_float(x):
    y = 1.0
    y += x
    y *= x
    y /= 2.0
    y -= 0.25
    y //= 0.5
    y %= 7.0
    y **= 2.0
    return y

#run: aug(5, 7)
#run: aug(-5, 7)
#run: aug(100, -3)
#run: aug_float(3.0)
#run: aug_float(-1.5)
#run: aug(1, -1)
