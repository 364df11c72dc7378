//! The summary path: draw each group's sufficient statistics instead of its subjects.
//!
//! When every analysis in the plan depends on the data only through group means and the
//! within-group scatter matrix (t-tests, ANCOVA, complete data), those statistics can be drawn
//! directly: for n independent N(m, S) vectors the mean is N(m, S/n) and the scatter matrix
//! sum (x - mean)(x - mean)' is Wishart(n - 1, S), independently. The Wishart is drawn by the
//! Bartlett decomposition W = L A A' L' (L L' = S; A lower triangular with A_ii^2 ~ chi^2(n - 1 - i)
//! and standard normal entries below the diagonal; Bartlett 1933, Smith & Hocking 1972). The cost
//! is O(d^3) per group instead of O(n d). With fewer subjects than dimensions the scatter matrix is
//! singular and is drawn as the sum of n - 1 outer products instead, which is just as exact.
//!
//! When a group's vector holds baseline scans only and the regions' correlation is exchangeable
//! (rho >= 0), its covariance is one common factor plus independent parts, S = a a' + diag(b^2)
//! (a_i = sd_i sqrt(rho), b_i^2 = sd_i^2 (1 - rho) + e_i^2), and the analyses read only the
//! scatter's diagonal. Then (see [`SummaryDraw`]'s factor draw) the diagonal is drawn exactly from
//! one chi^2(n - 1) for the common factor and, per region, one normal and one chi^2(n - 2):
//! O(d) draws instead of O(d^2), with the same joint law as the Bartlett draw.
//!
//! A crossover's families read only each sequence's half period differences, whose law is normal
//! with the true baseline cancelled (see `GroupModel::crossover_sequence`); its complete cases are
//! counted first (dropout and failed scans do not depend on the values).
//!
//! The observed vector of a patient in arm a is (baseline scan, observed change) with
//! mean (mu + delta, kappa) and covariance
//! - var(baseline) = D_sigma C_b D_sigma + diag(e^2) (sigma_p, the patients' SDs, for patients)
//! - var(change) = D_tau C_c D_tau + 2 diag(e^2)
//! - cov(baseline, change) = D_sigma C_bc D_tau - diag(e^2) (the baseline scan's error enters both).

use crate::rng::{self, ChiSquared, TrialRng};
use crate::scenario::{Allocation, DesignKind, FamilyKind, Scenario, Sizes};
use crate::stats::moments::{BiSummary, Summary};
use rand::RngExt;
use rand_distr::StandardNormal;

/// Why the summary path cannot reproduce the subject-level model exactly for a scenario, if it
/// cannot.
pub fn ineligible(s: &Scenario) -> Option<String> {
    if s.design_kind == DesignKind::Crossover {
        // Half period differences are the whole data of a crossover family; failed scans and
        // dropout remove subjects independently of their values (drawn as a count).
        return s
            .families
            .iter()
            .find(|f| {
                f.kind != FamilyKind::Crossover || f.test == crate::scenario::TestKind::Wilcoxon
            })
            .map(|f| {
                format!(
                    "family '{}' ({:?}, {:?}) needs subject-level data",
                    f.name, f.kind, f.test
                )
            });
    }
    if s.allocation == Allocation::Logistic {
        return Some("allocation depends on patient characteristics".into());
    }
    if s.scan_failure > 0.0 {
        return Some("scans can fail (missing values)".into());
    }
    if s.arms
        .iter()
        .any(|a| a.dropout > 0.0 || a.dropout_per_visit.iter().any(|&p| p > 0.0))
        || (s.rescan_controls && s.control_dropout > 0.0)
    {
        return Some("subjects drop out (missing values)".into());
    }
    for f in &s.families {
        if f.test == crate::scenario::TestKind::Wilcoxon {
            return Some(format!(
                "family '{}' uses the Wilcoxon test, which needs the subjects' values (ranks)",
                f.name
            ));
        }
        match f.kind {
            FamilyKind::BaselineDifference
            | FamilyKind::ArmChange
            | FamilyKind::WithinArmChange => {}
            _ => {
                return Some(format!(
                    "family '{}' ({:?}) needs subject-level data (symptom scores, ranks or prediction)",
                    f.name, f.kind
                ));
            }
        }
    }
    None
}

