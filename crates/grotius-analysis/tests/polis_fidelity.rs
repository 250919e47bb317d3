//! Fidelity: our opinion groups against Pol.is's own `group-id` on every real conversation in
//! the shared Pol.is data (`GROTIUS_POLIS_DATA`, default `../shared/data/polis` next to the
//! checkout). One method for all conversations, k chosen by the method. Fails loudly when the
//! data is missing.

use std::path::{Path, PathBuf};

use grotius_analysis::dialogue::{VoteMatrix, adjusted_rand_index, compute};
use grotius_domain::dialogue::parse_polis_export;

/// The median measured when the method was fixed (0.531 with "polis-2"), rounded down.
const MEDIAN_FLOOR: f64 = 0.5;

fn data_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("GROTIUS_POLIS_DATA") {
        return PathBuf::from(dir);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for candidate in [
        root.join("../shared/data/polis"),
        root.join("../../shared/data/polis"),
        PathBuf::from("/work/shared/data/polis"),
    ] {
        if candidate.is_dir() {
            return candidate;
        }
    }
    panic!(
        "the Pol.is conversations are missing: set GROTIUS_POLIS_DATA to the folder holding \
         one export folder per conversation (looked next to the checkout and in /work/shared)"
    );
}

fn read(dir: &Path, name: &str) -> Option<String> {
    std::fs::read_to_string(dir.join(name)).ok()
}

#[test]
fn groups_match_polis_on_every_shared_conversation() {
    let dir = data_dir();
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("participants-votes.csv").is_file())
        .collect();
    folders.sort();
    assert!(
        !folders.is_empty(),
        "no Pol.is export folder in {}",
        dir.display()
    );
    let mut aris = Vec::new();
    for folder in &folders {
        let name = folder
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let export = parse_polis_export(
            &read(folder, "comments.csv").unwrap_or_else(|| panic!("{name}: no comments.csv")),
            read(folder, "votes.csv").as_deref(),
            &read(folder, "participants-votes.csv").unwrap_or_default(),
            read(folder, "summary.csv").as_deref(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let matrix = VoteMatrix::from_polis(&export);
        let started = std::time::Instant::now();
        let result = compute(&matrix);
        let took = started.elapsed();
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for (i, p) in export.participants.iter().enumerate() {
            if let Some(g) = p.polis_group {
                theirs.push(g);
                ours.push(result.group_of[i].map_or(-1, i64::from));
            }
        }
        let ari = adjusted_rand_index(&ours, &theirs);
        let polis_k = theirs
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        println!(
            "{name:45} participants {:5} grouped-by-polis {:5} k ours {} polis {}  ARI {ari:.3}  ({:.1} ms)",
            export.participants.len(),
            theirs.len(),
            result.groups.len(),
            polis_k,
            took.as_secs_f64() * 1e3
        );
        aris.push(ari);
    }
    aris.sort_by(f64::total_cmp);
    let n = aris.len();
    let median = if n % 2 == 1 {
        aris[n / 2]
    } else {
        (aris[n / 2 - 1] + aris[n / 2]) / 2.0
    };
    println!("median ARI over {n} conversations: {median:.3}");
    // The brief's target is a median of 0.80 (red-dwarf reaches 0.636); what this method reaches
    // is recorded in BENCHMARKS.md. The floor below guards against regressions of the method.
    assert!(
        median >= MEDIAN_FLOOR,
        "median ARI {median:.3} fell below {MEDIAN_FLOOR} (target 0.80)"
    );
}
