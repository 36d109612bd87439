//! `securebase score` against hostile input: the findings of the red-team test on the batch
//! scorer (REDTEAM.md, Surface 1: M2, M6, L12), one test per finding, each named after it.
//!
//! Every run has a deadline: an input that made the scorer quadratic or made it hold the
//! whole file must fail the test in seconds, not hang the test run. Times are for a debug
//! build on a loaded machine, with room to spare; the fixed scorer takes a fraction of them.

// Some tests here need Unix (FIFOs, signals); on Windows their imports go unused.
#![cfg_attr(not(unix), allow(unused_imports, dead_code))]

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::bin::outcome;

/// Starts `securebase ARGS` in the package root with every stream piped.
fn spawn(args: &[&str]) -> Child {
    crate::support::bin::command(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start the securebase binary")
}

/// Runs `securebase ARGS` with `stdin` as its input and kills it at `deadline`; returns
/// (exit code, stdout, stderr, time taken). A run past its deadline fails the test.
fn run_within(
    deadline: Duration,
    args: &[&str],
    stdin: Vec<u8>,
) -> (i32, Vec<u8>, String, Duration) {
    let start = Instant::now();
    let mut child = spawn(args);
    let mut pipe = child.stdin.take().unwrap();
    // The binary may stop reading early (an error in the header): a broken pipe is fine.
    let feeder = thread::spawn(move || {
        let _ = pipe.write_all(&stdin);
    });
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stdout.read_to_end(&mut v);
        v
    });
    let err = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stderr.read_to_end(&mut v);
        v
    });
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("securebase {args:?} still running after {deadline:?}: killed");
        }
        thread::sleep(Duration::from_millis(10));
    }
    let elapsed = start.elapsed();
    let status = child.wait().unwrap();
    feeder.join().unwrap();
    let output = std::process::Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    let (code, stdout, stderr) = outcome(args, output);
    (code, stdout, stderr, elapsed)
}

/// `id,q1,…,q36` and a line break.
fn header() -> String {
    let mut h = "id".to_owned();
    for q in 1..=36 {
        let _ = write!(h, ",q{q}");
    }
    h.push('\n');
    h
}

/// Row `k`: every answer 4 (anxiety and avoidance 4).
fn row(k: usize) -> String {
    format!("r{k}{}\n", ",4".repeat(36))
}

fn rows(n: usize) -> String {
    (0..n).map(row).collect()
}

const SCORE: &[&str] = &["score", "-i", "ecr-r"];

/// M2: one stray quote before the header's first name used to make the scorer re-count the
/// quotes of an ever longer first line (160,000 rows: 39 s in a release build), and then to
/// name 36 missing columns instead of the quote. Now the header is read in one pass and the
/// message names the quote's line and column.
#[test]
fn m2_stray_quote_in_the_header_is_named_quickly() {
    let input = format!("\"{}{}", header(), rows(200_000));
    let (code, _out, stderr, took) = run_within(Duration::from_mins(1), SCORE, input.into());
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("line 1, column 1:") && stderr.contains("quote"),
        "the message should name the quote at line 1, column 1:\n{stderr}"
    );
    assert!(
        !stderr.contains("missing item column"),
        "the message should be about the quote:\n{stderr}"
    );
    assert!(
        took < Duration::from_secs(5),
        "200,000 rows after a stray quote took {took:?}"
    );

    // Inside the header, after other names: the column is the quote's own, in characters
    // (`é` is two bytes but one column).
    let input = format!("né,\"x,{}{}", &header()[3..], rows(10));
    let (code, _out, stderr, _) = run_within(Duration::from_secs(20), SCORE, input.into());
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("line 1, column 4:"), "{stderr}");
}

/// M2, the other way a stray header quote shows: a quote in the data closes it, so the first
/// name runs over many lines and the item columns are "missing". The message still names
/// the quote where it opened.
#[test]
fn m2_stray_quote_closed_in_the_data_is_named() {
    let input = format!(
        "\"{}{}r-note,\"said \"\"no\"\"\"{}\n",
        header(),
        rows(20),
        ",4".repeat(35)
    );
    let (code, _out, stderr, _) = run_within(Duration::from_secs(20), SCORE, input.into());
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("line 1, column 1") && stderr.contains("line 22"),
        "the message should name the quote (line 1, column 1) and where it closes (line 22):\n{stderr}"
    );
}