/// Per-scenario constants of the summary path: mean and Cholesky factor of each group's observed
/// vector.
#[derive(Debug, Clone)]
pub struct SummaryModel {
    d_arm: usize,
    /// A crossover: each arm's group is the sequence that starts with it, its vector the half
    /// period differences, its size the subjects with both periods observed.
    crossover: bool,
    control: GroupModel,
    arms: Vec<GroupModel>,
}

/// Mean, Cholesky factor and (when it applies) one-factor form of a group's observed vector.
#[derive(Debug, Clone)]
struct GroupModel {
    mean: Vec<f64>,
    chol: Vec<f64>,
    factor: Option<Factor>,
}

/// Covariance a a' + diag(b^2) of a baseline-only vector under exchangeable correlation.
#[derive(Debug, Clone)]
struct Factor {
    a: Vec<f64>,
    b: Vec<f64>,
}

impl GroupModel {
    /// The controls' first scans: mean `mu`, covariance `D_sigma C_b D_sigma + diag(e^2)`; `None`
    /// when that is singular.
    fn controls(s: &Scenario) -> Option<Self> {
        let r = s.n_regions();
        let e2: Vec<f64> = s.regions.iter().map(|g| g.meas_sd * g.meas_sd).collect();
        Some(GroupModel {
            mean: s.regions.iter().map(|g| g.mu).collect(),
            chol: crate::stats::linalg::cholesky(&baseline_cov(s, |g| g.sigma), r)?,
            factor: exchangeable(&s.baseline_corr, r)
                .map(|rho| factor(rho, s.regions.iter().map(|g| g.sigma), &e2)),
        })
    }

    /// Half period differences `(period 1 - period 2) / 2` of the sequence that starts with arm
    /// `k` (the other arm `o` second): with each arm's effect `kappa_a + tau_a (C_c)^(1/2) z_a`
    /// drawn independently and the true baseline cancelling, the mean is
    /// `(kappa_k - kappa_o - period - carryover_k) / 2` and the covariance
    /// `(D_tau_k C_c D_tau_k + D_tau_o C_c D_tau_o) / 4 + diag(e^2) / 2`; `None` when singular.
    fn crossover_sequence(s: &Scenario, k: usize) -> Option<Self> {
        let r = s.n_regions();
        let (a, o) = (&s.arms[k], &s.arms[1 - k]);
        let mean = (0..r)
            .map(|j| (a.kappa[j] - o.kappa[j] - s.period_effect[j] - a.carryover[j]) / 2.0)
            .collect();
        let mut cov = vec![0.0; r * r];
        let dj = 2 * r + 1;
        for i in 0..r {
            for j in 0..r {
                // The joint correlation's change block is the between-region change correlation.
                let c = a.joint[(r + i) * dj + r + j];
                cov[i * r + j] = (a.tau[i] * a.tau[j] * c + o.tau[i] * o.tau[j] * c) / 4.0
                    + if i == j {
                        s.regions[i].meas_sd * s.regions[i].meas_sd / 2.0
                    } else {
                        0.0
                    };
            }
        }
        Some(GroupModel {
            mean,
            chol: crate::stats::linalg::cholesky(&cov, r)?,
            factor: None,
        })
    }
}

/// Covariance of one subject's first scans, `D_sd C_b D_sd + diag(e^2)`, with each region's
/// between-subject SD from `sd` (controls' or patients').
fn baseline_cov(s: &Scenario, sd: impl Fn(&crate::scenario::Region) -> f64) -> Vec<f64> {
    let r = s.n_regions();
    let mut cov = vec![0.0; r * r];
    for (i, gi) in s.regions.iter().enumerate() {
        for (j, gj) in s.regions.iter().enumerate() {
            let e2 = if i == j { gi.meas_sd * gi.meas_sd } else { 0.0 };
            cov[i * r + j] = sd(gi) * sd(gj) * s.baseline_corr[i * r + j] + e2;
        }
    }
    cov
}

