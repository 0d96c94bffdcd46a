//! `stb-app ts analyze` and `stb-app ts epg` on a capture from the kernel's vidtv adapter.

use std::process::Command;

fn stb_app(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_stb-app"))
        .args(args)
        .output()
        .expect("stb-app runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn analyze_and_epg_read_the_vidtv_capture() {
    let capture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/vidtv-dvbs-beethoven.ts"
    );
    let (code, stdout, stderr) = stb_app(&["ts", "analyze", capture, "--json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("\"Beethoven\"") && stdout.contains("LinuxTV.org"),
        "{stdout}"
    );
    let (code, stdout, stderr) = stb_app(&["ts", "epg", capture]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Für Elise"), "{stdout}");
    let (code, _, stderr) = stb_app(&["ts", "analyze", "/nonexistent/file.ts"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot read /nonexistent/file.ts"),
        "{stderr}"
    );
}
