"""abs, min and max, with Python's tie and NaN rules (the first extreme wins)."""

#export absolute(int, float)
def absolute(i, f):
    return abs(i), abs(f), abs(True)


#export extremes(int, int, int)
def extremes(a, b, c):
    return min(a, b, c), max(a, b, c), min(a, b), max((a, b, c))


#export fextremes(float, float)
def fextremes(a, b):
    return min(a, b), max(a, b)

#run: absolute(-5, -2.5)
#run: absolute(3, -0.0)
#run: extremes(3, 1, 2)
#run: extremes(-1, -1, 5)
#run: fextremes(1.0, 2.0)
#run: fextremes(float('nan'), 1.0)
#run: fextremes(1.0, float('nan'))
#run: fextremes(0.0, -0.0)
#run: fextremes(-0.0, 0.0)