/// The common correlation rho >= 0 when the R x R correlation matrix is exchangeable (every
/// off-diagonal entry equal to it); 0 for one region.
fn exchangeable(corr: &[f64], r: usize) -> Option<f64> {
    let rho = if r > 1 { corr[1] } else { 0.0 };
    let all_equal = (0..r).all(|i| (0..r).all(|j| i == j || corr[i * r + j] == rho));
    (all_equal && (0.0..1.0).contains(&rho)).then_some(rho)
}

/// The one-factor form of a baseline vector with SDs `sd`, measurement-error variances `e2`.
fn factor(rho: f64, sd: impl Iterator<Item = f64>, e2: &[f64]) -> Factor {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (s, e2) in sd.zip(e2) {
        a.push(s * rho.sqrt());
        b.push((s * s * (1.0 - rho) + e2).sqrt());
    }
    Factor { a, b }
}

impl SummaryModel {
    /// Constants for the scenario, or why the summary path does not apply.
    pub fn new(s: &Scenario) -> Result<Self, String> {
        if let Some(why) = ineligible(s) {
            return Err(why);
        }
        let r = s.n_regions();
        let singular = || "a group's covariance is singular".to_string();
        if s.design_kind == DesignKind::Crossover {
            return Ok(SummaryModel {
                d_arm: r,
                crossover: true,
                control: GroupModel::controls(s).ok_or_else(singular)?,
                arms: (0..s.arms.len())
                    .map(|k| GroupModel::crossover_sequence(s, k).ok_or_else(singular))
                    .collect::<Result<_, _>>()?,
            });
        }
        let with_change = s
            .families
            .iter()
            .any(|f| matches!(f.kind, FamilyKind::ArmChange | FamilyKind::WithinArmChange));
        let d_arm = if with_change { 2 * r } else { r };
        let e2: Vec<f64> = s.regions.iter().map(|g| g.meas_sd * g.meas_sd).collect();
        let chol = |m: &[f64], d: usize| crate::stats::linalg::cholesky(m, d).ok_or_else(singular);
        let rho = exchangeable(&s.baseline_corr, r);
        let control = GroupModel::controls(s).ok_or_else(singular)?;
        let dj = 2 * r + 1;
        let kept: Vec<usize> = (0..d_arm).collect();
        let mut arms = Vec::new();
        for arm in &s.arms {
            let mut mean: Vec<f64> = s.regions.iter().map(|g| g.mu + g.delta).collect();
            if with_change {
                mean.extend_from_slice(&arm.kappa);
            }
            // One patient's (baseline scans, observed changes); patients' true baselines have
            // their own between-subject SDs (sigma_p).
            let cov = crate::stats::linalg::submatrix(
                &crate::scenario::observed_cov(&s.regions, arm),
                dj,
                &kept,
            );
            // A zero-variance change (tau = 0, no measurement error) makes the matrix singular;
            // such a region's change is a constant and the subject path is the honest one.
            arms.push(GroupModel {
                mean,
                chol: chol(&cov, d_arm)?,
                factor: rho
                    .filter(|_| !with_change)
                    .map(|rho| factor(rho, s.regions.iter().map(|g| g.sigma_patients), &e2)),
            });
        }
        Ok(SummaryModel {
            d_arm,
            crossover: false,
            control,
            arms,
        })
    }
}

/// The controls' sufficient statistics for a scenario analysed at subject level otherwise: when
/// the controls enter the analyses only through their baseline scans' means and variances
/// (t-tests of baseline differences), they are drawn as statistics while the patients are drawn
/// subject by subject. A failed scan removes a control from those statistics; the number of
/// usable scans is drawn first (one uniform per control, as the subject path decides failures).
#[derive(Debug, Clone)]
pub struct ControlsModel {
    group: GroupModel,
    scan_failure: f64,
}

