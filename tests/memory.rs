//! `groupfit paths` keeps its memory bounded by the listing's budget, not by the tree: on a chain
//! 100,000 questions deep and on a tree with 2^200 paths.
//!
//! The peak memory of a child is read with `getrusage(RUSAGE_CHILDREN)` once it has exited. That
//! is the largest of every child this process has waited for, so this file holds one test, which
//! runs its children one after another, the smallest first.

#![cfg(unix)]
// Test helpers outside #[test] functions unwrap too: a failure there is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use nix::sys::resource::{UsageWho, getrusage};

#[path = "support/trees.rs"]
mod trees;

/// The largest resident set, in MiB, of any child waited for so far.
fn peak_of_children_mib() -> i64 {
    let rss = getrusage(UsageWho::RUSAGE_CHILDREN).unwrap().max_rss();
    // Linux and the BSDs count in KiB, macOS in bytes.
    if cfg!(target_os = "macos") {
        rss / (1024 * 1024)
    } else {
        rss / 1024
    }
}

/// Runs `groupfit paths TREE --format json --max-paths MAX` and gives back the listing.
fn paths_json(tree: &Path, max: &str) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_groupfit"))
        .args(["paths", "--format", "json", "--max-paths", max])
        .arg(tree)
        .env_remove("GROUPFIT_QUESTIONS")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn paths_memory_is_bounded_by_the_budget_not_the_tree() {
    let dir = tempfile::tempdir().unwrap();

    // 2^200 paths, far more than a u64 counts: the total says so, 1,000 are listed.
    let doubling = dir.path().join("doubling.toml");
    std::fs::write(&doubling, trees::doubling(200)).unwrap();
    let listing = paths_json(&doubling, "1000");
    assert_eq!(listing["total"].as_u64(), Some(u64::MAX));
    assert_eq!(listing["complete"], false);
    let rows = listing["paths"].as_array().unwrap();
    assert_eq!(rows.len(), 1000);
    assert!(
        rows.iter()
            .all(|r| r["answers"].as_array().unwrap().len() == 200)
    );
    let peak = peak_of_children_mib();
    assert!(peak < 200, "paths on 2^200 paths took {peak} MiB");

    // A chain 100,000 deep, its ending answer listed first so that a thousand paths are short
    // enough to print. Reading an 18 MB tree takes memory of its own, so that is measured first,
    // with a listing of one path, and the listing of a thousand may add little to it.
    let chain = dir.path().join("chain.toml");
    std::fs::write(&chain, trees::chain(100_000, true)).unwrap();
    let one = paths_json(&chain, "1");
    assert_eq!(one["paths"].as_array().unwrap().len(), 1);
    let reading = peak_of_children_mib();
    let listing = paths_json(&chain, "1000");
    assert_eq!(listing["total"].as_u64(), Some(100_001));
    assert_eq!(listing["complete"], false);
    let rows = listing["paths"].as_array().unwrap();
    assert_eq!(rows.len(), 1000);
    assert_eq!(rows[999]["answers"].as_array().unwrap().len(), 1000);
    assert_eq!(rows[999]["outcome"], "therapy");
    let peak = peak_of_children_mib();
    assert!(
        peak <= reading + 64,
        "listing 1,000 paths took {peak} MiB, reading the tree {reading} MiB"
    );
}
