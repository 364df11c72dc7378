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
