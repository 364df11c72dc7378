//! One-dimensional numerical integration: adaptive Simpson with Richardson extrapolation
//! (Lyness 1969), for the smooth integrands of the planning statistics (power averaged over a
//! prior, TOST power over the sample SD).

/// An integral's value and an estimate of its absolute error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Integral {
    /// The extrapolated integral.
    pub value: f64,
    /// Sum over the accepted intervals of |S2 - S1| / 15 (the usual Simpson error estimate).
    pub error: f64,
    /// Whether every interval met its tolerance before the depth limit.
    pub converged: bool,
}

/// Maximum bisection depth: 2^-50 of the interval is below any useful resolution.
const MAX_DEPTH: u32 = 50;

/// Integral of `f` over `[a, b]` to absolute tolerance `tol` by adaptive Simpson. The interval is
/// first cut into 16 panels so that a narrow feature is not missed by the first coarse estimate.
///
/// ```
/// use trialsim::stats::quad::integrate;
/// // integral of exp over [0, 1] = e - 1
/// let r = integrate(|x: f64| x.exp(), 0.0, 1.0, 1e-13);
/// assert!((r.value - (std::f64::consts::E - 1.0)).abs() < 1e-13);
/// ```
pub fn integrate<F: Fn(f64) -> f64>(f: F, a: f64, b: f64, tol: f64) -> Integral {
    let panels = 16;
    let h = (b - a) / panels as f64;
    let mut out = Integral {
        value: 0.0,
        error: 0.0,
        converged: true,
    };
    for k in 0..panels {
        let (l, r) = (
            a + k as f64 * h,
            if k + 1 == panels {
                b
            } else {
                a + (k + 1) as f64 * h
            },
        );
        let m = 0.5 * (l + r);
        let (fl, fm, fr) = (f(l), f(m), f(r));
        let whole = (r - l) / 6.0 * (fl + 4.0 * fm + fr);
        step(
            &f,
            l,
            r,
            fl,
            fm,
            fr,
            whole,
            tol / panels as f64,
            MAX_DEPTH,
            &mut out,
        );
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn step<F: Fn(f64) -> f64>(
    f: &F,
    a: f64,
    b: f64,
    fa: f64,
    fm: f64,
    fb: f64,
    whole: f64,
    tol: f64,
    depth: u32,
    out: &mut Integral,
) {
    let m = 0.5 * (a + b);
    let (lm, rm) = (0.5 * (a + m), 0.5 * (m + b));
    let (flm, frm) = (f(lm), f(rm));
    let left = (m - a) / 6.0 * (fa + 4.0 * flm + fm);
    let right = (b - m) / 6.0 * (fm + 4.0 * frm + fb);
    let diff = left + right - whole;
    if depth == 0 || diff.abs() <= 15.0 * tol || !diff.is_finite() {
        if depth == 0 || !diff.is_finite() {
            out.converged = false;
        }
        out.value += left + right + diff / 15.0;
        out.error += diff.abs() / 15.0;
        return;
    }
    step(f, a, m, fa, flm, fm, left, 0.5 * tol, depth - 1, out);
    step(f, m, b, fm, frm, fb, right, 0.5 * tol, depth - 1, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_forms() {
        // Normal density over [-3, 2]: Phi(2) - Phi(-3); scipy.stats.norm.cdf(2) - norm.cdf(-3)
        // = 0.9758999700201907 (SciPy 1.17.1).
        let phi = |x: f64| (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let r = integrate(phi, -3.0, 2.0, 1e-13);
        assert!((r.value - 0.9758999700201907).abs() < 1e-13, "{}", r.value);
        assert!(r.error < 1e-13);
        assert!(r.converged);
        // sqrt(x) over [0, 1] = 2/3: infinite derivative at 0, still converges.
        let r = integrate(f64::sqrt, 0.0, 1.0, 1e-10);
        assert!((r.value - 2.0 / 3.0).abs() < 1e-9, "{}", r.value);
        // x^4 over [-1, 2] = (32 + 1) / 5
        let r = integrate(|x: f64| x.powi(4), -1.0, 2.0, 1e-12);
        assert!((r.value - 6.6).abs() < 1e-11);
    }

    #[test]
    fn non_finite_integrand_is_flagged() {
        let r = integrate(|x: f64| 1.0 / x, 0.0, 1.0, 1e-10);
        assert!(!r.converged);
    }
}