impl ControlsModel {
    /// The model, or `None` when some analysis reads the controls' individual values (ranks,
    /// rescans) or the design has no separate controls.
    pub fn new(s: &Scenario) -> Option<Self> {
        if s.design_kind != DesignKind::Parallel || s.rescan_controls {
            return None;
        }
        let ranks_controls = s.families.iter().any(|f| {
            f.kind == FamilyKind::BaselineDifference
                && f.test == crate::scenario::TestKind::Wilcoxon
        });
        if ranks_controls {
            return None;
        }
        Some(ControlsModel {
            group: GroupModel::controls(s)?,
            scan_failure: s.scan_failure,
        })
    }
}

/// Sufficient statistics of one group.
#[derive(Debug, Clone, Default)]
pub struct GroupStats {
    /// Subjects.
    pub n: usize,
    /// Mean vector.
    pub mean: Vec<f64>,
    /// Scatter matrix (sum of outer products of deviations), d x d. On the Bartlett path only the
    /// entries the analyses read are formed: the diagonal and, when the vector holds changes, the
    /// baseline-change pairs (r, R + r); the others are left 0.
    pub scatter: Vec<f64>,
}

/// Drawn sufficient statistics of one simulated trial.
#[derive(Debug, Clone, Default)]
pub struct SummaryDraw {
    /// Regions.
    pub n_regions: usize,
    /// Dimension of an arm's vector (R, or 2R with change).
    pub d_arm: usize,
    /// Controls (baseline scans).
    pub controls: GroupStats,
    /// Arms (baseline scans, then observed changes).
    pub arms: Vec<GroupStats>,
    z: Vec<f64>,
    a: Vec<f64>,
    b: Vec<f64>,
}

impl SummaryDraw {
    /// Draw replicate `replicate` (each group from its own stream, as the subject path).
    pub fn draw(
        &mut self,
        s: &Scenario,
        m: &SummaryModel,
        sizes: &Sizes,
        seed: u64,
        replicate: u64,
    ) {
        let r = s.n_regions();
        self.n_regions = r;
        self.d_arm = m.d_arm;
        let drawn;
        let counts = match s.allocation {
            Allocation::Simple => {
                let ratios: Vec<f64> = s.arms.iter().map(|a| a.ratio).collect();
                let mut g = rng::stream(seed, replicate, rng::STREAM_ALLOCATION);
                drawn = crate::model::simple_allocation(&mut g, sizes.patients(), &ratios);
                &drawn
            }
            _ => &sizes.arms,
        };
        let mut g = rng::stream(seed, replicate, rng::STREAM_CONTROLS);
        let mut controls = std::mem::take(&mut self.controls);
        self.group(&mut g, sizes.controls, &m.control, r, &mut controls);
        self.controls = controls;
        self.arms.resize_with(s.arms.len(), GroupStats::default);
        for (k, n) in counts.iter().enumerate() {
            let mut g = rng::stream(seed, replicate, rng::STREAM_ARM0 + k as u64);
            let mut st = std::mem::take(&mut self.arms[k]);
            let n = if m.crossover {
                // Complete cases: not dropped out, neither scan failed (independent of values).
                let (drop, fail) = (s.arms[k].dropout, s.scan_failure);
                (0..*n)
                    .filter(|_| {
                        let dropped = g.random::<f64>() < drop;
                        let fail0 = g.random::<f64>() < fail;
                        let fail1 = g.random::<f64>() < fail;
                        !(dropped || fail0 || fail1)
                    })
                    .count()
            } else {
                *n
            };
            self.group(&mut g, n, &m.arms[k], m.d_arm, &mut st);
            self.arms[k] = st;
        }
    }

