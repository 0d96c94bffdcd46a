//! A power cut in the middle of writing the channel list: the emulated box rewrites its list on its data disk
//! (ext4 on virtio) in a loop, and QEMU's `system_reset` cuts it at a random moment. After the next boot the list
//! must open, pass SQLite's integrity check and be one whole list, never a mix.

use std::time::{Duration, Instant};

use box_tests::BoxRun;

const DB: &str = "/var/lib/stb/channels.db";

/// Two dvbv5 lists of the same 30 services under different names; importing one renames all of them at once.
fn lists_script() -> String {
    let mut s = String::new();
    for (file, prefix) in [("/tmp/list0.conf", "A"), ("/tmp/list1.conf", "B")] {
        s += &format!(": > {file}\n");
        for n in 1..=30 {
            s += &format!(
                "printf '[{prefix}-{n}]\\n\\tSERVICE_ID = {n}\\n\\tNETWORK_ID = 7\\n\\tTRANSPORT_ID = 7\\n\\tVIDEO_PID = {}\\n\\tFREQUENCY = 11840000\\n\\tPOLARIZATION = RIGHT\\n\\tSYMBOL_RATE = 28800000\\n\\tDELIVERY_SYSTEM = DVBS\\n\\n' >> {file}\n",
                256 + n
            );
        }
    }
    s
}

#[test]
fn a_power_cut_while_writing_leaves_one_whole_list() {
    let disk = std::env::temp_dir().join(format!("stb-power-cut-{}.img", std::process::id()));
    let _ = std::fs::remove_file(&disk);
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    for cut in 0..3 {
        let script = format!(
            "{}\necho looping\ni=0\nwhile true; do\n  stb-app channels --db {DB} --import dvbv5 /tmp/list$((i % 2)).conf >/dev/null\n  i=$((i+1)); echo \"imported $i\"\ndone\n",
            lists_script()
        );
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = Duration::from_millis(300 + seed % 2500);
        let g = BoxRun::new()
            .disk(&disk)
            .power_cut()
            .run_with(&script, |ctl| {
                assert!(
                    ctl.wait_for(
                        "imported 2",
                        None,
                        Instant::now() + Duration::from_secs(180)
                    ),
                    "the box never started writing"
                );
                std::thread::sleep(delay);
                ctl.monitor("system_reset");
            });
        let writes = g.stdout.matches("imported").count();
        let after = BoxRun::new()
            .disk(&disk)
            .run(&format!("stb-app channels --db {DB} --json"));
        assert_eq!(
            after.status, 0,
            "after cut {cut}: the list does not open: {}",
            after.stderr
        );
        let list: serde_json::Value =
            serde_json::from_str(after.stdout.trim()).expect("the list as JSON");
        let names: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names.len(), 30, "after cut {cut}: {names:?}");
        let all_a = names.iter().all(|n| n.starts_with("A-"));
        let all_b = names.iter().all(|n| n.starts_with("B-"));
        assert!(
            all_a || all_b,
            "after cut {cut} ({writes} writes, {} ms in): a mixed list {names:?}",
            delay.as_millis()
        );
        println!(
            "power cut {cut}: after {writes} completed writes and {} ms, the list is whole ({})",
            delay.as_millis(),
            if all_a { "A" } else { "B" }
        );
    }
    let _ = std::fs::remove_file(&disk);
}