/// M6: a 17 MiB header with no line break (8.9 million empty names) used to take gigabytes
/// and many seconds before a "missing columns" error. The header is capped at 16 MiB.
#[test]
fn m6_header_without_a_line_break_is_refused_quickly() {
    let input = "a,".repeat(17 << 19);
    let (code, _out, stderr, took) = run_within(Duration::from_mins(1), SCORE, input.into());
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("line 1") && stderr.contains("16 MiB"),
        "the message should say the header row is over the limit:\n{stderr}"
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

/// M6: the number of columns is capped too (2^20), with a named error.
#[test]
fn m6_header_with_too_many_columns_is_refused() {
    let input = format!("{}{}\n{}", header().trim_end(), ",".repeat(1 << 20), row(1));
    let (code, _out, stderr, _) = run_within(Duration::from_mins(1), SCORE, input.into());
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("line 1") && stderr.contains("1048576 columns"),
        "{stderr}"
    );
}

/// Peak resident memory of a running process, from Linux's /proc (kB).
#[cfg(target_os = "linux")]
fn peak_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/PID/status")
}

/// M6: rows of 10^5 columns used to cost 4.7 times the input (batches of 512 rows, each with
/// its field bounds: 10^6 columns × 600 rows took 5.6 GB). Batches are now bounded by bytes,
/// so memory follows the header's width, not the number of rows: measured while the process
/// runs (its input still open) after 100 rows and after 500 (50 MB), it has not grown.
#[cfg(target_os = "linux")]
#[test]
fn m6_memory_does_not_grow_with_wide_rows() {
    const EXTRA: usize = 100_000;
    let mut child = spawn(SCORE);
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let lines = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&lines);
    let reader = thread::spawn(move || {
        let mut out = BufReader::with_capacity(1 << 20, stdout);
        let mut line = Vec::new();
        while out.read_until(b'\n', &mut line).unwrap_or(0) > 0 {
            seen.fetch_add(1, Ordering::SeqCst);
            line.clear();
        }
    });
    let errors = thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let wide_header = format!("{}{}\n", header().trim_end(), ",x".repeat(EXTRA));
    let wide_row = format!("{}{}\n", row(0).trim_end(), ",".repeat(EXTRA));
    stdin.write_all(wide_header.as_bytes()).unwrap();
    // The peak after `rows` rows are written and (but for the last few, which may wait for
    // more input) scored.
    let (after_100, after_500) = {
        let mut written = 0;
        let mut peak_after = |rows: usize| {
            while written < rows {
                stdin.write_all(wide_row.as_bytes()).unwrap();
                written += 1;
            }
            let start = Instant::now();
            while lines.load(Ordering::SeqCst) < rows - 10
                && start.elapsed() < Duration::from_secs(20)
            {
                thread::sleep(Duration::from_millis(20));
            }
            peak_kb(pid)
        };
        (peak_after(100), peak_after(500))
    };
    drop(stdin);
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let stderr = errors.join().unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(lines.load(Ordering::SeqCst), 501);
    assert!(
        after_500 < after_100 + 8_000 && after_500 < 100_000,
        "peak memory {after_100} kB after 100 rows, {after_500} kB after 500 rows of {} bytes",
        wide_row.len()
    );
}

/// M6: a file with old-Mac line endings (CR only) used to be read whole before the first row,
/// because the header reader looked for the first `\n`. It streams like any other file: the
/// first scores come out before the input has all been written.
#[test]
fn m6_cr_only_line_endings_stream() {
    const ROWS: usize = 200_000;
    let mut child = spawn(SCORE);
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let all_written = Arc::new(AtomicBool::new(false));
    let done = Arc::clone(&all_written);
    let feeder = thread::spawn(move || {
        let mut result = stdin.write_all(header().replace('\n', "\r").as_bytes());
        let mut chunk = String::new();
        for k in 0..ROWS {
            chunk.push_str(&row(k).replace('\n', "\r"));
            if chunk.len() > 8192 {
                result = result.and_then(|()| stdin.write_all(chunk.as_bytes()));
                chunk.clear();
            }
        }
        result = result.and_then(|()| stdin.write_all(chunk.as_bytes()));
        done.store(true, Ordering::SeqCst);
        result
    });
    let errors = thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut stdout = BufReader::new(stdout);
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let finished_before_output = all_written.load(Ordering::SeqCst);
    let n = stdout.lines().count();
    let status = child.wait().unwrap();
    feeder.join().unwrap().expect("all input written");
    let stderr = errors.join().unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(first, "id,anxiety,avoidance,n_missing,flags\n");
    assert_eq!(n, ROWS);
    assert!(
        !finished_before_output,
        "no output before all {ROWS} CR-terminated rows were written: the input was read whole"
    );
}

