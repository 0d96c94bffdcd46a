//! The operator tool as the county uses it: from a household record or from arguments.

mod common;

use std::process::Command;

use activation::message::{parse_file, AuthorisationRepr};
use common::*;

fn run(args: &[&str]) -> std::process::Output {
    let root = env!("CARGO_MANIFEST_DIR");
    Command::new(env!("CARGO_BIN_EXE_operator-sign"))
        .current_dir(root)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn household_record_becomes_a_signed_authorisation() {
    let dir = temp_dir("opsign");
    let rec = dir.join("household.json");
    std::fs::write(
        &rec,
        r#"{"name":"扎西","address":"拉萨市城关区","phone":"13800000000","box_id":"HHT-0001",
            "card_number":8100000001,"latitude":29.652,"longitude":91.172,"radius_m":800}"#,
    )
    .unwrap();
    let out = dir.join("auth.bin");
    let o = run(&[
        "--key",
        "testdata/TEST-operator-signing.key",
        "--household",
        rec.to_str().unwrap(),
        "--card-key",
        "../smartcard/testdata/TEST-card-8100000001.key",
        "--valid-from",
        "2026-11-01T08:00:00Z",
        "--valid-until",
        "2027-11-01",
        "--seq",
        "7",
        "--format",
        "binary",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&out).unwrap();
    let msgs = parse_file(&bytes).unwrap();
    let key = ed25519_dalek::VerifyingKey::from_bytes(&activation::engine::FIRMWARE_OPERATOR_KEY)
        .unwrap();
    let a = AuthorisationRepr::verify(&msgs[0], &key).unwrap();
    assert_eq!((a.card_number, a.radius_m, a.sequence), (CARD_1, 800, 7));
    assert_eq!(a.valid_from, 1_793_520_000);
    assert_eq!(a.box_id.as_str(), "HHT-0001");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn print_public_matches_the_firmware_key_and_errors_are_clear() {
    let o = run(&[
        "--print-public",
        "--key",
        "testdata/TEST-operator-signing.key",
    ]);
    assert!(o.status.success());
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        include_str!("../testdata/TEST-operator.pub").trim()
    );
    let o = run(&[
        "--key",
        "testdata/TEST-operator-signing.key",
        "--card-pubkey",
        &"00".repeat(32),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--valid-from is required"));
    let o = run(&["--key", "testdata/nope.key", "--print-public"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nope.key"));
}
