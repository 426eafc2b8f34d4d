//! Snapshots of the diagnostics users read: each is rendered as `pyaot check` prints it.

use pyaot::diagnostics::render;
use pyaot::Timings;

fn diagnose(src: &str) -> String {
    let mut timings = Timings::default();
    match pyaot::check(src, "example.py", "example", pyaot::hir::Checks::default(), &mut timings) {
        Ok(checked) => {
            format!("(no errors)\n{}", render("example.py", src, &checked.warnings, false))
        }
        Err(d) => render("example.py", src, &d, false),
    }
}

macro_rules! snapshot {
    ($name:ident, $src:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(diagnose($src));
        }
    };
}

snapshot!(syntax_error, "#export f(int)\ndef f(x)\n    return x\n");

snapshot!(misspelled_export_type, "#export f(int, flaot)\ndef f(a, b):\n    return a + b\n");

snapshot!(unclosed_export, "#export f(int\ndef f(a):\n    return a\n");

snapshot!(export_of_unknown_function, "#export g(int)\ndef f(a):\n    return a\n");

snapshot!(export_arity, "#export f(int)\ndef f(a, b):\n    return a + b\n");

snapshot!(optional_without_default, "#export f(int, int?)\ndef f(a, b):\n    return a + b\n");

snapshot!(nothing_exported, "def f(a):\n    return a\n");

snapshot!(nothing_to_export, "import math\n\nX = math.pi\n");

snapshot!(unknown_name, "#export f(int)\ndef f(a):\n    return a + b\n");

snapshot!(
    type_conflict,
    "#export f(int)\ndef f(n):\n    x = 1\n    if n > 0:\n        x = (1, 2)\n    return n\n"
);

snapshot!(
    return_none_on_some_paths,
    "#export f(int)\ndef f(n):\n    if n > 0:\n        return n\n"
);

snapshot!(bad_operands, "#export f(float)\ndef f(x):\n    return x << 2\n");

snapshot!(range_of_float, "#export f(float)\ndef f(x):\n    s = 0\n    for i in range(x):\n        s += i\n    return s\n");

snapshot!(unpack_mismatch, "#export f(int)\ndef f(n):\n    a, b = n\n    return a\n");

snapshot!(
    objects_in_parallel_loop,
    "#export f(str list)\ndef f(words):\n    n = 0\n    #omp parallel for reduction(+:n)\n    for i in range(len(words)):\n        n += len(words[i])\n    return n\n"
);

snapshot!(complex_into_real_array, "#export f(float64[:])\ndef f(a):\n    a[0] = 1j\n");

snapshot!(
    array_as_condition,
    "#export f(float64[:])\ndef f(a):\n    if a:\n        return 1\n    return 0\n"
);

snapshot!(too_many_indices, "#export f(float64[:])\ndef f(a):\n    return a[0, 1]\n");

snapshot!(
    numpy_store_in_parallel,
    "from pyaot import prange\n\n#export f(complex128[:, :], float64[:, :])\ndef f(z, a):\n    for i in prange(a.shape[0]):\n        a[i, :] = z[i, :]\n"
);

snapshot!(in_place_int_by_float, "#export f(int64[:])\ndef f(a):\n    a += 0.5\n    return a\n");

snapshot!(
    new_array_in_parallel,
    "import numpy as np\nfrom pyaot import prange\n\n#export f(float64[:, :])\ndef f(m):\n    out = np.zeros(m.shape[0])\n    for i in prange(m.shape[0]):\n        r = m[i] * 2.0\n        out[i] = r[0]\n    return out\n"
);

snapshot!(raise_a_number, "#export f(int)\ndef f(n):\n    raise n\n");

snapshot!(
    bad_dtype,
    "import numpy as np\n\n#export f(int)\ndef f(n):\n    return np.zeros(n, dtype=np.float16)\n"
);

snapshot!(
    unreachable_helper_is_a_warning,
    "def helper(a):\n    g = lambda x: x\n    return g(a)\n\n#export f(int)\ndef f(n):\n    return n\n"
);

snapshot!(
    unsupported_constructs,
    "#export f(int)\ndef f(n):\n    g = lambda x: x\n    try:\n        n += 1\n    except ValueError:\n        pass\n    return [i for i in range(n)]\n\nclass C:\n    pass\n"
);

