//! Random-number streams.
//!
//! Every replicate draws from generators that depend only on (master seed, replicate index, stream
//! id), never on which thread ran it, so results are identical with any number of threads or shards.
//! Each group of subjects has its own stream so that a larger cohort extends a smaller one subject by
//! subject (common random numbers across sample sizes), and other purposes (allocation, fold
//! shuffles) have theirs so adding an analysis never changes the simulated data.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator used for every draw. Named explicitly because `StdRng` is not value-stable.
pub type TrialRng = Xoshiro256PlusPlus;

/// Human-readable description of the generator, recorded in every result file.
pub const GENERATOR: &str = "xoshiro256++ (rand_xoshiro 0.8), one stream per (seed, replicate, stream id) \
keyed by SplitMix64; normals by rand_distr 0.6 ziggurat";

/// Stream id of the control group.
pub const STREAM_CONTROLS: u64 = 0;
/// Stream id of arm k is `STREAM_ARM0 + k`.
pub const STREAM_ARM0: u64 = 1;
/// Stream id of simple-randomisation allocation draws.
pub const STREAM_ALLOCATION: u64 = 1 << 32;
/// Stream id of arm k's per-visit draws (rating errors, monotone dropout) is `STREAM_VISITS + k`;
/// used only by scenarios that have them, so other scenarios' draws are unchanged.
pub const STREAM_VISITS: u64 = 1 << 33;
/// Stream id of cross-validation fold assignment.
pub const STREAM_FOLDS: u64 = (1 << 32) + 1;

/// SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mix.
#[inline]
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator for one (seed, replicate, stream).
///
/// ```
/// use rand::RngExt;
/// let a: u64 = trialsim::rng::stream(7, 3, 0).random();
/// let b: u64 = trialsim::rng::stream(7, 3, 0).random();
/// let c: u64 = trialsim::rng::stream(7, 4, 0).random();
/// assert_eq!(a, b);
/// assert_ne!(a, c);
/// ```
pub fn stream(seed: u64, replicate: u64, stream: u64) -> TrialRng {
    let key = splitmix64(splitmix64(splitmix64(seed) ^ replicate) ^ stream.rotate_left(17));
    TrialRng::seed_from_u64(key)
}

/// A stream id derived from a name (FNV-1a, then SplitMix64), so that a family's random numbers do
/// not depend on its position in the plan.
///
/// ```
/// assert_eq!(trialsim::rng::name_stream(7, "prediction"), trialsim::rng::name_stream(7, "prediction"));
/// assert_ne!(trialsim::rng::name_stream(7, "a"), trialsim::rng::name_stream(7, "b"));
/// ```
pub fn name_stream(base: u64, name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }
    base ^ splitmix64(h)
}

/// Chi-squared(k) draws, bit for bit those of `rand_distr::ChiSquared` (the same Marsaglia-Tsang
/// steps on the same normal and uniform draws; test `chi_squared_is_rand_distr_bit_for_bit`), with
/// the steps inlined: the summary path draws one per region and group in every trial, and the
/// library's nested dispatch was a fifth of the peer trial's cost.
#[derive(Debug, Clone, Copy)]
pub enum ChiSquared {
    /// k > 2: gamma shape k/2 > 1, Marsaglia & Tsang (2000) with d = k/2 - 1/3, c = 1/sqrt(9d).
    Large {
        /// Shape minus 1/3.
        d: f64,
        /// 1 / sqrt(9 d).
        c: f64,
    },
    /// k <= 2: the library's own draw.
    Other(rand_distr::ChiSquared<f64>),
}

impl ChiSquared {
    /// The law chi^2(k), k > 0.
    ///
    /// ```
    /// let x = trialsim::rng::ChiSquared::new(10.0).sample(&mut trialsim::rng::stream(1, 0, 0));
    /// assert!(x > 0.0);
    /// ```
    pub fn new(k: f64) -> Self {
        if k > 2.0 {
            let d = 0.5 * k - 1.0 / 3.0;
            ChiSquared::Large {
                d,
                c: 1.0 / (9.0 * d).sqrt(),
            }
        } else {
            ChiSquared::Other(rand_distr::ChiSquared::new(k).expect("k > 0"))
        }
    }

    /// One draw.
    #[inline(always)] // a call per draw costs the summary path a tenth of its time
    pub fn sample(&self, g: &mut TrialRng) -> f64 {
        use rand::RngExt;
        use rand_distr::{Distribution, Open01, StandardNormal};
        match *self {
            ChiSquared::Large { d, c } => loop {
                let x: f64 = g.sample(StandardNormal);
                let v_cbrt = 1.0 + c * x;
                if v_cbrt <= 0.0 {
                    continue;
                }
                let v = v_cbrt * v_cbrt * v_cbrt;
                let u: f64 = g.sample(Open01);
                let x_sqr = x * x;
                if u < 1.0 - 0.0331 * x_sqr * x_sqr || u.ln() < 0.5 * x_sqr + d * (1.0 - v + v.ln())
                {
                    return v * (d * 2.0);
                }
            },
            ChiSquared::Other(x) => x.sample(g),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi_squared_is_rand_distr_bit_for_bit() {
        use rand_distr::Distribution;
        for k in [0.5, 1.0, 2.0, 2.5, 3.0, 5.0, 11.0, 48.0, 49.0, 1000.0] {
            let ours = ChiSquared::new(k);
            let lib = rand_distr::ChiSquared::new(k).unwrap();
            let (mut a, mut b) = (stream(9, k as u64, 0), stream(9, k as u64, 0));
            for _ in 0..20_000 {
                assert_eq!(
                    ours.sample(&mut a).to_bits(),
                    lib.sample(&mut b).to_bits(),
                    "k = {k}"
                );
            }
        }
    }
}
