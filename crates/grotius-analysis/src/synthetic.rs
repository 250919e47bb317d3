//! A deterministic synthetic conversation with planted opinion groups, for benchmarks and tests
//! of [`crate::dialogue`] at sizes no real conversation has.
//!
//! The model: four opinion groups (35 %, 30 %, 20 %, 15 % of the participants) stand at the
//! four compass points of a two-dimensional opinion space, (1, 0), (−1, 0), (0, 1), (0, −1).
//! Each statement has a consensus offset `c` and two loadings `u`, `v`, all uniform; a member
//! of the group at (x, y) passes with probability 0.15 and otherwise agrees with probability
//! `(1 + θ) / 2`, `θ = clamp(c / 2 + 0.6 (u x + v y), −0.95, 0.95)`. Each participant votes on
//! a uniformly random subset of the statements whose size is uniform in
//! `1..=2 · mean − 1` (then adjusted so that the total is exactly the number asked for), so a
//! few participants have too few votes to be clustered, as in a real consultation.
//!
//! Everything comes from one seeded splitmix64 stream: same arguments, same votes, bit for bit.

/// Share of the participants in each planted group, in per mille.
const GROUP_SHARE: [u64; 4] = [350, 300, 200, 150];
/// Where each planted group stands in the opinion space.
const GROUP_AT: [[f64; 2]; 4] = [[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]];
const PASS: f64 = 0.15;

/// A generated conversation.
#[derive(Debug, Clone)]
pub struct Synthetic {
    pub participants: usize,
    pub statements: usize,
    /// (participant, statement, 1 | −1 | 0), by participant, then statement; one per pair.
    pub votes: Vec<(u32, u32, i8)>,
    /// The planted group of every participant (0..4).
    pub group: Vec<u32>,
}

struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n (n > 0), by rejection: no modulo bias.
    fn below(&mut self, n: u64) -> u64 {
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }
}

/// Generates `participants × statements` with exactly `votes` votes (capped at every
/// participant voting on everything), from `seed`.
pub fn planted(participants: usize, statements: usize, votes: usize, seed: u64) -> Synthetic {
    let mut rng = Rng(seed);
    let votes = votes.min(participants.saturating_mul(statements));
    if participants == 0 || statements == 0 {
        return Synthetic {
            participants,
            statements,
            votes: Vec::new(),
            group: vec![0; participants],
        };
    }
    // Statements: consensus offset and loadings on the two opinion axes.
    let stance: Vec<[f64; 4]> = (0..statements)
        .map(|_| {
            let c = rng.unit() * 2.0 - 1.0;
            let u = rng.unit() * 2.0 - 1.0;
            let v = rng.unit() * 2.0 - 1.0;
            let mut t = [0.0; 4];
            for (g, at) in GROUP_AT.iter().enumerate() {
                t[g] = (c / 2.0 + 0.6 * (u * at[0] + v * at[1])).clamp(-0.95, 0.95);
            }
            t
        })
        .collect();
    // Participants: planted group and number of votes.
    let group: Vec<u32> = (0..participants)
        .map(|_| {
            let r = rng.below(1000);
            let mut acc = 0;
            let mut g = 0;
            for (i, share) in GROUP_SHARE.iter().enumerate() {
                acc += share;
                if r < acc {
                    g = i;
                    break;
                }
            }
            g as u32
        })
        .collect();
    let mean = votes as f64 / participants as f64;
    let spread = ((2.0 * mean - 1.0).floor() as u64).clamp(1, statements as u64);
    let mut count: Vec<usize> = (0..participants)
        .map(|_| 1 + rng.below(spread) as usize)
        .collect();
    // Adjust to the exact total, one vote at a time round the participants.
    let mut total: usize = count.iter().sum();
    let mut p = 0;
    while total != votes {
        if total < votes && count[p] < statements {
            count[p] += 1;
            total += 1;
        } else if total > votes && count[p] > 0 {
            count[p] -= 1;
            total -= 1;
        }
        p = (p + 1) % participants;
    }
    // Votes: a uniform subset of the statements (partial Fisher–Yates over a reused
    // permutation), sorted, each vote drawn from the participant's group.
    let mut out = Vec::with_capacity(votes);
    let mut perm: Vec<u32> = (0..statements as u32).collect();
    let mut chosen: Vec<u32> = Vec::with_capacity(statements);
    for (p, &n) in count.iter().enumerate() {
        chosen.clear();
        for i in 0..n {
            let j = i + rng.below((statements - i) as u64) as usize;
            perm.swap(i, j);
            chosen.push(perm[i]);
        }
        chosen.sort_unstable();
        let g = group[p] as usize;
        for &s in &chosen {
            let v = if rng.unit() < PASS {
                0
            } else if rng.unit() < (1.0 + stance[s as usize][g]) / 2.0 {
                1
            } else {
                -1
            };
            out.push((p as u32, s, v));
        }
    }
    Synthetic {
        participants,
        statements,
        votes: out,
        group,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_total_one_vote_per_pair_and_reproducible() {
        let a = planted(300, 40, 5_000, 7);
        assert_eq!(a.votes.len(), 5_000);
        let mut pairs: Vec<(u32, u32)> = a.votes.iter().map(|v| (v.0, v.1)).collect();
        pairs.dedup();
        assert_eq!(pairs.len(), 5_000);
        assert!(a.votes.iter().all(|v| (-1..=1).contains(&v.2)));
        let b = planted(300, 40, 5_000, 7);
        assert_eq!(a.votes, b.votes);
        assert_eq!(a.group, b.group);
        assert_ne!(planted(300, 40, 5_000, 8).votes, a.votes);
        // More votes than pairs: everyone votes on everything.
        assert_eq!(planted(10, 5, 1_000, 1).votes.len(), 50);
    }
}
