//! Power loss during activation: a writer process saves new states in a loop and is killed with
//! SIGKILL at random moments, 250 times. After each kill the store must load, and hold either the
//! state before the interrupted write or the one after it, never a mix. (SIGKILL stops the
//! process at any instruction; the fsync-rename-fsync sequence is what carries the same promise
//! through a real power cut on a journalling file system.)
//!
//! Runs without the libtest harness: the same binary is the writer when HHT_STORE_WRITER is set.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use activation::store::{Store, StoredState};
use smartcard::authorisation::MESSAGE_LEN;

const KILLS: usize = 250;

/// The state the writer saves for a sequence number: every byte depends on it.
fn state_for(seq: u64) -> StoredState {
    let mut a = [0u8; MESSAGE_LEN];
    for (i, b) in a.iter_mut().enumerate() {
        *b = (seq as u8).wrapping_mul(31).wrapping_add(i as u8);
    }
    StoredState {
        authorisation: Some(a),
        highest_sequence: seq,
        position_locked: seq % 2 == 1,
    }
}

fn writer(dir: &Path) -> ! {
    let store = Store::new(dir);
    let mut seq = store.load().expect("store readable").highest_sequence;
    loop {
        seq += 1;
        store.save(&state_for(seq)).expect("save");
    }
}

fn random_below(n: u32) -> u32 {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).expect("entropy");
    u32::from_le_bytes(b) % n
}

fn main() {
    if let Some(dir) = std::env::var_os("HHT_STORE_WRITER") {
        writer(Path::new(&dir));
    }
    // `cargo test -- --list` and filters: this target has one test.
    if std::env::args().any(|a| a == "--list") {
        println!("power_loss: test");
        return;
    }
    let dir = std::env::temp_dir().join(format!("hht-power-loss-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::new(&dir);
    let me = std::env::current_exe().unwrap();
    let mut last = 0u64;
    let mut mid_write = 0;
    for i in 0..KILLS {
        let mut child = Command::new(&me)
            .env("HHT_STORE_WRITER", &dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(u64::from(
            2_000 + random_below(25_000),
        )));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if dir.join("state.bin.tmp").exists() {
            mid_write += 1;
        }
        let s = store
            .load()
            .unwrap_or_else(|e| panic!("kill {i}: store unreadable after SIGKILL: {e}"));
        if s.highest_sequence == 0 {
            assert_eq!(
                s,
                StoredState::default(),
                "kill {i}: half-written first state"
            );
        } else {
            assert_eq!(
                s,
                state_for(s.highest_sequence),
                "kill {i}: state is neither old nor new"
            );
        }
        assert!(
            s.highest_sequence >= last,
            "kill {i}: went back from {last} to {}",
            s.highest_sequence
        );
        last = s.highest_sequence;
    }
    assert!(last > 10, "the writer made progress ({last} saves)");
    println!(
        "power_loss: {KILLS} SIGKILLs at random moments, {last} states saved, {mid_write} kills left a temp \
         file behind (killed mid-save); the store was always the old or the new state"
    );
    println!("test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out");
    let _ = std::fs::remove_dir_all(&dir);
}