/// L12: a UTF-16 file (Excel's "Unicode Text", or a Windows editor's "Unicode") used to give a
/// UTF-8 warning and 36 missing columns. It is named, with the way out.
#[test]
fn l12_utf16_input_is_named() {
    let text = header() + &rows(2);
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let cases = [
        (
            "UTF-16LE with its byte-order mark",
            [&[0xFF, 0xFE][..], &le].concat(),
        ),
        (
            "UTF-16BE with its byte-order mark",
            [&[0xFE, 0xFF][..], &be].concat(),
        ),
        ("UTF-16LE without a byte-order mark", le),
        ("UTF-16BE without a byte-order mark", be),
    ];
    for (what, input) in cases {
        let (code, _out, stderr, _) = run_within(Duration::from_secs(20), SCORE, input);
        assert_eq!(code, 2, "{what}: {stderr}");
        assert!(
            stderr.contains("UTF-16") && stderr.contains("save it as UTF-8"),
            "{what}: the message should say UTF-16 and how to save as UTF-8:\n{stderr}"
        );
        assert!(!stderr.contains("missing item column"), "{what}: {stderr}");
    }
}

/// L12: a 5 MB bad cell used to be quoted whole (a 50 MB cell gave a 50 MB error line). The
/// message quotes its start and says how long it is.
#[test]
fn l12_huge_bad_cell_is_quoted_by_its_start() {
    let items = format!(
        ",4{},{}{}",
        ",4".repeat(5),
        "7".repeat(5_000_000),
        ",4".repeat(29)
    );
    let input = format!("{}r1{items}\n", header());
    let (code, _out, stderr, _) = run_within(Duration::from_mins(1), SCORE, input.into());
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("line 2, column q7: \"777") && stderr.contains("(5000000 bytes)"),
        "{}",
        &stderr[..stderr.len().min(2000)]
    );
    assert!(stderr.len() < 1000, "a {}-byte message", stderr.len());
}

/// L12: `securebase score … | head -1` used to end with exit 1 and "Broken pipe": the check
/// for a closed pipe did not see the I/O error inside the CSV writer's error.
#[test]
fn l12_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, header() + &rows(200_000)).unwrap();
    for format in ["csv", "json"] {
        let args = [
            "score",
            "-i",
            "ecr-r",
            "--format",
            format,
            "--input",
            input.to_str().unwrap(),
        ];
        let mut child = spawn(&args);
        drop(child.stdin.take());
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        // `head -1` exits: the read end of the pipe closes.
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        let (code, _stdout, stderr) = outcome(&args, out);
        assert_eq!(code, 0, "{format}: {stderr}");
        assert!(stderr.is_empty(), "{format}: {stderr}");
    }
}

/// L12: JSON output's message about a cell that is not UTF-8 named no file.
#[test]
fn l12_json_invalid_utf8_names_the_input_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("latin1.csv");
    let mut bytes = format!("id,name,{}", &header()[3..]).into_bytes();
    bytes.extend_from_slice(b"r1,Ren\xe9");
    bytes.extend_from_slice(&row(0).as_bytes()[2..]);
    std::fs::write(&input, bytes).unwrap();
    let path = input.to_str().unwrap();
    let args = ["score", "-i", "ecr-r", "--format", "json", "--input", path];
    let (code, _out, stderr, _) = run_within(Duration::from_secs(20), &args, Vec::new());
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!("{path}: line 2, column name:")) && stderr.contains("UTF-8"),
        "{stderr}"
    );
}
