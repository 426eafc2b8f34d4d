"""A function that returns nothing gives None; validation helpers are a common case."""

#export validate(int)
def validate(n):
    if n < 0:
        raise ValueError("negative")


#export early(int)
def early(n):
    for i in range(n):
        if i > 3:
            return
    return

#run: validate(3)
#run: validate(-3)
#run: early(10)
