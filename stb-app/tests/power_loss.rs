//! Power loss during a scan: the scanning process is killed with SIGKILL at random moments, 200 times, alternating
//! between two lineups. Every time, the channel database must open, pass SQLite's integrity check and hold either
//! the list it had before that scan or the complete list that scan would have written, never anything in between.

mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use stb_app::channels::ChannelDb;
use support::{temp_dir, write_transponder, GenService};
use ts_si::descriptors::DvbString;
use ts_si::text::Charset;

const FREQS: [u32; 8] = [11840, 11880, 11920, 11960, 12020, 12060, 12100, 12140];

/// Writes lineup `which` (0 or 1): the second renames services and drops one from each transponder.
fn write_lineup(dir: &Path, which: usize) -> PathBuf {
    let mut lines = String::new();
    for (t, f) in FREQS.iter().enumerate() {
        let services: Vec<GenService> = (0..6)
            .filter(|k| which == 0 || *k != t % 6)
            .map(|k| {
                let n = (t * 6 + k) as u16;
                let name = if which == 0 {
                    format!("频道 {n}")
                } else {
                    format!("新频道 {n}")
                };
                GenService::tv(n + 1, DvbString::encode(&name, Charset::Gb2312))
            })
            .collect();
        let file = format!("l{which}-tp{t}.ts");
        write_transponder(&dir.join(&file), 0x200 + t as u16, 2, &services, &[], 2);
        lines += &format!("{f} {} 28800 {file}\n", if t < 4 { "r" } else { "l" });
    }
    let path = dir.join(format!("lineup{which}"));
    std::fs::write(&path, lines).unwrap();
    path
}

/// The list as a comparable text; opening runs the integrity check.
fn state(db: &Path) -> String {
    let db = ChannelDb::open(db)
        .unwrap_or_else(|e| panic!("the database does not open after a kill: {e}"));
    assert_eq!(db.integrity_check().unwrap(), "ok");
    db.channels()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {} {}\n",
                c.number, c.tsid, c.service_id, c.name, c.vanished
            )
        })
        .collect()
}

fn scan(lineup: &Path, db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_stb-app"));
    c.args(["scan", "--satellite", "92.2E", "--replay"])
        .arg(lineup)
        .arg("--db")
        .arg(db);
    c.stdout(Stdio::null()).stderr(Stdio::null());
    c
}

fn copy_db(from: &Path, to: &Path) {
    for ext in ["", "-wal", "-shm"] {
        let (a, b) = (
            PathBuf::from(format!("{}{ext}", from.display())),
            PathBuf::from(format!("{}{ext}", to.display())),
        );
        let _ = std::fs::remove_file(&b);
        if a.exists() {
            std::fs::copy(&a, &b).unwrap();
        }
    }
}

#[test]
fn sigkill_at_random_moments_leaves_the_old_or_the_new_list() {
    let dir = temp_dir("power-loss");
    let lineups = [write_lineup(&dir, 0), write_lineup(&dir, 1)];
    let db = dir.join("channels.db");
    let scratch = dir.join("scratch.db");

    // How long an uninterrupted scan takes: kills land anywhere in it, and a little after.
    let t = Instant::now();
    assert!(scan(&lineups[0], &db).status().unwrap().success());
    let full = t.elapsed();

    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("power-loss seed {seed}, full scan {} ms", full.as_millis());
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    // (state before, lineup) -> state after a complete scan.
    let mut outcome: HashMap<(String, usize), String> = HashMap::new();
    let (mut kept_old, mut got_new, mut same) = (0, 0, 0);
    for i in 0..200 {
        let which = i % 2;
        let before = state(&db);
        let after = outcome
            .entry((before.clone(), which))
            .or_insert_with(|| {
                copy_db(&db, &scratch);
                assert!(scan(&lineups[which], &scratch).status().unwrap().success());
                state(&scratch)
            })
            .clone();
        let mut child = scan(&lineups[which], &db).spawn().unwrap();
        let delay = random() % (full.as_micros() as u64 * 13 / 10).max(1);
        std::thread::sleep(Duration::from_micros(delay));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let now = state(&db);
        if now == before && now == after {
            same += 1;
        } else if now == before {
            kept_old += 1;
        } else if now == after {
            got_new += 1;
        } else {
            panic!("kill {i} after {delay} µs left a list that is neither the old nor the new one:\n{now}");
        }
    }
    println!("power-loss: 200 SIGKILLs: {kept_old} kept the old list, {got_new} had the new one, {same} where both agree; integrity ok every time");
    assert!(
        kept_old > 0 && got_new > 0,
        "the kills should land both before and after the commit"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