snapshot!(
    method_decorator_and_class_body,
    "import abc\n\nclass P:\n    for i in range(3):\n        pass\n\n    @abc.abstractmethod\n    def f(self):\n        return 1\n\n    def g():\n        return 2\n\n#export h(int)\ndef h(n):\n    return n\n"
);

snapshot!(
    closures_refused,
    "#export f(int)\ndef f(n):\n    total = 0\n    def g():\n        nonlocal total\n        total += 1\n    def rec(k):\n        return rec(k - 1)\n    for i in range(n):\n        def h():\n            return i\n    return total\n"
);

snapshot!(set_attribute_of_number, "#export f(int)\ndef f(n):\n    n.real = 1\n    return n\n");

snapshot!(bytes_literal, "#export f(int)\ndef f(n):\n    return b\"abc\"\n");

snapshot!(
    many_errors_in_one_run,
    "#export f(int)\n#export h(int)\ndef f(n):\n    return n + undefined\n\ndef h(m):\n    return {**m}\n"
);

snapshot!(
    ignored_top_level_statement,
    "import math\nprint('hello')\n\n#export f(float)\ndef f(x):\n    return math.sqrt(x)\n"
);

snapshot!(
    wrong_call_arguments,
    "def g(a, b):\n    return a\n\n#export f(int)\ndef f(n):\n    return g(n, c=2)\n"
);

snapshot!(
    parallel_race,
    "#export f(int)\ndef f(n):\n    last = 0\n    #omp parallel for\n    for i in range(n):\n        last = i\n    return last\n"
);

snapshot!(
    parallel_reduction_read,
    "#export f(int)\ndef f(n):\n    s = 0\n    #omp parallel for reduction(+:s)\n    for i in range(n):\n        s += i + s\n    return s\n"
);

snapshot!(
    parallel_return_and_break,
    "#export f(int)\ndef f(n):\n    #omp parallel for\n    for i in range(n):\n        if i > 5:\n            break\n        if i > 3:\n            return i\n    return 0\n"
);

snapshot!(
    parallel_objects,
    "import numpy as np\n\n#export f(int)\ndef f(n):\n    #omp parallel for\n    for i in range(n):\n        t = np.zeros(3)\n    return n\n"
);

snapshot!(parallel_unknown_clause, "#export f(int)\ndef f(n):\n    #omp parallel for nowait(1)\n    for i in range(n):\n        pass\n    return n\n");

snapshot!(
    parallel_not_range,
    "#export f(float64[:])\ndef f(a):\n    s = 0.0\n    #omp parallel for\n    for x in a:\n        s = x\n    return s\n"
);

snapshot!(
    self_containing_return_type,
    "def grow(x):\n    return grow(x), x\n\n#export f(int)\ndef f(n):\n    return grow(n)\n"
);

snapshot!(
    array_truth_in_expression,
    "#export f(float64[:])\ndef f(a):\n    return 1 if not a else 2\n"
);

snapshot!(
    bare_raise_outside_except,
    "#export f(int)\ndef f(n):\n    if n < 0:\n        raise\n    return n\n"
);

snapshot!(
    try_in_parallel_loop,
    "#export f(float64[:])\ndef f(a):\n    s = 0.0\n    #omp parallel for reduction(+:s)\n    for i in range(len(a)):\n        try:\n            s += a[i]\n        except:\n            pass\n    return s\n"
);

snapshot!(
    break_outside_loop,
    "#export f(int)\ndef f(n):\n    if n:\n        break\n    return n\n"
);

snapshot!(
    complex_reduction,
    "#export f(complex128[:])\ndef f(a):\n    s = 0j\n    #omp parallel for reduction(+:s)\n    for i in range(len(a)):\n        s += a[i]\n    return s\n"
);

snapshot!(default_of_another_type, "#export f(float, float?)\ndef f(x, a=\"2\"):\n    return x\n");

snapshot!(
    float_chunk_size,
    "#export f(float64[:])\ndef f(a):\n    #omp parallel for schedule(dynamic, 1.5)\n    for i in range(len(a)):\n        a[i] = 0.0\n"
);

snapshot!(
    generator_stored,
    "#export f(int list)\ndef f(xs):\n    g = (x > 0 for x in xs)\n    return any(g)\n"
);

