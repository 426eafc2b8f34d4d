"""`global`: functions rebinding module values (counters, caches, a value only a function sets);
Python code sees the new values as module attributes."""

COUNT = 0
HISTORY = []
TOTAL = 0.0


#export bump(int)
def bump(n):
    global COUNT, TOTAL
    COUNT += n
    TOTAL = TOTAL + n / 2
    HISTORY.append(COUNT)
    return COUNT, TOTAL


#export reset()
def reset():
    global COUNT, HISTORY, LAST
    COUNT = 0
    HISTORY = []
    LAST = "reset"
    return COUNT


#export last()
def last():
    return LAST


#run: reset()
#run: bump(2)
#run: bump(3)
#run: HISTORY
#run: last()
#run: COUNT
