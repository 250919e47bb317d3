//! Opinion groups at scale: a synthetic conversation with planted groups
//! ([`grotius_analysis::synthetic::planted`]), its matrix, and `compute` timed.
//!
//! ```text
//! cargo run --release -p grotius-analysis --example dialogue_scale -- \
//!     --participants 100000 --statements 2000 --votes 10000000 [--runs 3] [--seed 1] \
//!     [--write-csv DIR]
//! ```
//!
//! Prints generation and matrix time, the median (and every) compute time, the peak resident
//! memory of the compute phase (VmHWM after resetting it once the matrix is built and the
//! generated vote list dropped) and of the whole process, the clustered participants, the k
//! chosen, the ARI against the planted groups and a hash of the result (every run must give
//! the same; run the command twice to see it across processes). `--write-csv DIR` writes
//! `DIR/votes.csv` (participant,statement,vote) and `DIR/groups.csv` (participant,group) for
//! the Python reference (`bench/dialogue_reference.py`).

use std::io::Write;
use std::time::Instant;

use grotius_analysis::dialogue::{DialogueResult, VoteMatrix, adjusted_rand_index, compute};
use grotius_analysis::synthetic::planted;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn num(args: &[String], name: &str, default: usize) -> usize {
    arg(args, name).map_or(default, |v| {
        v.replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("{name}: not a number: {v}"))
    })
}

/// VmHWM (peak resident set) of this process, in MiB.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Resets VmHWM to the current resident set (Linux: "5" to /proc/self/clear_refs).
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// FNV-1a over everything the groups depend on: projections, groups, silhouettes, rates.
fn result_hash(r: &DialogueResult) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for p in &r.points {
        match p {
            Some([x, y]) => {
                eat(&x.to_bits().to_le_bytes());
                eat(&y.to_bits().to_le_bytes());
            }
            None => eat(&[0xff]),
        }
    }
    for g in &r.group_of {
        eat(&g.map_or(-1, i64::from).to_le_bytes());
    }
    for (k, s) in &r.silhouettes {
        eat(&(*k as u64).to_le_bytes());
        eat(&s.to_bits().to_le_bytes());
    }
    for g in &r.groups {
        eat(&(g.size as u64).to_le_bytes());
        eat(&g.centre[0].to_bits().to_le_bytes());
        eat(&g.centre[1].to_bits().to_le_bytes());
        for x in &g.representative {
            eat(&(x.statement as u64).to_le_bytes());
        }
    }
    for row in &r.group_agree {
        for x in row {
            eat(&x.to_bits().to_le_bytes());
        }
    }
    h
}

fn write_csv(dir: &str, participants: &[u32], votes: &[(u32, u32, i8)]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut f = std::io::BufWriter::new(std::fs::File::create(format!("{dir}/votes.csv"))?);
    writeln!(f, "participant,statement,vote")?;
    for (p, s, v) in votes {
        writeln!(f, "{p},{s},{v}")?;
    }
    f.flush()?;
    let mut f = std::io::BufWriter::new(std::fs::File::create(format!("{dir}/groups.csv"))?);
    writeln!(f, "participant,group")?;
    for (p, g) in participants.iter().enumerate() {
        writeln!(f, "{p},{g}")?;
    }
    f.flush()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let participants = num(&args, "--participants", 100_000);
    let statements = num(&args, "--statements", 2_000);
    let votes = num(&args, "--votes", 10_000_000);
    let runs = num(&args, "--runs", 3).max(1);
    let seed = num(&args, "--seed", 1) as u64;

    let t = Instant::now();
    let synthetic = planted(participants, statements, votes, seed);
    let generated = t.elapsed();
    if let Some(dir) = arg(&args, "--write-csv") {
        write_csv(&dir, &synthetic.group, &synthetic.votes)
            .unwrap_or_else(|e| panic!("cannot write {dir}: {e}"));
        println!("wrote {dir}/votes.csv and {dir}/groups.csv");
    }
    let t = Instant::now();
    let matrix = VoteMatrix::new(participants, vec![false; statements], &synthetic.votes)
        .unwrap_or_else(|e| panic!("generated votes refused: {e}"));
    let built = t.elapsed();
    let planted_group = synthetic.group;
    drop(synthetic.votes);
    let peak_before = peak_rss_mib();
    let reset = reset_peak();
    let rss_matrix = peak_rss_mib();

    println!(
        "size: {participants} participants x {statements} statements, {} votes (seed {seed})",
        matrix.votes()
    );
    println!(
        "generation: {:.3} s; VoteMatrix::new: {:.3} s; peak RSS so far {peak_before:.0} MiB",
        generated.as_secs_f64(),
        built.as_secs_f64()
    );

    let mut times = Vec::new();
    let mut hashes = Vec::new();
    let mut last = None;
    for run in 0..runs {
        let t = Instant::now();
        let result = compute(&matrix);
        let took = t.elapsed().as_secs_f64();
        let h = result_hash(&result);
        println!("compute run {}: {took:.3} s, hash {h:016x}", run + 1);
        times.push(took);
        hashes.push(h);
        last = Some(result);
    }
    let peak_compute = peak_rss_mib();
    let Some(result) = last else { return };
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];

    let (mut ours, mut truth) = (Vec::new(), Vec::new());
    for (p, g) in result.group_of.iter().enumerate() {
        if let Some(g) = g {
            ours.push(i64::from(*g));
            truth.push(i64::from(planted_group[p]));
        }
    }
    let ari = adjusted_rand_index(&ours, &truth);
    let all_ours: Vec<i64> = result
        .group_of
        .iter()
        .map(|g| g.map_or(-1, i64::from))
        .collect();
    let all_truth: Vec<i64> = planted_group.iter().map(|g| i64::from(*g)).collect();
    let ari_all = adjusted_rand_index(&all_ours, &all_truth);

    println!(
        "compute: median {median:.3} s of {runs} (first {:.3} s)",
        times[0]
    );
    if reset {
        println!(
            "peak RSS of the compute phase: {peak_compute:.0} MiB (matrix resident: {rss_matrix:.0} MiB); whole process: {:.0} MiB",
            peak_compute.max(peak_before)
        );
    } else {
        println!(
            "peak RSS (whole process, VmHWM could not be reset): {:.0} MiB",
            peak_compute.max(peak_before)
        );
    }
    println!(
        "clustered: {} of {participants}; k = {} (silhouettes {:?}); group sizes {:?}",
        result.clustered(),
        result.groups.len(),
        result
            .silhouettes
            .iter()
            .map(|(k, s)| format!("{k}:{s:.3}"))
            .collect::<Vec<_>>(),
        result.groups.iter().map(|g| g.size).collect::<Vec<_>>()
    );
    println!(
        "ARI vs planted groups: {ari:.4} over clustered participants ({:.4} counting the unclustered as a group of their own)",
        ari_all
    );
    let same = hashes.iter().all(|h| *h == hashes[0]);
    println!(
        "result hash: {:016x} ({})",
        hashes[0],
        if same {
            "identical in every run"
        } else {
            "DIFFERS between runs"
        }
    );
    if !same {
        std::process::exit(1);
    }
}
