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
print('sqrt(2/pi)', c)


def sig(t):
    return 1 / (1 + exp(-t))


def minimax_k():
    def es(x, k):
        return sig(k * x) - Phi(x)

    def des(x, k):
        s = sig(k * x)
        return s * (1 - s) * k - exp(-x**2 / 2) / sqrt(2 * pi)

    def g(k):
        x1 = root(lambda x: des(x, k), '0.57')
        x2 = root(lambda x: des(x, k), '2.04')
        return es(x1, k) + es(x2, k)
    return root(g, '1.70')


print('minimax k (phi)', minimax_k())

mp.dps = 40
from mpmath import quad


def ls_a(L):
    def F(b):
        def integrand(x):
            s = (1 + tanh(c * (x + b * x**3))) / 2
            return (s - Phi(x)) * 2 * s * (1 - s) * c * x**3
        return quad(integrand, [0, 1.5, 3] if L == 3 else [0, 1.5, 3, 4.5, 6, 9, 12])
    return findroot(F, mpf('0.0448'), tol=mpf(10) ** -60, verify=False)


print('least-squares a (phi, all reals)', ls_a(12))
print('least-squares a (phi, [-3, 3])', ls_a(3))
