//! `round(x, n)` for the digit counts compiled code cannot scale exactly: CPython rounds the
//! exact binary value of `x` to `n` decimal places (half to even) and reads the decimal back
//! correctly rounded. Compiled code does that inline for |n| <= 22, where 10**|n| is a float
//! (codegen's `round`); beyond, it calls here. core's float formatting with a precision is
//! exact (ties to even) and its parsing correctly rounded, so no big-number code of our own is
//! needed for n > 0; for n < 0 the digits of the integer `x` are rounded as a string.

/// A byte buffer that `core::fmt` writes into: 309 integer digits, a sign, a point and up to
/// 323 decimals fit (CPython returns `x` itself beyond 323 decimals).
struct Digits {
    bytes: [u8; 700],
    len: usize,
}

impl core::fmt::Write for Digits {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len + s.len();
        if end > self.bytes.len() {
            return Err(core::fmt::Error);
        }
        self.bytes[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl Digits {
    fn new() -> Self {
        Digits { bytes: [0; 700], len: 0 }
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits, signs, points and exponents are ever written.
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

/// `round(x, n)` for finite, nonzero `x` and -308 <= n <= 323 (codegen settles the rest).
/// Sets `*overflow` when the rounded value is beyond the float range (CPython's OverflowError
/// "rounded value too large to represent").
///
/// # Safety
/// `overflow` must be writable.
#[no_mangle]
pub unsafe extern "C" fn pyaot_rt_round_digits(x: f64, n: i64, overflow: *mut bool) -> f64 {
    use core::fmt::Write;
    let mut out = Digits::new();
    let rounded = if n >= 0 {
        if write!(out, "{:.*}", n as usize, x).is_err() {
            return x;
        }
        out.as_str().parse::<f64>().unwrap_or(x)
    } else {
        round_integer_digits(x, (-n) as usize, &mut out)
    };
    if rounded.is_infinite() {
        *overflow = true;
    }
    rounded
}

/// Rounds `x` half to even at 10**k. Below 2**52 every float this function is asked about
/// (k > 22) rounds to zero; above it `x` is an integer, whose exact digits core prints.
fn round_integer_digits(x: f64, k: usize, out: &mut Digits) -> f64 {
    use core::fmt::Write;
    let mut digits = Digits::new();
    if write!(digits, "{:.0}", x.abs()).is_err() {
        return x;
    }
    let all = &digits.bytes[..digits.len];
    if all.len() < k {
        return 0.0 * x;
    }
    let (kept, dropped) = all.split_at(all.len() - k);
    let last_kept_odd = kept.last().is_some_and(|d| (d - b'0') % 2 == 1);
    let up = match dropped[0] {
        b'6'..=b'9' => true,
        b'5' => dropped[1..].iter().any(|&d| d != b'0') || last_kept_odd,
        _ => false,
    };
    // The kept digits plus one where rounding goes up, carried by hand.
    let mut value = [0u8; 700];
    let mut len = kept.len();
    value[..len].copy_from_slice(kept);
    if up {
        let mut at = len;
        loop {
            if at == 0 {
                value.copy_within(0..len, 1);
                value[0] = b'1';
                len += 1;
                break;
            }
            at -= 1;
            if value[at] == b'9' {
                value[at] = b'0';
            } else {
                value[at] += 1;
                break;
            }
        }
    }
    if len == 0 {
        return 0.0 * x;
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let kept = core::str::from_utf8(&value[..len]).unwrap_or("0");
    if write!(out, "{sign}{kept}e{k}").is_err() {
        return x;
    }
    out.as_str().parse::<f64>().unwrap_or(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(x: f64, n: i64) -> (f64, bool) {
        let mut overflow = false;
        let r = unsafe { pyaot_rt_round_digits(x, n, &mut overflow) };
        (r, overflow)
    }

    #[test]
    fn rounds_like_cpython() {
        // Values from CPython 3.11.
        assert_eq!(round(2.675, 2), (2.67, false));
        assert_eq!(round(1.23456789e-25, 30), (1.23457e-25, false));
        assert_eq!(round(0.5, 0), (0.0, false));
        assert_eq!(round(1.5, 0), (2.0, false));
        assert_eq!(round(1.5e23, -23), (2e23, false));
        assert_eq!(round(2.5e23, -23), (2e23, false));
        assert_eq!(round(-3.4e30, -30), (-3e30, false));
        assert_eq!(round(4e22, -23), (0.0, false));
        assert_eq!(round(9.9e25, -25), (1e26, false));
        assert_eq!(round(1.797e308, -308), (f64::INFINITY, true));
    }
}
