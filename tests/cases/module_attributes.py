"""Attributes of imported modules are read where CPython reads them: a misspelled one in a
branch that does not run does not stop the extension from importing; AttributeError comes
from the line that reads it. (`math` and `cmath` misspellings are compile errors instead.)"""
import os
import numpy as np
from os import path


def broken_os(x):
    return os.no_such_thing


def broken_numpy(x):
    return np.sqrtt(x)


def broken_submodule():
    return path.nothere


#export pick(float)
def pick(x):
    if x < -100:
        return broken_os(x)
    if x < -50:
        return broken_numpy(x)
    if x < -10:
        return broken_submodule()
    return os.sep + path.basename("/a/b")


#run: pick(1.0)
#run: pick(-200.0)
#run: pick(-60.0)
#run: pick(-20.0)
