//! Limits on what one run may ask for: large enough for any real study, small enough that a typo
//! (a size of 2^64 - 1) is refused with a clear message instead of exhausting memory or time.

/// Subjects in one simulated trial (controls and patients together).
pub const MAX_SUBJECTS: usize = 10_000_000;

/// Measures (regions) in one scenario.
pub const MAX_MEASURES: usize = 1_000;

/// Simulated trials per size in one run.
pub const MAX_REPS: u64 = 1_000_000_000;

/// Points of a grid of sizes.
pub const MAX_GRID: usize = 10_000;

/// Memory one trial's subject-level data may need, in bytes (checked before drawing).
pub const MAX_TRIAL_BYTES: usize = 2 << 30;

/// Arms in one scenario.
pub const MAX_ARMS: usize = 1_000;

/// Largest magnitude of a mean, SD or effect in a measure's or score's unit. Squares of values
/// this large summed over `MAX_SUBJECTS` subjects stay far below `f64::MAX`, so no variance or
/// sum of squares overflows (a unit change brings any real study far below it).
pub const MAX_MAGNITUDE: f64 = 1e100;

/// Smallest ratio of a between-subject SD to its mean: below it the spread is lost in the rounding
/// of the mean (f64 carries about 16 significant digits), and every variance would be rounding noise.
pub const MIN_SD_TO_MEAN: f64 = 1e-9;

/// Cross-validation repeats of a prediction family.
pub const MAX_CV_REPEATS: usize = 1_000;
