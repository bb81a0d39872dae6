//! Running external programs with errors that say which command failed and why.

use crate::progress::{Failure, Result};
use std::path::Path;
use std::process::{Command, Stdio};

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Runs a command to completion with inherited output; fails naming it.
pub fn status(cmd: &mut Command) -> Result {
    let what = describe(cmd);
    match cmd.status() {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(Failure(format!("`{what}` failed ({s})"))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Failure(format!(
            "`{}` not found (needed for `{what}`)",
            cmd.get_program().to_string_lossy()
        ))),
        Err(e) => Err(Failure(format!("cannot start `{what}`: {e}"))),
    }
}

pub fn run(program: &str, args: &[&str]) -> Result {
    status(Command::new(program).args(args))
}

pub fn run_env(program: &str, args: &[&str], env: &[(&str, &str)]) -> Result {
    let mut cmd = Command::new(program);
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    status(&mut cmd)
}

/// Runs a command and returns its standard output; its stderr goes to ours.
pub fn output(program: &str, args: &[&str]) -> Result<String> {
    output_in(program, args, None)
}

pub fn output_in(program: &str, args: &[&str], dir: Option<&Path>) -> Result<String> {
    let mut cmd = Command::new(program);
    cmd.args(args).stderr(Stdio::inherit());
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let what = describe(&cmd);
    let out = cmd
        .output()
        .map_err(|e| Failure(format!("cannot start `{what}`: {e}")))?;
    if !out.status.success() {
        return Err(Failure(format!("`{what}` failed ({})", out.status)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs a command capturing all output; prints it only when the command fails, so a
/// successful step stays quiet and a failing one shows its whole log.
pub fn quiet(cmd: &mut Command) -> Result {
    let what = describe(cmd);
    let out = cmd
        .output()
        .map_err(|e| Failure(format!("cannot start `{what}`: {e}")))?;
    if out.status.success() {
        return Ok(());
    }
    eprintln!("{}", String::from_utf8_lossy(&out.stdout));
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    Err(Failure(format!("`{what}` failed ({})", out.status)))
}
