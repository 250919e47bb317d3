//! Opinion groups of a dialogue (Pol.is's mathematics), deterministic and without I/O.
//!
//! The method (documented in ARCHITECTURE.md, "Dialogues: the mathematics"), in order:
//!
//! 1. **Columns and rows.** A statement is a column once someone has voted on it; a participant
//!    is a row once she has voted. Statements moderated out stay columns but are zeroed (their
//!    votes carry no information, as in Pol.is's `zero-out-columns`).
//! 2. **Who is clustered.** Pol.is's sticky "in-conv" set. With vote times
//!    ([`VoteMatrix::with_timeline`]) it is replayed in time order: a participant is in once her
//!    votes cast so far reach `min(7, statements created so far)`, and stays in; the first 15
//!    voters are in (the greedy fill, replayed). Without times: at least `min(7, columns)` final
//!    votes; when that leaves fewer than 15, the most active others are added up to 15.
//! 3. **Centring.** Each vote (agree 1, disagree −1, pass 0) minus its statement's mean over the
//!    votes cast; a missing vote is 0 after centring (Pol.is fills it with the column mean).
//! 4. **PCA** to two components by power iteration on `XᵀX`, computed row by row from the
//!    sparse votes (never a dense participants × statements copy); the second component is
//!    found on the operator deflated by the first. The start vector comes from a fixed seed.
//! 5. **Projection** of each participant on the components over her cast votes only, scaled by
//!    `sqrt(columns / votes cast)` (Pol.is's sparsity-aware projection).
//! 6. **Base clusters:** k-means with k = 100 over the clustered participants (initial centres:
//!    the first 100 distinct points in participant order; at most 100 steps).
//! 7. **Groups:** weighted k-means over the base-cluster centres (weights: their sizes) for each
//!    k in 2..=min(5, 2 + bases / 12), the best of ten k-means++ starts from a fixed seed
//!    (smallest weighted within-group sum of squares); the k with the highest silhouette is
//!    chosen (silhouette `(b − a) / max(a, b)` of each base cluster, weighted by its size, each
//!    member standing at its base-cluster centre; a singleton group scoring 0); on a tie the
//!    larger k, as Pol.is's `max-key`. (Pol.is itself warm-starts from its previous run's
//!    clusters; a one-shot computation cannot, so seeded restarts take their place.)
//! 8. **Representative statements** per group by Pol.is's repness test: Laplace-smoothed agree
//!    and disagree rates `(1 + n) / (2 + seen)`, one-proportion z-scores against ½, two-proportion
//!    z-scores and rate ratios against the rest of the participants; a statement represents a
//!    group when both z-scores pass 90 % (z > 1.2816), ranked by `ratio × z × rate × z`, at most
//!    five, the best agreed one first; a group with none keeps its single best statement.
//! 9. **Consensus.** Majority consensus: rate over every voter > ½ with z > 1.2816, top five
//!    agree and disagree. Group-informed consensus: the product over groups of each group's
//!    Laplace-smoothed agree rate, and its geometric mean (the product to the power 1/groups),
//!    comparable across different numbers of groups. **Divisive** statements: the largest gap
//!    between the highest and the lowest group agree rate.
//!
//! Same input, same output, bit for bit: no hash maps, no threads, a fixed order of every sum.

use serde::{Deserialize, Serialize};

/// Stored with every result so that a change of method is visible.
pub const METHOD_VERSION: &str = "polis-2";

/// z for a one-sided 90 % test, as Pol.is.
const Z_90: f64 = 1.2816;
const BASE_K: usize = 100;
const BASE_ITERS: usize = 100;
const GROUP_ITERS: usize = 100;
const GROUP_RUNS: u64 = 10;
const GROUP_SEED: u64 = 0x9e37;
const MAX_K: usize = 5;
const GREEDY_N: usize = 15;
const MIN_VOTES: usize = 7;
const PCA_ITERS: usize = 1000;
const PCA_SEED: u64 = 0x5eed_d1a1_0600_0001;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DialogueMathError {
    #[error("vote {index} names participant {participant}, but there are {participants}")]
    ParticipantOutOfRange {
        index: usize,
        participant: u32,
        participants: usize,
    },
    #[error("vote {index} names statement {statement}, but there are {statements}")]
    StatementOutOfRange {
        index: usize,
        statement: u32,
        statements: usize,
    },
    #[error("vote {index} has value {value}; expected 1, -1 or 0")]
    BadValue { index: usize, value: i8 },
    #[error("participant {participant} voted twice on statement {statement}")]
    Duplicate { participant: u32, statement: u32 },
}

/// The votes of a conversation as a sparse matrix, one row per participant (CSR).
#[derive(Debug, Clone)]
pub struct VoteMatrix {
    participants: usize,
    moderated_out: Vec<bool>,
    row_start: Vec<usize>,
    cols: Vec<u32>,
    vals: Vec<i8>,
    /// When the votes were cast, if known (see [`VoteMatrix::with_timeline`]).
    timeline: Option<Timeline>,
}

/// The order in which a conversation happened: what decides Pol.is's sticky "in-conv" set.
#[derive(Debug, Clone)]
struct Timeline {
    /// (time of the first vote on a pair, participant), one per current vote, by time.
    first_votes: Vec<(i64, u32)>,
    /// Creation time of every statement, ascending (unknown: from the start).
    created: Vec<i64>,
}