    /// Draw only the controls' statistics of replicate `replicate` (from the controls' stream, so
    /// the patients' draws are those of the subject path).
    pub fn draw_controls(
        &mut self,
        s: &Scenario,
        m: &ControlsModel,
        n: usize,
        seed: u64,
        replicate: u64,
    ) {
        let r = s.n_regions();
        self.n_regions = r;
        let mut g = rng::stream(seed, replicate, rng::STREAM_CONTROLS);
        let usable = if m.scan_failure > 0.0 {
            (0..n)
                .filter(|_| g.random::<f64>() >= m.scan_failure)
                .count()
        } else {
            n
        };
        let mut controls = std::mem::take(&mut self.controls);
        self.group(&mut g, usable, &m.group, r, &mut controls);
        self.controls = controls;
    }

    fn group(
        &mut self,
        g: &mut TrialRng,
        n: usize,
        gm: &GroupModel,
        d: usize,
        out: &mut GroupStats,
    ) {
        out.n = n;
        out.mean.resize(d, 0.0);
        out.scatter.clear();
        out.scatter.resize(d * d, 0.0);
        if n == 0 {
            out.mean.fill(f64::NAN);
            return;
        }
        if let Some(f) = &gm.factor {
            factor_draw(g, n, &gm.mean, f, out);
            return;
        }
        let (mean, l) = (&gm.mean[..], &gm.chol[..]);
        self.z.resize(d, 0.0);
        for z in self.z.iter_mut() {
            *z = g.sample(StandardNormal);
        }
        let sq = (n as f64).sqrt();
        for i in 0..d {
            let mut v = 0.0;
            for k in 0..=i {
                v += l[i * d + k] * self.z[k];
            }
            out.mean[i] = mean[i] + v / sq;
        }
        let df = n - 1;
        if df == 0 {
            return;
        }
        if df >= d {
            // Bartlett: A lower triangular, A_ii = sqrt(chi2(df - i)), A_ij ~ N(0, 1) below.
            self.a.clear();
            self.a.resize(d * d, 0.0);
            for i in 0..d {
                let chi = ChiSquared::new((df - i) as f64);
                self.a[i * d + i] = chi.sample(g).sqrt();
                for j in 0..i {
                    self.a[i * d + j] = g.sample(StandardNormal);
                }
            }
            // B = L A (lower triangular); the analyses read only the scatter's diagonal and, with
            // change, the baseline-change cross terms (r, R + r), so only those of B B' are formed.
            self.b.clear();
            self.b.resize(d * d, 0.0);
            for i in 0..d {
                let li = &l[i * d..i * d + i + 1];
                for j in 0..=i {
                    let mut v = 0.0;
                    for (k, lik) in li.iter().enumerate().skip(j) {
                        v += lik * self.a[k * d + j];
                    }
                    self.b[i * d + j] = v;
                }
            }
            let b = &self.b;
            let dot = |i: usize, j: usize| -> f64 {
                let m = i.min(j) + 1;
                b[i * d..i * d + m]
                    .iter()
                    .zip(&b[j * d..j * d + m])
                    .map(|(x, y)| x * y)
                    .sum()
            };
            for i in 0..d {
                out.scatter[i * d + i] = dot(i, i);
            }
            if d == 2 * self.n_regions && d > 0 {
                let r = self.n_regions;
                for i in 0..r {
                    let v = dot(i, r + i);
                    out.scatter[i * d + r + i] = v;
                    out.scatter[(r + i) * d + i] = v;
                }
            }
        } else {
            // Singular Wishart: the sum of df outer products of N(0, S) vectors.
            self.b.resize(d, 0.0);
            for _ in 0..df {
                for z in self.z.iter_mut() {
                    *z = g.sample(StandardNormal);
                }
                for i in 0..d {
                    let mut v = 0.0;
                    for k in 0..=i {
                        v += l[i * d + k] * self.z[k];
                    }
                    self.b[i] = v;
                }
                for i in 0..d {
                    for j in 0..d {
                        out.scatter[i * d + j] += self.b[i] * self.b[j];
                    }
                }
            }
        }
    }

    /// Half period differences of region r in the crossover sequence that starts with arm k.
    pub fn half_difference(&self, k: usize, r: usize) -> Summary {
        stat(&self.arms[k], r, self.d_arm)
    }

