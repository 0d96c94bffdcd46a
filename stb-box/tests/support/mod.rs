//! Running the box's main program as `stb-app ui` and `stb-app render` run it.
#![allow(dead_code)]

use std::path::PathBuf;

/// Runs the `stb-box` binary under test (what `stb-app render ...` and `stb-app ui ...` run) with `env` set.
pub fn stb_app_env(args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> (i32, String, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_stb-box"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("stb-box runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs the `stb-box` binary under test.
pub fn stb_app(args: &[&str]) -> (i32, String, String) {
    stb_app_env(args, &[])
}

/// A fresh folder for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stb-box-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