impl VoteMatrix {
    /// `votes`: (participant index, statement index, 1 | -1 | 0), in any order, one per pair.
    pub fn new(
        participants: usize,
        moderated_out: Vec<bool>,
        votes: &[(u32, u32, i8)],
    ) -> Result<VoteMatrix, DialogueMathError> {
        let statements = moderated_out.len();
        let mut counts = vec![0usize; participants + 1];
        for (index, &(p, s, v)) in votes.iter().enumerate() {
            if p as usize >= participants {
                return Err(DialogueMathError::ParticipantOutOfRange {
                    index,
                    participant: p,
                    participants,
                });
            }
            if s as usize >= statements {
                return Err(DialogueMathError::StatementOutOfRange {
                    index,
                    statement: s,
                    statements,
                });
            }
            if !(-1..=1).contains(&v) {
                return Err(DialogueMathError::BadValue { index, value: v });
            }
            counts[p as usize + 1] += 1;
        }
        for i in 0..participants {
            counts[i + 1] += counts[i];
        }
        let row_start = counts.clone();
        let mut next = counts;
        let mut cols = vec![0u32; votes.len()];
        let mut vals = vec![0i8; votes.len()];
        for &(p, s, v) in votes {
            let at = next[p as usize];
            cols[at] = s;
            vals[at] = v;
            next[p as usize] += 1;
        }
        // Sort each row by statement (stable, deterministic) and refuse duplicates.
        for p in 0..participants {
            let (a, b) = (row_start[p], row_start[p + 1]);
            let mut row: Vec<(u32, i8)> = (a..b).map(|i| (cols[i], vals[i])).collect();
            row.sort_by_key(|&(s, _)| s);
            for w in row.windows(2) {
                if w[0].0 == w[1].0 {
                    return Err(DialogueMathError::Duplicate {
                        participant: p as u32,
                        statement: w[0].0,
                    });
                }
            }
            for (k, (s, v)) in row.into_iter().enumerate() {
                cols[a + k] = s;
                vals[a + k] = v;
            }
        }
        Ok(VoteMatrix {
            participants,
            moderated_out,
            row_start,
            cols,
            vals,
            timeline: None,
        })
    }

    /// Adds when things happened: `vote_times` (participant index, statement index, time) for
    /// every vote ever cast, replaced ones included (the first on a pair is when it counted),
    /// and each statement's creation time (`None`: there from the start). Any unit, the same
    /// for both. When a current vote has no time the matrix is returned unchanged (the
    /// clustered set then follows the final vote counts).
    pub fn with_timeline(
        mut self,
        vote_times: &[(u32, u32, i64)],
        statement_created: &[Option<i64>],
    ) -> VoteMatrix {
        let mut first: std::collections::BTreeMap<(u32, u32), i64> =
            std::collections::BTreeMap::new();
        for &(p, s, t) in vote_times {
            let e = first.entry((p, s)).or_insert(t);
            *e = (*e).min(t);
        }
        let mut first_votes = Vec::with_capacity(self.votes());
        for p in 0..self.participants {
            for (s, _) in self.row(p) {
                if let Some(&t) = first.get(&(p as u32, s as u32)) {
                    first_votes.push((t, p as u32));
                }
            }
        }
        if first_votes.len() != self.votes() {
            return self;
        }
        first_votes.sort_unstable();
        let mut created: Vec<i64> = (0..self.statements())
            .map(|s| {
                statement_created
                    .get(s)
                    .copied()
                    .flatten()
                    .unwrap_or(i64::MIN)
            })
            .collect();
        created.sort_unstable();
        self.timeline = Some(Timeline {
            first_votes,
            created,
        });
        self
    }

    /// Whether the votes carry their times.
    pub fn is_timed(&self) -> bool {
        self.timeline.is_some()
    }

    /// The matrix of a parsed Pol.is export: participants in the export's order (by id),
    /// statements by comment id; statements moderated out are zeroed.
    pub fn from_polis(export: &grotius_domain::dialogue::PolisExport) -> VoteMatrix {
        use grotius_domain::dialogue::Moderation;
        let p_index: std::collections::BTreeMap<i64, u32> = export
            .participants
            .iter()
            .enumerate()
            .map(|(i, p)| (p.source_id, i as u32))
            .collect();
        let s_index: std::collections::BTreeMap<i64, u32> = export
            .statements
            .iter()
            .enumerate()
            .map(|(i, s)| (s.source_id, i as u32))
            .collect();
        let votes: Vec<(u32, u32, i8)> = export
            .votes
            .iter()
            .filter_map(|v| {
                Some((
                    *p_index.get(&v.participant_source_id)?,
                    *s_index.get(&v.statement_source_id)?,
                    v.vote.as_polis(),
                ))
            })
            .collect();
        let moderated_out = export
            .statements
            .iter()
            .map(|s| s.moderation == Moderation::Rejected)
            .collect();
        // The parser guarantees one vote per pair and known ids.
        let matrix = VoteMatrix::new(export.participants.len(), moderated_out, &votes)
            .unwrap_or_else(|_| {
                VoteMatrix::empty(export.participants.len(), export.statements.len())
            });
        if export.votes.iter().any(|v| v.at_ms.is_none()) {
            return matrix;
        }
        let times: Vec<(u32, u32, i64)> = export
            .votes
            .iter()
            .chain(&export.replaced_votes)
            .filter_map(|v| {
                Some((
                    *p_index.get(&v.participant_source_id)?,
                    *s_index.get(&v.statement_source_id)?,
                    v.at_ms?,
                ))
            })
            .collect();
        let created: Vec<Option<i64>> = export.statements.iter().map(|s| s.created_ms).collect();
        matrix.with_timeline(&times, &created)
    }

    fn empty(participants: usize, statements: usize) -> VoteMatrix {
        VoteMatrix {
            participants,
            moderated_out: vec![false; statements],
            row_start: vec![0; participants + 1],
            cols: Vec::new(),
            vals: Vec::new(),
            timeline: None,
        }
    }

