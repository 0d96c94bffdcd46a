//! `stb-app ts analyze` and `stb-app ts epg` on a capture from the kernel's vidtv adapter.

mod support;

use support::stb_app;

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
