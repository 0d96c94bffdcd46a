//! The authorisation over the air: the CAT of the operator's transponder names the activation PID, and the box
//! picks the sections of its own group there. Through the replay tuner with a generated stream.

mod support;

use activation::message::{degrees_to_e7, AuthorisationRepr, BoxId};
use activation::section::{box_group, AuthorisationSectionRepr};
use ed25519_dalek::SigningKey;
use smartcard::keyfile::read_key_file;
use support::{stb_app_env, temp_dir, write_activation_stream};

/// `stb-app` as the emulated box HHT-EMU-000001 with its data in `dir`.
fn stb_app(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    stb_app_env(
        args,
        &[
            ("STB_BOX_ID", "HHT-EMU-000001".as_ref()),
            ("STB_DATA_DIR", dir.as_os_str()),
        ],
    )
}

fn key(rel: &str) -> SigningKey {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(rel);
    SigningKey::from_bytes(&read_key_file(&path).unwrap())
}

/// A signed authorisation for `box_id`, in a section of that box's group.
fn section(box_id: &str, seq: u64) -> Vec<u8> {
    let operator = key("activation/testdata/TEST-operator-signing.key");
    let card = key("smartcard/testdata/TEST-card-8100000001.key");
    let box_id: BoxId = box_id.parse().unwrap();
    let repr = AuthorisationRepr {
        key_id: 0,
        card_number: 8_100_000_001,
        card_public_key: card.verifying_key().to_bytes(),
        box_id,
        latitude_e7: degrees_to_e7(29.65).unwrap(),
        longitude_e7: degrees_to_e7(91.13).unwrap(),
        radius_m: 5000,
        valid_from: 1_767_225_600,
        valid_until: 1_893_456_000,
        sequence: seq,
    };
    let msg = repr.emit_signed(&operator).unwrap();
    AuthorisationSectionRepr {
        group: box_group(&repr.box_id),
        version: (seq & 0x1f) as u8,
        section_number: 0,
        last_section_number: 0,
        messages: vec![&msg],
    }
    .to_bytes()
    .unwrap()
}

#[test]
fn the_authorisation_arrives_over_the_air_for_this_box_only() {
    let dir = temp_dir("ota");
    // Another box's section first (a different group: the filter does not even deliver it), then ours.
    write_activation_stream(
        &dir.join("op.ts"),
        0x0100,
        0x1ff0,
        &[section("HHT-EMU-999999", 4), section("HHT-EMU-000001", 1)],
        5,
    );
    std::fs::write(dir.join("lineup"), "11840 r 28800 op.ts\n").unwrap();
    let lineup = dir.join("lineup");
    let listen = [
        "activation",
        "listen",
        "--replay",
        lineup.to_str().unwrap(),
        "--freq",
        "11840",
        "--pol",
        "r",
        "--sr",
        "28800",
        "--reader",
        "/nonexistent",
        "--timeout",
        "10",
    ];
    let (code, stdout, stderr) = stb_app(&dir, &listen);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (_, status, _) = stb_app(
        &dir,
        &["activation", "status", "--json", "--reader", "/nonexistent"],
    );
    let status: serde_json::Value = serde_json::from_str(status.trim()).unwrap();
    assert_eq!(status["sequence"], 1, "{status}");
    assert_eq!(status["home"]["radius_m"], 5000);

    // A transponder whose CAT names no activation PID says so, and stores nothing new.
    let plain = temp_dir("ota-plain");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/vidtv-dvbs-beethoven.ts"
        ),
        plain.join("a.ts"),
    )
    .unwrap();
    std::fs::write(plain.join("lineup"), "11840 r 28800 a.ts\n").unwrap();
    let lineup = plain.join("lineup");
    let listen = [
        "activation",
        "listen",
        "--replay",
        lineup.to_str().unwrap(),
        "--freq",
        "11840",
        "--pol",
        "r",
        "--sr",
        "28800",
        "--reader",
        "/nonexistent",
        "--timeout",
        "2",
    ];
    let (code, _, stderr) = stb_app(&plain, &listen);
    assert_eq!(code, 1);
    assert!(stderr.contains("no activation PID in the CAT"), "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_dir_all(plain);
}

/// What the box's screens do while a channel is watched: the collector finds the activation PID in the CAT, then
/// hands out each of this box's sections once, however often the operator repeats it, and a new one as it comes.
#[test]
fn the_collector_hands_out_each_authorisation_once_however_often_it_is_sent() {
    use stb_app::emm::EmmCollector;
    use stb_app::lnb::{Lnb, Polarisation};
    use stb_app::tuner::replay::{ReplayTransponder, ReplayTuner};
    use stb_app::tuner::{Transponder, TuneRequest, Tuner};
    use std::time::Duration;

    let dir = temp_dir("ota-collector");
    let ours = [section("HHT-EMU-000001", 1), section("HHT-EMU-000001", 2)];
    // Another box's section (most likely another group), then two authorisations of ours, all sent ten times.
    write_activation_stream(
        &dir.join("op.ts"),
        0x0100,
        0x1ff0,
        &[
            section("HHT-EMU-999999", 4),
            ours[0].clone(),
            ours[1].clone(),
        ],
        10,
    );
    let mut tuner = ReplayTuner::new(vec![ReplayTransponder {
        frequency_khz: 11_840_000,
        polarisation: Polarisation::Right,
        symbol_rate: 28_800_000,
        file: dir.join("op.ts"),
        cnr_db: 11.0,
    }]);
    tuner
        .tune(&TuneRequest {
            transponder: Transponder::dvbs(11_840_000, Polarisation::Right, 28_800_000),
            lnb: Lnb::ku_circular_10750(),
            diseqc: Default::default(),
        })
        .unwrap();
    let box_id: BoxId = "HHT-EMU-000001".parse().unwrap();
    let mut emm = EmmCollector::start(&mut tuner, &box_id).unwrap();
    assert_eq!(emm.pid(), None, "the PID comes from the CAT, not before it");
    let mut got = Vec::new();
    while let Some(s) = emm.next(&mut tuner, Duration::from_secs(2)).unwrap() {
        got.push(s);
    }
    assert_eq!(emm.pid(), Some(0x1ff0));
    assert_eq!(
        got,
        ours.to_vec(),
        "each of ours once, in order, no other box's"
    );

    // A stream whose CAT names no activation PID gives nothing, and no PID.
    let plain = dir.join("plain.ts");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/vidtv-dvbs-beethoven.ts"
        ),
        &plain,
    )
    .unwrap();
    let mut tuner = ReplayTuner::new(vec![ReplayTransponder {
        frequency_khz: 11_840_000,
        polarisation: Polarisation::Right,
        symbol_rate: 28_800_000,
        file: plain,
        cnr_db: 11.0,
    }]);
    tuner
        .tune(&TuneRequest {
            transponder: Transponder::dvbs(11_840_000, Polarisation::Right, 28_800_000),
            lnb: Lnb::ku_circular_10750(),
            diseqc: Default::default(),
        })
        .unwrap();
    let mut emm = EmmCollector::start(&mut tuner, &box_id).unwrap();
    assert_eq!(emm.next(&mut tuner, Duration::from_secs(1)).unwrap(), None);
    assert_eq!(emm.pid(), None);
    let _ = std::fs::remove_dir_all(dir);
}