    pub fn participants(&self) -> usize {
        self.participants
    }

    pub fn statements(&self) -> usize {
        self.moderated_out.len()
    }

    pub fn votes(&self) -> usize {
        self.vals.len()
    }

    fn row(&self, p: usize) -> impl Iterator<Item = (usize, i8)> + '_ {
        (self.row_start[p]..self.row_start[p + 1]).map(|i| (self.cols[i] as usize, self.vals[i]))
    }

    fn row_len(&self, p: usize) -> usize {
        self.row_start[p + 1] - self.row_start[p]
    }
}

/// Agree / disagree / seen counts of a statement within some set of participants.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    pub agree: u32,
    pub disagree: u32,
    /// Votes cast, passes included.
    pub seen: u32,
}

impl Tally {
    fn add(&mut self, v: i8) {
        self.seen += 1;
        match v {
            1 => self.agree += 1,
            -1 => self.disagree += 1,
            _ => {}
        }
    }

    fn plus(self, o: Tally) -> Tally {
        Tally {
            agree: self.agree + o.agree,
            disagree: self.disagree + o.disagree,
            seen: self.seen + o.seen,
        }
    }

    /// Laplace-smoothed agree rate `(1 + agree) / (2 + seen)`.
    pub fn p_agree(self) -> f64 {
        (1.0 + self.agree as f64) / (2.0 + self.seen as f64)
    }

    pub fn p_disagree(self) -> f64 {
        (1.0 + self.disagree as f64) / (2.0 + self.seen as f64)
    }
}

/// Pol.is's one-proportion test against ½ (with a pseudo-count).
pub fn prop_test(successes: u32, trials: u32) -> f64 {
    let (s, n) = (successes as f64 + 1.0, trials as f64 + 1.0);
    2.0 * n.sqrt() * (s / n - 0.5)
}