    /// Baseline summary of region r in the controls.
    pub fn controls_baseline(&self, r: usize) -> Summary {
        stat(&self.controls, r, self.n_regions)
    }

    /// Baseline summary of region r over all patients (arms pooled exactly).
    pub fn patients_baseline(&self, r: usize) -> Summary {
        if let [arm] = &self.arms[..] {
            return stat(arm, r, self.d_arm);
        }
        let n: f64 = self.arms.iter().map(|a| a.n as f64).sum();
        if n == 0.0 {
            return Summary {
                n: 0.0,
                mean: f64::NAN,
                var: f64::NAN,
            };
        }
        let d = self.d_arm;
        let mean = self
            .arms
            .iter()
            .filter(|a| a.n > 0)
            .map(|a| a.n as f64 * a.mean[r])
            .sum::<f64>()
            / n;
        let ss: f64 = self
            .arms
            .iter()
            .filter(|a| a.n > 0)
            .map(|a| a.scatter[r * d + r] + a.n as f64 * (a.mean[r] - mean).powi(2))
            .sum();
        Summary {
            n,
            mean,
            var: if n > 1.0 { ss / (n - 1.0) } else { f64::NAN },
        }
    }

    /// (baseline, change) of region r in arm k.
    pub fn change(&self, k: usize, r: usize) -> BiSummary {
        let a = &self.arms[k];
        let (d, rr) = (self.d_arm, self.n_regions);
        if a.n == 0 {
            return BiSummary::EMPTY;
        }
        BiSummary {
            n: a.n as f64,
            mx: a.mean[r],
            my: a.mean[rr + r],
            sxx: a.scatter[r * d + r],
            syy: a.scatter[(rr + r) * d + rr + r],
            sxy: a.scatter[r * d + rr + r],
        }
    }
}

/// Mean and scatter diagonal of n vectors N(mean, a a' + diag(b^2)), exactly.
///
/// Write each centred vector (in the n - 1 dimensions orthogonal to the mean) as a_i c + b_i e_i
/// with c and the e_i independent standard normal (n - 1)-vectors. Then |c|^2 ~ chi^2(n - 1); given
/// c, u_i = <c/|c|, e_i> ~ N(0, 1) and |e_i|^2 - u_i^2 ~ chi^2(n - 2) independently of u_i and of
/// the other regions, so S_ii = |a_i c + b_i e_i|^2 = (a_i |c| + b_i u_i)^2 + b_i^2 chi^2(n - 2).
/// The mean is the same decomposition of one N(0, 1/n) vector.
#[allow(clippy::needless_range_loop)] // i indexes four parallel arrays
fn factor_draw(g: &mut TrialRng, n: usize, mean: &[f64], f: &Factor, out: &mut GroupStats) {
    let d = mean.len();
    let sq = (n as f64).sqrt();
    let z0: f64 = g.sample(StandardNormal);
    for i in 0..d {
        let zi: f64 = g.sample(StandardNormal);
        out.mean[i] = mean[i] + (f.a[i] * z0 + f.b[i] * zi) / sq;
    }
    let df = n - 1;
    if df == 0 {
        return;
    }
    let c = ChiSquared::new(df as f64).sample(g).sqrt();
    let rest = (df >= 2).then(|| ChiSquared::new((df - 1) as f64));
    for i in 0..d {
        let u: f64 = g.sample(StandardNormal);
        let q = rest.as_ref().map_or(0.0, |x| x.sample(g));
        let along = f.a[i] * c + f.b[i] * u;
        out.scatter[i * d + i] = along * along + f.b[i] * f.b[i] * q;
    }
}

