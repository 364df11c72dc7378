"""Independent Monte Carlo check of the exact symptom truths with a rating error
(src/model/exact.rs, symptoms.rating_sd > 0), written from docs/model.md sections 2.2-2.7.

Scenario tests/data/tms-mmrm.json in its population version (everyone's characteristics from the
marginal law): MADRS baseline N(30, 6) truncated to [20, 60], rounded; age N(45, 13); latent
improvement I = mean + 9 z + 0.3 (m0 - 30) - 0.1 (age - 45), mean 15.3 (accelerated, 40 % late
responders with time course 0.46 at end of treatment) or 12 (standard); visit score
round(clamp(m0 - c I - 4 e, 0, 60)); response: score <= 0.5 m0; remission: score <= 10.

    python3 scripts/reference/rating_error_truth.py   (numpy 1.26; seed 20261122, 4e6 per arm)

Prints per arm and visit: mean improvement, P(response), P(remission), each with its MC SE.
"""
import numpy as np

rng = np.random.default_rng(20261122)
N = 4_000_000


def arm(mean, late):
    m0 = rng.normal(30, 6, 3 * N)
    m0 = m0[(m0 >= 20) & (m0 <= 60)][:N]
    m0 = np.clip(np.floor(np.abs(m0) + 0.5) * np.sign(m0), 20, 60)
    age = rng.normal(45, 13, N)
    imp = mean + 9 * rng.normal(size=N) + 0.3 * (m0 - 30) - 0.1 * (age - 45)
    is_late = rng.random(N) < late
    out = []
    for v, (c_usual, c_late) in enumerate([(1.0, 0.46), (1.0, 1.0)], start=1):
        c = np.where(is_late, c_late, c_usual)
        x = np.clip(m0 - c * imp - 4 * rng.normal(size=N), 0, 60)
        sc = np.floor(x + 0.5)
        d = m0 - sc
        r = sc <= 0.5 * m0 + 1e-9
        q = sc <= 10
        row = []
        for a in (d, r, q):
            row += [a.mean(), a.std() / np.sqrt(N)]
        out.append(row)
    return out


for name, mean, late in [("accelerated", 15.3, 0.4), ("standard", 12.0, 0.0)]:
    for v, row in enumerate(arm(mean, late), start=1):
        print(name, "visit", v, " ".join(f"{x:.6f}" for x in row))