/// Pol.is's two-proportion z-test (with pseudo-counts).
pub fn two_prop_test(s1: u32, s2: u32, n1: u32, n2: u32) -> f64 {
    let (s1, s2, n1, n2) = (
        s1 as f64 + 1.0,
        s2 as f64 + 1.0,
        n1 as f64 + 1.0,
        n2 as f64 + 1.0,
    );
    let (p1, p2, p) = (s1 / n1, s2 / n2, (s1 + s2) / (n1 + n2));
    let d = (p * (1.0 - p) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if d > 0.0 && d.is_finite() {
        (p1 - p2) / d
    } else {
        0.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepfulFor {
    Agree,
    Disagree,
}

/// A statement that represents a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Representative {
    pub statement: usize,
    pub repful_for: RepfulFor,
    /// Agree (or disagree) votes within the group, and votes cast there.
    pub n_success: u32,
    pub n_trials: u32,
    /// Laplace-smoothed rate within the group.
    pub p_success: f64,
    pub p_test: f64,
    /// Ratio of the group's rate to the rest's.
    pub repness: f64,
    pub repness_test: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub id: u32,
    pub size: usize,
    pub centre: [f64; 2],
    pub representative: Vec<Representative>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsensusStatement {
    pub statement: usize,
    pub n_success: u32,
    pub n_trials: u32,
    pub p_success: f64,
    pub p_test: f64,
}

/// Per statement: overall tally, group-informed consensus and divisiveness.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementResult {
    pub statement: usize,
    pub moderated_out: bool,
    pub tally: Tally,
    /// Product over groups of the Laplace-smoothed agree rate.
    pub group_consensus: f64,
    /// Its geometric mean: `group_consensus^(1/groups)`.
    pub group_consensus_normalised: f64,
    /// Highest minus lowest group agree rate.
    pub divisiveness: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DialogueResult {
    pub method: String,
    /// Statements that had votes (columns of the matrix).
    pub columns: usize,
    /// Projection of every participant who voted (None: no votes).
    pub points: Vec<Option<[f64; 2]>>,
    /// Opinion group of every clustered participant.
    pub group_of: Vec<Option<u32>>,
    pub groups: Vec<Group>,
    /// Silhouette of each k tried, (k, value).
    pub silhouettes: Vec<(usize, f64)>,
    pub statements: Vec<StatementResult>,
    /// Per group, per statement: the Laplace-smoothed agree rate within the group.
    pub group_agree: Vec<Vec<f64>>,
    pub consensus_agree: Vec<ConsensusStatement>,
    pub consensus_disagree: Vec<ConsensusStatement>,
}

impl DialogueResult {
    pub fn clustered(&self) -> usize {
        self.group_of.iter().filter(|g| g.is_some()).count()
    }
}

/// splitmix64: the fixed-seed generator of the PCA start vector.
fn splitmix(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Centred sparse matrix (CSR, computed once): per participant, (column, vote − mean) over her
/// cast votes on statements that are not moderated out.
struct Centred {
    statements: usize,
    row_start: Vec<usize>,
    cols: Vec<u32>,
    vals: Vec<f64>,
}

impl Centred {
    fn new(m: &VoteMatrix, mean: &[f64]) -> Centred {
        let mut row_start = Vec::with_capacity(m.participants + 1);
        let mut cols = Vec::with_capacity(m.votes());
        let mut vals = Vec::with_capacity(m.votes());
        row_start.push(0);
        for p in 0..m.participants {
            for (s, v) in m.row(p) {
                if !m.moderated_out[s] {
                    cols.push(s as u32);
                    vals.push(v as f64 - mean[s]);
                }
            }
            row_start.push(cols.len());
        }
        Centred {
            statements: m.statements(),
            row_start,
            cols,
            vals,
        }
    }

    fn entries(&self, p: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let r = self.row_start[p]..self.row_start[p + 1];
        self.cols[r.clone()]
            .iter()
            .zip(&self.vals[r])
            .map(|(s, c)| (*s as usize, *c))
    }

    /// out = XᵀX r, one pass over the votes.
    fn gram_times(&self, r: &[f64], out: &mut [f64]) {
        out.iter_mut().for_each(|x| *x = 0.0);
        for p in 0..self.row_start.len() - 1 {
            let d: f64 = self.entries(p).map(|(s, c)| c * r[s]).sum();
            if d != 0.0 {
                for (s, c) in self.entries(p) {
                    out[s] += d * c;
                }
            }
        }
    }
}

/// Leading eigenvector of XᵀX restricted to the complement of `against`.
fn power_iteration(x: &Centred, against: Option<&[f64]>, seed: u64) -> Vec<f64> {
    let n = x.statements;
    let mut state = seed;
    let mut v: Vec<f64> = (0..n).map(|_| splitmix(&mut state) + 0.1).collect();
    let orthogonalise = |v: &mut Vec<f64>| {
        if let Some(a) = against {
            let c = dot(v, a);
            v.iter_mut().zip(a).for_each(|(x, y)| *x -= c * y);
        }
    };
    orthogonalise(&mut v);
    let n0 = norm(&v);
    if n0 == 0.0 {
        return vec![0.0; n];
    }
    v.iter_mut().for_each(|x| *x /= n0);
    let mut next = vec![0.0; n];
    let mut last = 0.0;
    for _ in 0..PCA_ITERS {
        x.gram_times(&v, &mut next);
        orthogonalise(&mut next);
        let eig = norm(&next);
        if eig == 0.0 {
            return vec![0.0; n];
        }
        next.iter_mut().for_each(|x| *x /= eig);
        std::mem::swap(&mut v, &mut next);
        if (eig - last).abs() <= 1e-9 * eig {
            break;
        }
        last = eig;
    }
    v
}

fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// Weighted k-means as Pol.is runs it: the first k distinct points are the initial centres;
/// each step assigns every point to its nearest centre (the first on a tie), drops empty
/// clusters and moves each centre to the weighted mean of its points; it stops when the sorted
/// centres move less than 0.01 or after `max_iters` steps. Returns centres and assignment.
fn kmeans(
    points: &[[f64; 2]],
    weights: &[f64],
    k: usize,
    max_iters: usize,
) -> (Vec<[f64; 2]>, Vec<usize>) {
    let mut centres: Vec<[f64; 2]> = Vec::new();
    for p in points {
        if centres.len() == k {
            break;
        }
        if !centres.contains(p) {
            centres.push(*p);
        }
    }
    kmeans_from(points, weights, centres, max_iters)
}

/// k-means++ seeding (weighted), from a fixed seed.
fn kmeans_pp(points: &[[f64; 2]], weights: &[f64], k: usize, seed: u64) -> Vec<[f64; 2]> {
    let mut state = seed;
    let pick = |d: &[f64], state: &mut u64| -> usize {
        let sum: f64 = d.iter().zip(weights).map(|(x, w)| x * w).sum();
        if sum <= 0.0 {
            return 0;
        }
        let mut r = splitmix(state) * sum;
        for (i, (x, w)) in d.iter().zip(weights).enumerate() {
            r -= x * w;
            if r <= 0.0 {
                return i;
            }
        }
        d.len() - 1
    };
    let ones = vec![1.0; points.len()];
    let first = pick(&ones, &mut state);
    let mut centres = vec![points[first]];
    let mut d: Vec<f64> = points
        .iter()
        .map(|p| dist(*p, points[first]).powi(2))
        .collect();
    while centres.len() < k {
        let i = pick(&d, &mut state);
        if d[i] == 0.0 {
            break;
        }
        centres.push(points[i]);
        for (j, p) in points.iter().enumerate() {
            d[j] = d[j].min(dist(*p, points[i]).powi(2));
        }
    }
    centres
}

fn inertia(points: &[[f64; 2]], weights: &[f64], centres: &[[f64; 2]], assign: &[usize]) -> f64 {
    points
        .iter()
        .zip(assign)
        .zip(weights)
        .map(|((p, a), w)| w * dist(*p, centres[*a]).powi(2))
        .sum()
}

fn kmeans_from(
    points: &[[f64; 2]],
    weights: &[f64],
    mut centres: Vec<[f64; 2]>,
    max_iters: usize,
) -> (Vec<[f64; 2]>, Vec<usize>) {
    let mut assign = vec![0usize; points.len()];
    let mut iter = max_iters;
    loop {
        for (i, p) in points.iter().enumerate() {
            let mut best = 0;
            let mut best_d = f64::INFINITY;
            for (c, centre) in centres.iter().enumerate() {
                // Squared distance: the same nearest centre, without a square root.
                let d = (p[0] - centre[0]).powi(2) + (p[1] - centre[1]).powi(2);
                if d < best_d {
                    best_d = d;
                    best = c;
                }
            }
            assign[i] = best;
        }
        let mut sum = vec![[0.0f64; 2]; centres.len()];
        let mut wsum = vec![0.0f64; centres.len()];
        let mut count = vec![0usize; centres.len()];
        for (i, p) in points.iter().enumerate() {
            let c = assign[i];
            sum[c][0] += weights[i] * p[0];
            sum[c][1] += weights[i] * p[1];
            wsum[c] += weights[i];
            count[c] += 1;
        }
        let mut renumber = vec![usize::MAX; centres.len()];
        let mut new_centres = Vec::new();
        for c in 0..centres.len() {
            if count[c] > 0 {
                renumber[c] = new_centres.len();
                new_centres.push(if wsum[c] > 0.0 {
                    [sum[c][0] / wsum[c], sum[c][1] / wsum[c]]
                } else {
                    centres[c]
                });
            }
        }
        assign.iter_mut().for_each(|a| *a = renumber[*a]);
        let same = {
            let mut a = centres.clone();
            let mut b = new_centres.clone();
            a.sort_by(|x, y| x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal));
            b.sort_by(|x, y| x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal));
            a.iter().zip(&b).all(|(x, y)| dist(*x, *y) < 0.01)
        };
        centres = new_centres;
        if iter == 0 || same {
            return (centres, assign);
        }
        iter -= 1;
    }
}

/// Silhouette of a clustering of base-cluster centres, each centre standing for its members
/// (weight = size): a member's distance to the other members of its base cluster is 0.
/// Singletons score 0.
fn silhouette(points: &[[f64; 2]], w: &[f64], assign: &[usize], k: usize) -> f64 {
    let mut total = 0.0;
    let mut wt = 0.0;
    for (i, p) in points.iter().enumerate() {
        let mut sum = vec![0.0f64; k];
        let mut count = vec![0.0f64; k];
        for (j, q) in points.iter().enumerate() {
            let wj = if i == j { w[j] - 1.0 } else { w[j] };
            sum[assign[j]] += wj * dist(*p, *q);
            count[assign[j]] += wj;
        }
        let own = assign[i];
        wt += w[i];
        if count[own] <= 0.0 {
            continue;
        }
        let a = sum[own] / count[own];
        let b = (0..k)
            .filter(|&c| c != own && count[c] > 0.0)
            .map(|c| sum[c] / count[c])
            .fold(f64::INFINITY, f64::min);
        if b.is_finite() {
            let m = a.max(b);
            if m > 0.0 {
                total += w[i] * (b - a) / m;
            }
        }
    }
    total / wt
}

/// Groups over base clusters: weighted k-means from `GROUP_RUNS` k-means++ starts drawn from
/// a fixed seed; the run with the smallest weighted within-group sum of squares wins (the
/// earlier run on a tie).
fn group_kmeans(points: &[[f64; 2]], weights: &[f64], k: usize) -> (Vec<[f64; 2]>, Vec<usize>) {
    let mut best: Option<(f64, Vec<[f64; 2]>, Vec<usize>)> = None;
    for run in 0..GROUP_RUNS {
        let init = kmeans_pp(points, weights, k, GROUP_SEED + run);
        let (c, a) = kmeans_from(points, weights, init, GROUP_ITERS);
        let i = inertia(points, weights, &c, &a);
        if best.as_ref().is_none_or(|b| i < b.0 - 1e-12) {
            best = Some((i, c, a));
        }
    }
    match best {
        Some((_, c, a)) => (c, a),
        None => kmeans(points, weights, k, GROUP_ITERS),
    }
}

/// Pol.is's sticky in-conv set, replayed: a participant is in once, at some moment, her votes
/// cast so far reach `min(7, statements created so far)`, and stays in.
fn sticky_in_conv(participants: usize, tl: &Timeline) -> Vec<bool> {
    let mut count = vec![0usize; participants];
    let mut in_conv = vec![false; participants];
    let mut created = 0usize;
    let mut voters = 0usize;
    for &(t, p) in &tl.first_votes {
        while created < tl.created.len() && tl.created[created] <= t {
            created += 1;
        }
        let p = p as usize;
        count[p] += 1;
        // The greedy fill, replayed: while fewer than 15 are in, everyone who has voted is
        // among the most active, so the first 15 voters enter with their first vote.
        if count[p] == 1 && voters < GREEDY_N {
            voters += 1;
            in_conv[p] = true;
        }
        if count[p] >= MIN_VOTES.min(created.max(1)) {
            in_conv[p] = true;
        }
    }
    in_conv
}

/// Runs the whole method (see the module documentation).
pub fn compute(m: &VoteMatrix) -> DialogueResult {
    let n_st = m.statements();
    // 1. Columns and means over cast votes.
    let mut column_tally = vec![Tally::default(); n_st];
    for p in 0..m.participants {
        for (s, v) in m.row(p) {
            column_tally[s].add(v);
        }
    }
    let is_column: Vec<bool> = column_tally.iter().map(|t| t.seen > 0).collect();
    let columns = is_column.iter().filter(|c| **c).count();
    let zeroed: usize = (0..n_st)
        .filter(|&s| is_column[s] && m.moderated_out[s])
        .count();
    let mean: Vec<f64> = column_tally
        .iter()
        .enumerate()
        .map(|(s, t)| {
            if t.seen == 0 || m.moderated_out[s] {
                0.0
            } else {
                (t.agree as f64 - t.disagree as f64) / t.seen as f64
            }
        })
        .collect();

    // 2. Who is clustered.
    let mut in_conv: Vec<bool> = match &m.timeline {
        Some(tl) => sticky_in_conv(m.participants, tl),
        None => {
            let threshold = MIN_VOTES.min(columns);
            (0..m.participants)
                .map(|p| m.row_len(p) > 0 && m.row_len(p) >= threshold)
                .collect()
        }
    };
    let n_in = in_conv.iter().filter(|x| **x).count();
    if n_in < GREEDY_N {
        let mut others: Vec<usize> = (0..m.participants)
            .filter(|&p| !in_conv[p] && m.row_len(p) > 0)
            .collect();
        others.sort_by_key(|&p| (std::cmp::Reverse(m.row_len(p)), p));
        for p in others.into_iter().take(GREEDY_N - n_in) {
            in_conv[p] = true;
        }
    }

    // 3–5. PCA and projection.
    let centred = Centred::new(m, &mean);
    let pc1 = power_iteration(&centred, None, PCA_SEED);
    let pc2 = power_iteration(&centred, Some(&pc1), PCA_SEED ^ 0xffff);
    let points: Vec<Option<[f64; 2]>> = (0..m.participants)
        .map(|p| {
            if m.row_len(p) == 0 {
                return None;
            }
            let (mut x, mut y, mut cast) = (0.0, 0.0, zeroed);
            for (s, c) in centred.entries(p) {
                x += c * pc1[s];
                y += c * pc2[s];
                cast += 1;
            }
            let scale = (columns as f64 / cast.max(1) as f64).sqrt();
            Some([x * scale, y * scale])
        })
        .collect();

    // 6. Base clusters.
    let members: Vec<usize> = (0..m.participants).filter(|&p| in_conv[p]).collect();
    let member_points: Vec<[f64; 2]> = members
        .iter()
        .map(|&p| points[p].unwrap_or([0.0, 0.0]))
        .collect();
    let ones = vec![1.0; member_points.len()];
    let (base_centres, base_of) = if member_points.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        kmeans(&member_points, &ones, BASE_K, BASE_ITERS)
    };
    let mut base_size = vec![0usize; base_centres.len()];
    for &b in &base_of {
        base_size[b] += 1;
    }
    let base_weights: Vec<f64> = base_size.iter().map(|&n| n as f64).collect();

    // 7. Groups: k by silhouette.
    let max_k = MAX_K.min(2 + base_centres.len() / 12);
    let mut silhouettes = Vec::new();
    let mut best: Option<(f64, Vec<[f64; 2]>, Vec<usize>)> = None;
    if base_centres.len() >= 2 {
        for k in 2..=max_k {
            let (centres, assign) = group_kmeans(&base_centres, &base_weights, k);
            let s = silhouette(&base_centres, &base_weights, &assign, centres.len());
            silhouettes.push((k, s));
            if best.as_ref().is_none_or(|(bs, _, _)| s >= *bs) {
                best = Some((s, centres, assign));
            }
        }
    }
    let (group_centres, group_of_base) = match best {
        Some((_, c, a)) => (c, a),
        None if !base_centres.is_empty() => {
            // Fewer than two distinct positions: one group.
            let c = member_points.iter().fold([0.0, 0.0], |acc, p| {
                [
                    acc[0] + p[0] / member_points.len() as f64,
                    acc[1] + p[1] / member_points.len() as f64,
                ]
            });
            (vec![c], vec![0; base_centres.len()])
        }
        None => (Vec::new(), Vec::new()),
    };
    let k = group_centres.len();
    let mut group_of = vec![None; m.participants];
    for (i, &p) in members.iter().enumerate() {
        group_of[p] = Some(group_of_base[base_of[i]] as u32);
    }

    // 8. Tallies per group and statement.
    let mut tally = vec![vec![Tally::default(); n_st]; k];
    for (p, g) in group_of.iter().enumerate() {
        if let Some(g) = g {
            for (s, v) in m.row(p) {
                tally[*g as usize][s].add(v);
            }
        }
    }
    let mut total_in = vec![Tally::default(); n_st];
    for t in &tally {
        for s in 0..n_st {
            total_in[s] = total_in[s].plus(t[s]);
        }
    }
    let kept: Vec<usize> = (0..n_st)
        .filter(|&s| is_column[s] && !m.moderated_out[s])
        .collect();
    let groups: Vec<Group> = (0..k)
        .map(|g| {
            let size = group_of.iter().filter(|x| **x == Some(g as u32)).count();
            Group {
                id: g as u32,
                size,
                centre: group_centres[g],
                representative: representatives(&tally[g], &total_in, &kept),
            }
        })
        .collect();

    // 9. Consensus and divisiveness.
    let statements: Vec<StatementResult> = (0..n_st)
        .map(|s| {
            let rates: Vec<f64> = (0..k).map(|g| tally[g][s].p_agree()).collect();
            let product: f64 = rates.iter().product();
            let (hi, lo) = rates
                .iter()
                .fold((f64::MIN, f64::MAX), |(h, l), r| (h.max(*r), l.min(*r)));
            StatementResult {
                statement: s,
                moderated_out: m.moderated_out[s],
                tally: column_tally[s],
                group_consensus: if k == 0 { 0.0 } else { product },
                group_consensus_normalised: if k == 0 {
                    0.0
                } else {
                    product.powf(1.0 / k as f64)
                },
                divisiveness: if k < 2 { 0.0 } else { hi - lo },
            }
        })
        .collect();
    let consensus = |agree: bool| -> Vec<ConsensusStatement> {
        let mut c: Vec<(f64, ConsensusStatement)> = kept
            .iter()
            .filter_map(|&s| {
                let t = column_tally[s];
                let (n, p) = if agree {
                    (t.agree, t.p_agree())
                } else {
                    (t.disagree, t.p_disagree())
                };
                let z = prop_test(n, t.seen);
                (p > 0.5 && z > Z_90).then_some((
                    p * z,
                    ConsensusStatement {
                        statement: s,
                        n_success: n,
                        n_trials: t.seen,
                        p_success: p,
                        p_test: z,
                    },
                ))
            })
            .collect();
        c.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.statement.cmp(&b.1.statement)));
        c.into_iter().take(5).map(|(_, x)| x).collect()
    };

    DialogueResult {
        method: METHOD_VERSION.to_string(),
        columns,
        points,
        group_of,
        groups,
        silhouettes,
        statements,
        group_agree: tally
            .iter()
            .map(|t| t.iter().map(|x| x.p_agree()).collect())
            .collect(),
        consensus_agree: consensus(true),
        consensus_disagree: consensus(false),
    }
}