fn stat(g: &GroupStats, r: usize, d: usize) -> Summary {
    let n = g.n as f64;
    Summary {
        n,
        mean: if g.n > 0 { g.mean[r] } else { f64::NAN },
        var: if g.n > 1 {
            g.scatter[r * d + r] / (n - 1.0)
        } else {
            f64::NAN
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The factor draw's scatter diagonal and mean against the Wishart's closed-form moments
    /// (Anderson 2003, Theorem 7.3.1 / eq. 3.3.x: for W ~ Wishart(n - 1, S),
    /// E W_ii = (n - 1) S_ii and Cov(W_ii, W_jj) = 2 (n - 1) S_ij^2; the mean is N(mu, S / n),
    /// independent of W).
    #[test]
    #[allow(clippy::needless_range_loop)]
    fn factor_draw_has_the_wishart_moments() {
        let (rho, sd, e2) = (0.4, [0.1, 0.2, 0.15], [0.0004, 0.0, 0.001]);
        let f = factor(rho, sd.iter().copied(), &e2);
        let cov = |i: usize, j: usize| {
            sd[i] * sd[j] * if i == j { 1.0 } else { rho } + if i == j { e2[i] } else { 0.0 }
        };
        let (n, reps) = (7usize, 400_000usize);
        let mean = [1.0, 2.0, 3.0];
        let mut out = GroupStats {
            n,
            mean: vec![0.0; 3],
            scatter: vec![0.0; 9],
        };
        let mut g = rng::stream(5, 0, 0);
        let (mut s1, mut s2, mut m1, mut m2, mut ms) =
            ([0.0; 3], [[0.0; 3]; 3], [0.0; 3], [0.0; 3], 0.0);
        for _ in 0..reps {
            factor_draw(&mut g, n, &mean, &f, &mut out);
            for i in 0..3 {
                let w = out.scatter[i * 3 + i];
                s1[i] += w;
                for j in 0..3 {
                    s2[i][j] += w * out.scatter[j * 3 + j];
                }
                m1[i] += out.mean[i];
                m2[i] += (out.mean[i] - mean[i]).powi(2);
            }
            ms += (out.mean[0] - mean[0]) * out.scatter[0];
        }
        let r = reps as f64;
        let df = (n - 1) as f64;
        for i in 0..3 {
            let ew = df * cov(i, i);
            // SE of a mean of W_ii: sqrt(2 df S_ii^2 / reps); 5 SE.
            let se = (2.0 * df).sqrt() * cov(i, i) / r.sqrt();
            assert!((s1[i] / r - ew).abs() < 5.0 * se, "E W_{i}{i}");
            for j in 0..3 {
                let c = s2[i][j] / r - (s1[i] / r) * (s1[j] / r);
                let want = 2.0 * df * cov(i, j).powi(2);
                // Relative SE of a sample covariance of chi^2-like terms is a few / sqrt(reps).
                assert!(
                    (c - want).abs() < 0.03 * (2.0 * df * cov(i, i) * cov(j, j)),
                    "Cov W_{i}{i}, W_{j}{j}: {c} vs {want}"
                );
            }
            let vm = cov(i, i) / n as f64;
            assert!((m1[i] / r - mean[i]).abs() < 5.0 * (vm / r).sqrt());
            assert!((m2[i] / r - vm).abs() < 5.0 * vm * (2.0 / r).sqrt());
        }
        // Mean and scatter independent: Cov(mean_0, W_00) = 0.
        let sd_prod = (cov(0, 0) / n as f64).sqrt() * (2.0 * df).sqrt() * cov(0, 0);
        assert!((ms / r).abs() < 5.0 * sd_prod / r.sqrt());
    }

    #[test]
    fn exchangeable_is_recognised_only_when_every_pair_is_equal() {
        assert_eq!(exchangeable(&[1.0, 0.5, 0.5, 1.0], 2), Some(0.5));
        assert_eq!(exchangeable(&[1.0], 1), Some(0.0));
        let uneven = [1.0, 0.5, 0.5, 0.5, 1.0, 0.4, 0.5, 0.4, 1.0];
        assert_eq!(exchangeable(&uneven, 3), None);
        assert_eq!(exchangeable(&[1.0, -0.2, -0.2, 1.0], 2), None);
    }
}
