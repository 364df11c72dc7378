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
