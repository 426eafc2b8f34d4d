"""if / elif / else chains."""

#export grade(int)
def grade(score):
    if score >= 90:
        g = 4
    elif score >= 80:
        g = 3
    elif score >= 70:
        g = 2
    elif score >= 60:
        g = 1
    else:
        g = 0
    return g


#export fizz(int)
def fizz(n):
    count = 0
    for i in range(1, n + 1):
        if i % 15 == 0:
            count += 100
        elif i % 5 == 0:
            count += 10
        elif i % 3 == 0:
            count += 1
    return count

#run: grade(95)
#run: grade(85)
#run: grade(72)
#run: grade(60)
#run: grade(10)
#run: fizz(100)