struct RepStats {
    statement: usize,
    t: Tally,
    pa: f64,
    pd: f64,
    pat: f64,
    pdt: f64,
    ra: f64,
    rd: f64,
    rat: f64,
    rdt: f64,
}

impl RepStats {
    fn finalise(&self) -> Representative {
        if self.rat > self.rdt {
            Representative {
                statement: self.statement,
                repful_for: RepfulFor::Agree,
                n_success: self.t.agree,
                n_trials: self.t.seen,
                p_success: self.pa,
                p_test: self.pat,
                repness: self.ra,
                repness_test: self.rat,
            }
        } else {
            Representative {
                statement: self.statement,
                repful_for: RepfulFor::Disagree,
                n_success: self.t.disagree,
                n_trials: self.t.seen,
                p_success: self.pd,
                p_test: self.pdt,
                repness: self.rd,
                repness_test: self.rdt,
            }
        }
    }

    fn agree_repr(&self) -> Representative {
        Representative {
            statement: self.statement,
            repful_for: RepfulFor::Agree,
            n_success: self.t.agree,
            n_trials: self.t.seen,
            p_success: self.pa,
            p_test: self.pat,
            repness: self.ra,
            repness_test: self.rat,
        }
    }
}

/// Pol.is's `select-rep-comments` for one group.
fn representatives(group: &[Tally], all: &[Tally], kept: &[usize]) -> Vec<Representative> {
    let mut sufficient: Vec<Representative> = Vec::new();
    let mut best: Option<Representative> = None;
    let mut best_agree: Option<RepStats> = None;
    for &s in kept {
        let t = group[s];
        let rest = Tally {
            agree: all[s].agree - t.agree,
            disagree: all[s].disagree - t.disagree,
            seen: all[s].seen - t.seen,
        };
        let st = RepStats {
            statement: s,
            t,
            pa: t.p_agree(),
            pd: t.p_disagree(),
            pat: prop_test(t.agree, t.seen),
            pdt: prop_test(t.disagree, t.seen),
            ra: t.p_agree() / rest.p_agree(),
            rd: t.p_disagree() / rest.p_disagree(),
            rat: two_prop_test(t.agree, rest.agree, t.seen, rest.seen),
            rdt: two_prop_test(t.disagree, rest.disagree, t.seen, rest.seen),
        };
        if (st.rat > Z_90 && st.pat > Z_90) || (st.rdt > Z_90 && st.pdt > Z_90) {
            sufficient.push(st.finalise());
        }
        if sufficient.is_empty()
            && best
                .as_ref()
                .is_none_or(|b| st.rat.max(st.rdt) > b.repness_test)
        {
            best = Some(st.finalise());
        }
        let beats_agree = if t.agree == 0 && t.disagree == 0 {
            false
        } else if let Some(cb) = &best_agree {
            if cb.ra > 1.0 {
                st.ra * st.rat * st.pa * st.pat > cb.ra * cb.rat * cb.pa * cb.pat
            } else {
                st.pa * st.pat > cb.pa * cb.pat
            }
        } else {
            st.pat > Z_90 || (st.ra > 1.0 && st.pa > 0.5)
        };
        if beats_agree {
            best_agree = Some(st);
        }
    }
    let best_agree = best_agree.map(|b| b.agree_repr());
    if sufficient.is_empty() {
        return best_agree.or(best).into_iter().collect();
    }
    let metric = |r: &Representative| r.repness * r.repness_test * r.p_success * r.p_test;
    let mut rest: Vec<Representative> = sufficient
        .into_iter()
        .filter(|r| {
            best_agree
                .as_ref()
                .is_none_or(|b| b.statement != r.statement)
        })
        .collect();
    rest.sort_by(|a, b| {
        metric(b)
            .total_cmp(&metric(a))
            .then(a.statement.cmp(&b.statement))
    });
    let top: Vec<Representative> = best_agree.into_iter().chain(rest).take(5).collect();
    let (agree, disagree): (Vec<_>, Vec<_>) = top
        .into_iter()
        .partition(|r| r.repful_for == RepfulFor::Agree);
    agree.into_iter().chain(disagree).collect()
}

