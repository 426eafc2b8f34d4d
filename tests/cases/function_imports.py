"""`import` inside a function: the names bind as a module-level import would (the extension
imports the module when it is imported), so the function reads `math`, `floor`, `np`, `os`."""
import numpy as np


#export inside(float)
def inside(x):
    import math
    from math import floor as fl
    import numpy as numpy_inside
    if x > 100:
        import os
        return float(len(os.sep))
    return math.sqrt(x) + fl(x) + float(numpy_inside.float64(1.0))


#export shadowed(float)
def shadowed(x):
    # The module-level `np` stays what it was.
    import numpy as np
    return float(np.sqrt(x))


#run: inside(4.0)
#run: inside(2.25)
#run: inside(200.0)
#run: shadowed(9.0)