snapshot!(
    lambda_closure_over_loop_variable,
    "#export f(object)\ndef f(d):\n    keys = []\n    for n in range(3):\n        keys.append(lambda k: d[k] * n)\n    return keys\n"
);

snapshot!(
    for_over_tuple_of_mixed_types,
    "#export f(int, float)\ndef f(i, x):\n    for v in (1, x):\n        i += v\n    return i\n"
);

snapshot!(
    tuple_of_mixed_types_indexed_by_variable,
    "#export f(int, float)\ndef f(i, x):\n    t = (1, x)\n    return t[i] * 2\n"
);

snapshot!(
    tuple_index_not_an_integer,
    "#export f(float)\ndef f(x):\n    t = (1, 2)\n    return t[x]\n"
);

// One mistake, one error: not once more for the C-contiguous version of the function, and no
// "read before assigned" (nor "cannot infer what f returns") for the variable it was assigned to.
snapshot!(
    one_error_per_mistake,
    "#export f(float64[:])\ndef f(a):\n    c = a + (1, 2)\n    return c\n"
);

snapshot!(identity_of_native_numbers, "#export f(float, float)\ndef f(x, y):\n    return x is y\n");

snapshot!(misspelled_math_function, "import math\nfrom cmath import phaze\n\n#export f(float)\ndef f(x):\n    return math.sqrtt(x)\n");

snapshot!(capsule_export_skipped, "#pythran export capsule raw(float)\n#pythran export f(int,\n#                 flaot)\ndef f(a, b):\n    return a\n\ndef raw(x):\n    return x\n");

snapshot!(capsule_export_warning, "#pythran export capsule raw(float)\n#pythran export f(int)\ndef f(a):\n    return a\n\ndef raw(x):\n    return x\n");

snapshot!(
    omp_construct_not_supported,
    "#export f(float64[:])\ndef f(a):\n    s = 0.0\n    #omp parallel for reduction(+:s)\n    for i in range(len(a)):\n        #omp single\n        s += a[i]\n    return s\n"
);

snapshot!(
    omp_atomic_on_an_assignment,
    "#export f(float64[:])\ndef f(a):\n    #omp parallel for\n    for i in range(len(a)):\n        #omp atomic\n        a[i] = 2.0\n"
);

snapshot!(
    omp_atomic_float_into_int_array,
    "#export f(int64[:], float64[:])\ndef f(c, w):\n    #omp parallel for\n    for i in range(len(w)):\n        #omp atomic\n        c[0] += w[i]\n"
);

snapshot!(
    omp_collapse_triangular,
    "#export f(float64[:, :])\ndef f(a):\n    #omp parallel for collapse(2)\n    for i in range(a.shape[0]):\n        for j in range(i):\n            a[i, j] = 0.0\n"
);

// Diagnostics that used to mislead (issue 22): each names what the user wrote and its fix.

snapshot!(mutable_default, "#export f(float)\ndef f(x, opts=[]):\n    return x\n");

snapshot!(
    star_args_callee,
    "def g(*args):\n    return len(args)\n\n#export f(float)\ndef f(x):\n    return g(x, x)\n"
);

snapshot!(
    class_of_the_module,
    "#export f(float)\ndef f(x):\n    class P:\n        pass\n    return x\n"
);

snapshot!(
    async_function_called,
    "async def g(x):\n    return x\n\n#export f(float)\ndef f(x):\n    return g(x)\n"
);

snapshot!(
    native_function_uses_a_list,
    "# pyaot: native\n#export f(float64[:])\ndef f(x):\n    seen = []\n    s = 0.0\n    for v in x:\n        s += v\n        seen.append(v)\n    return s\n"
);

snapshot!(
    native_module_value,
    "import json\nLIMIT = json.loads('1.5')\n\n# pyaot: native\n#export f(float64[:])\ndef f(x):\n    s = 0.0\n    for v in x:\n        if v < LIMIT:\n            s += v\n    return s\n"
);

snapshot!(
    native_passes,
    "import math\n# pyaot: native\n#export f(float64[:])\ndef f(x):\n    best = math.inf\n    for v in x:\n        best = min(best, v)\n    return best\n"
);