/// Adjusted Rand index of two labelings of the same items (Hubert and Arabie).
pub fn adjusted_rand_index(a: &[i64], b: &[i64]) -> f64 {
    use std::collections::BTreeMap;
    let n = a.len().min(b.len());
    if n < 2 {
        return 1.0;
    }
    let mut pairs: BTreeMap<(i64, i64), u64> = BTreeMap::new();
    let mut ra: BTreeMap<i64, u64> = BTreeMap::new();
    let mut rb: BTreeMap<i64, u64> = BTreeMap::new();
    for i in 0..n {
        *pairs.entry((a[i], b[i])).or_default() += 1;
        *ra.entry(a[i]).or_default() += 1;
        *rb.entry(b[i]).or_default() += 1;
    }
    let c2 = |x: u64| (x * x.saturating_sub(1)) as f64 / 2.0;
    let index: f64 = pairs.values().map(|&x| c2(x)).sum();
    let sa: f64 = ra.values().map(|&x| c2(x)).sum();
    let sb: f64 = rb.values().map(|&x| c2(x)).sum();
    let expected = sa * sb / c2(n as u64);
    let max = (sa + sb) / 2.0;
    if max == expected {
        return 1.0;
    }
    (index - expected) / (max - expected)
}

/// Convex hull (Andrew's monotone chain), counter-clockwise, for drawing a group's outline.
pub fn convex_hull(points: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let mut p: Vec<[f64; 2]> = points.to_vec();
    p.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    p.dedup();
    if p.len() < 3 {
        return p;
    }
    let cross = |o: [f64; 2], a: [f64; 2], b: [f64; 2]| {
        (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
    };
    let mut hull: Vec<[f64; 2]> = Vec::with_capacity(p.len() * 2);
    for &q in &p {
        while hull.len() >= 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], q) <= 0.0 {
            hull.pop();
        }
        hull.push(q);
    }
    let lower = hull.len() + 1;
    for &q in p.iter().rev().skip(1) {
        while hull.len() >= lower && cross(hull[hull.len() - 2], hull[hull.len() - 1], q) <= 0.0 {
            hull.pop();
        }
        hull.push(q);
    }
    hull.pop();
    hull
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two planted camps of 30 on 10 statements: they agree on 0..5 and split on 5..10.
    fn planted() -> VoteMatrix {
        let mut votes = Vec::new();
        for p in 0..60u32 {
            for s in 0..10u32 {
                let camp = if p < 30 { 1 } else { -1 };
                let v = if s < 5 { 1 } else { camp };
                // a few passes and gaps, deterministic
                if (p + s) % 7 == 0 {
                    continue;
                }
                votes.push((p, s, if (p * 3 + s) % 11 == 0 { 0 } else { v }));
            }
        }
        VoteMatrix::new(60, vec![false; 10], &votes).expect("valid")
    }

    #[test]
    fn planted_camps_are_found_and_consensus_is_shared() {
        let r = compute(&planted());
        assert_eq!(r.groups.len(), 2, "silhouettes {:?}", r.silhouettes);
        let ours: Vec<i64> = r.group_of.iter().map(|g| g.map_or(-1, i64::from)).collect();
        let truth: Vec<i64> = (0..60).map(|p| i64::from(p >= 30)).collect();
        assert!((adjusted_rand_index(&ours, &truth) - 1.0).abs() < 1e-12);
        // Statements 0..5 unite; 5..10 divide.
        let top = r
            .statements
            .iter()
            .max_by(|a, b| a.group_consensus.total_cmp(&b.group_consensus))
            .expect("statements");
        assert!(top.statement < 5);
        assert!(r.statements[7].divisiveness > 0.8);
        assert!(r.consensus_agree.iter().all(|c| c.statement < 5));
        for g in &r.groups {
            // What sets a group apart is one of the divisive statements (Pol.is may put the
            // group's best agreed statement first, whatever it is).
            assert!(g.representative.iter().any(|x| x.statement >= 5));
            let n = r.statements[0].group_consensus_normalised;
            assert!((n - r.statements[0].group_consensus.sqrt()).abs() < 1e-12);
        }
    }

    #[test]
    fn same_input_same_bits() {
        let a = compute(&planted());
        let b = compute(&planted());
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }

    #[test]
    fn few_votes_are_not_clustered_once_fifteen_are() {
        let mut votes = Vec::new();
        for p in 0..20u32 {
            for s in 0..10u32 {
                votes.push((p, s, if p % 2 == 0 { 1 } else { -1 }));
            }
        }
        votes.push((20, 0, 1)); // one vote only
        let r = compute(&VoteMatrix::new(21, vec![false; 10], &votes).expect("valid"));
        assert!(r.group_of[20].is_none());
        assert!(r.points[20].is_some());
        assert_eq!(r.clustered(), 20);
    }

    #[test]
    fn the_clustered_set_is_sticky_when_votes_carry_times() {
        // 20 participants vote on 10 statements; participant 20 voted on statement 0 when it was
        // the only one: she was in then (1 ≥ min(7, 1)) and stays in.
        let mut votes = Vec::new();
        let mut times = Vec::new();
        for p in 0..20u32 {
            for s in 0..10u32 {
                votes.push((p, s, if p % 2 == 0 { 1 } else { -1 }));
                let at = if s == 0 { 10 + p } else { 1_000 + p * 10 + s };
                times.push((p, s, i64::from(at)));
            }
        }
        // After 20 others (so not by the greedy fill of the first 15 voters).
        votes.push((20, 0, 1));
        times.push((20, 0, 200)); // a later, replaced vote on the same pair
        times.push((20, 0, 100));
        let created: Vec<Option<i64>> = (0..10)
            .map(|s| Some(if s == 0 { 0 } else { 500 }))
            .collect();
        let m = VoteMatrix::new(21, vec![false; 10], &votes).expect("valid");
        assert!(compute(&m).group_of[20].is_none());
        let timed = m.clone().with_timeline(&times, &created);
        assert!(timed.is_timed());
        assert!(compute(&timed).group_of[20].is_some());
        // A current vote without a time: no timeline, final counts decide.
        assert!(!m.with_timeline(&times[1..], &created).is_timed());
    }

    #[test]
    fn invalid_votes_are_refused() {
        assert!(matches!(
            VoteMatrix::new(1, vec![false], &[(0, 0, 1), (0, 0, -1)]),
            Err(DialogueMathError::Duplicate { .. })
        ));
        assert!(VoteMatrix::new(1, vec![false], &[(0, 1, 1)]).is_err());
        assert!(VoteMatrix::new(1, vec![false], &[(0, 0, 2)]).is_err());
    }

    #[test]
    fn ari_of_a_relabelling_is_one_and_hull_encloses() {
        assert!((adjusted_rand_index(&[0, 0, 1, 1], &[5, 5, 3, 3]) - 1.0).abs() < 1e-12);
        assert!(adjusted_rand_index(&[0, 1, 0, 1], &[0, 0, 1, 1]) < 0.0);
        let h = convex_hull(&[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.5, 0.5]]);
        assert_eq!(h.len(), 4);
    }
}
