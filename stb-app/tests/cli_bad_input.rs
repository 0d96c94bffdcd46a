//! Bad input on the command line is refused with one clear line and exit status 2, before any device is opened:
//! these run on the build machine, which has no /dev/dvb at all, so reaching the device would say so instead.

mod support;

use support::stb_app;

fn refused(args: &[&str], expect: &str) {
    let (code, stdout, stderr) = stb_app(args);
    assert_eq!(code, 2, "{args:?}: stdout {stdout} stderr {stderr}");
    assert!(
        stderr.contains(expect),
        "{args:?}: expected '{expect}' in: {stderr}"
    );
    assert_eq!(
        stderr.trim().lines().count(),
        1,
        "one line, not a backtrace: {stderr}"
    );
    assert!(
        !stderr.contains("adapter"),
        "the device was reached for {args:?}: {stderr}"
    );
}

#[test]
fn impossible_tuning_requests_are_refused_before_any_ioctl() {
    refused(
        &["tune", "--freq", "9000", "--pol", "r", "--sr", "28800"],
        "outside what the ku-circular-10750 LNB receives",
    );
    refused(
        &[
            "tune",
            "--freq",
            "11840",
            "--pol",
            "h",
            "--sr",
            "28800",
            "--lnb",
            "ku-circular-10750",
        ],
        "is circular",
    );
    refused(
        &["tune", "--freq", "11840", "--pol", "r", "--sr", "500"],
        "symbol rate 500 kS/s is impossible",
    );
    refused(
        &["tune", "--freq", "11840", "--pol", "r", "--sr", "99000"],
        "impossible",
    );
    refused(
        &[
            "tune", "--freq", "11840", "--pol", "r", "--sr", "28800", "--system", "dvbs2", "--mod",
            "8psk", "--fec", "1/2",
        ],
        "DVB-S2 with 8PSK and FEC 1/2 is not a valid combination",
    );
    refused(
        &[
            "tune", "--freq", "11840", "--pol", "r", "--sr", "28800", "--mod", "16apsk",
        ],
        "DVB-S is QPSK only",
    );
    refused(
        &[
            "tune", "--freq", "11840", "--pol", "r", "--sr", "28800", "--lnb", "quad",
        ],
        "unknown LNB 'quad'",
    );
    refused(
        &["tune", "--freq", "11840", "--pol", "x", "--sr", "28800"],
        "unknown polarisation 'x'",
    );
    refused(
        &[
            "tune", "--freq", "11840", "--pol", "r", "--sr", "28800", "--fec", "7/9",
        ],
        "unknown FEC '7/9'",
    );
    refused(
        &[
            "tune", "--freq", "11840", "--pol", "r", "--sr", "28800", "--diseqc", "E",
        ],
        "DiSEqC committed port",
    );
    refused(
        &["tune", "--freq=-5", "--pol", "r", "--sr", "28800"],
        "impossible",
    );
    refused(
        &[
            "tune",
            "--freq",
            "11000",
            "--pol",
            "v",
            "--sr",
            "28800",
            "--lnb",
            "user:10750",
        ],
        "IF of 250 MHz",
    );
    // The commands where a transponder is optional take all of it or none of it.
    refused(
        &["scan", "--mode", "tp", "--freq", "11840", "--sr", "28800"],
        "give a transponder with all of --freq, --pol and --sr",
    );
    refused(
        &["activation", "listen", "--freq", "11840", "--pol", "r"],
        "give a transponder with all of --freq, --pol and --sr",
    );
    refused(
        &[
            "activation",
            "listen",
            "--freq=-5",
            "--pol",
            "r",
            "--sr",
            "28800",
        ],
        "frequency -5 MHz is impossible",
    );
    refused(
        &[
            "scan", "--mode", "tp", "--freq", "11840", "--pol", "q", "--sr", "28800",
        ],
        "unknown polarisation 'q'",
    );
    refused(
        &["sections", "--pid", "0x2001", "--table", "0"],
        "PID 8193 is over 0x1FFF",
    );
    refused(
        &["sections", "--pid", "0", "--table", "0x100"],
        "table id 256 is over 0xFF",
    );
}

#[test]
fn a_missing_adapter_says_which_and_how_to_check() {
    let (code, _, stderr) = stb_app(&["frontend", "info", "--adapter", "7"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("DVB adapter 7 not found: /dev/dvb/adapter7 does not exist"),
        "{stderr}"
    );
    assert!(stderr.contains("ls /dev/dvb/"), "{stderr}");
    let (code, _, stderr) = stb_app(&[
        "tune",
        "--freq",
        "11840",
        "--pol",
        "r",
        "--sr",
        "28800",
        "--adapter",
        "7",
    ]);
    assert_eq!(code, 1);
    assert!(stderr.contains("DVB adapter 7 not found"), "{stderr}");
}
