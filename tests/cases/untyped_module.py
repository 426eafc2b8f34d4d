"""A module without `#export` comments builds as Cython builds one: every top-level function is
compiled with Python objects for its arguments, and the module's classes with it (W003)."""


class Account:
    def __init__(self, owner, balance=0):
        self.owner = owner
        self.balance = balance

    def deposit(self, amount):
        if amount <= 0:
            raise ValueError("deposit must be positive")
        self.balance += amount
        return self.balance


def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def words(text, sep=" "):
    return [w.upper() for w in text.split(sep) if w]


def ledger(names, amount=5):
    accounts = [Account(n) for n in names]
    for a in accounts:
        a.deposit(amount)
    return {a.owner: a.balance for a in accounts}

#run: fib(10)
#run: fib(90)
#run: fib(2.5)
#run: words("a bc  def")
#run: words("a,b", sep=",")
#run: ledger(["x", "y"])
#run: ledger(["x"], amount=-1)
#run: ledger(["x"], 7)
