"""Independent reference values for packages/verify/test/constants, from mpmath (not decimal.js).

Run: python3 tools/constants/crosscheck/mpmath_values.py   (mpmath 1.3.0; 60 working digits)
The tests quote these printed values; rerun this script to re-derive them.
"""
from mpmath import mp, mpf, sqrt, pi, tanh, erfc, exp, findroot

mp.dps = 60
c = sqrt(2 / pi)


def Phi(x):
    return erfc(-x / sqrt(2)) / 2


def T(x, a):
    return (1 + tanh(c * (x + a * x**3))) / 2


def e(x, a):
    return T(x, a) - Phi(x)


def de(x, a):
    return (1 - tanh(c * (x + a * x**3)) ** 2) / 2 * c * (1 + 3 * a * x**2) - exp(-x**2 / 2) / sqrt(2 * pi)


def root(f, x0):
    return findroot(f, mpf(x0), tol=mpf(10) ** -100, verify=False)


a = mpf('0.044715')
print('Phi(1)', Phi(mpf(1)))
print('Phi(-3)', Phi(mpf(-3)))
x = root(lambda x: de(x, a), '2.59')
print('tanh phi-error argmax', x, 'value', e(x, a))
x = root(lambda x: de(x, a), '1.24')
print('tanh phi-error second extremum', x, 'value', e(x, a))
x = root(lambda x: e(x, a) + x * de(x, a), '2.7')
print('tanh gelu-error argmax', x, 'value', x * e(x, a))


def minimax_a():
    def g(b):
        x1 = root(lambda x: de(x, b), '1.24')
        x2 = root(lambda x: de(x, b), '2.59')
        return e(x1, b) + e(x2, b)
    return root(g, '0.0447')


print('minimax a (phi)', minimax_a())
print('taylor a', 2 / (3 * pi) - mpf(1) / 6)
