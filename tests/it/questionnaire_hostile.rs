//! Hostile questionnaire files (REDTEAM surface 2: M4, M6, L3, L4, L13): each is refused at
//! once, by name, with the rule or limit it breaks, and nothing else stops loading.
//!
//! The small cases are files in `tests/data/hostile/` (`tests/data/valid/minimal.json` with one
//! defect), listed in [`CASES`] with where the error must point and a part of its message, as
//! `malformed.rs` does for ordinary mistakes. The large ones (a file past the size limit, 6000
//! blocks × 6000 items) are made here; the FIFO, the link to `/dev/zero` and the look-alike
//! short name are put in a questionnaires folder and loaded the way a run loads them.
//! What runs the binary does so under a memory limit and a clock, so that a regression fails
//! the test instead of eating the machine.

// Several tests here need Unix (FIFOs, modes, links); on Windows their helpers go unused.
#![cfg_attr(not(unix), allow(unused_imports, dead_code))]

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use securebase::catalog::{Catalog, load_file};
use securebase::core::Instrument;

/// (file in `tests/data/hostile/`, expected JSON path, parts of the expected message).
const CASES: &[(&str, &str, &[&str])] = &[
    // L3: a score that cannot be a finite number is refused at load, naming the score.
    (
        "l3-recode-1e308-sum.json",
        "$.scales[1]",
        &["score \"beta\"", "can reach", "1e12"],
    ),
    (
        "l3-recode-1e308-mean.json",
        "$.scales[1]",
        &["score \"beta\"", "can reach"],
    ),
    (
        "l3-sum-above-1e12.json",
        "$.scales[1]",
        &["score \"beta\"", "1.2e12", "1e12"],
    ),
    (
        "l3-derived-weights-1e308.json",
        "$.derived[0]",
        &["score \"total\"", "can reach", "weights"],
    ),
    // L4: whatever follows the object is an error, with its line and column.
    (
        "l4-two-objects.json",
        "$",
        &["trailing characters at line 62 column 1"],
    ),
    (
        "l4-trailing-garbage.json",
        "$",
        &["trailing characters at line 62 column 1"],
    ),
    // L13: control and bidirectional formatting characters, named by code point.
    (
        "l13-item-text-nul.json",
        "$.items[1].text",
        &["U+0000", "control character"],
    ),
    (
        "l13-item-text-bel.json",
        "$.items[1].text",
        &["U+0007", "control character"],
    ),
    (
        "l13-item-text-rlo.json",
        "$.items[2].text",
        &["U+202E", "RIGHT-TO-LEFT OVERRIDE", "bidirectional"],
    ),
    (
        "l13-item-text-tab.json",
        "$.items[0].text",
        &["U+0009", "control character"],
    ),
    (
        "l13-item-text-newline.json",
        "$.items[3].text",
        &["U+000A", "line break"],
    ),
    (
        "l13-anchor-isolate.json",
        "$.response_scale.anchors.5",
        &["U+2067", "RIGHT-TO-LEFT ISOLATE"],
    ),
    (
        "l13-instructions-c1.json",
        "$.instructions.text",
        &["U+0085", "control character"],
    ),
    (
        "l13-name-lrm.json",
        "$.name",
        &["U+200E", "LEFT-TO-RIGHT MARK"],
    ),
    (
        "l13-short-name-alm.json",
        "$.short_name",
        &["U+061C", "ARABIC LETTER MARK"],
    ),
    (
        "l13-scale-name-lri.json",
        "$.scales[0].name",
        &["U+2066", "LEFT-TO-RIGHT ISOLATE"],
    ),
    (
        "l13-choice-value-del.json",
        "$.choice.options[1].value",
        &["U+007F", "control character"],
    ),
    // M6: nesting far beyond the format's own, refused before it is parsed.
    (
        "m6-nesting-deep.json",
        "$",
        &["nested 17 deep", "at most 16", "line 45"],
    ),
];

fn data(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(file)
}

fn read(file: &str) -> String {
    let path = data(file);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// `tests/data/valid/minimal.json` as a JSON value, to edit.
fn minimal() -> serde_json::Value {
    serde_json::from_str(&read("valid/minimal.json")).unwrap()
}

/// Asserts that `text` is refused at `path` with a message holding every one of `parts`.
fn check(name: &str, text: &str, path: &str, parts: &[&str]) {
    let err = match Instrument::from_json(name, text) {
        Ok(i) => panic!("{name}: loaded as {:?}; expected an error at {path}", i.id),
        Err(e) => e,
    };
    assert_eq!(err.file, name);
    assert_eq!(err.path, path, "{name}: wrong path; the error is: {err}");
    for part in parts {
        assert!(
            err.message.contains(part),
            "{name}: message should contain {part:?}: {err}"
        );
    }
}

/// Runs `f` on another thread and fails the test when it takes longer than `limit` (a read that
/// blocks on a FIFO would otherwise hang the whole test run).
fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("{what} did not return within {limit:?}"))
}

/// What a run of the binary under [`limited`] did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    took: Duration,
}

/// Runs `securebase ARGS` with `SECUREBASE_DATA` at `data` (when given) and nothing else of the
/// caller's securebase environment, under a 1 GiB address-space limit (`ulimit -v`) and a
/// 20-second clock: a run that would hang is killed and fails the test, one that would eat
/// memory stops at the limit.
fn limited(args: &[&str], data: Option<&Path>) -> Run {
    let home = tempfile::tempdir().unwrap();
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$0\" \"$@\"")
        .arg(crate::support::bin::BIN)
        .args(args);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SECUREBASE_") {
            command.env_remove(name);
        }
    }
    command
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("share"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = data {
        command.env("SECUREBASE_DATA", dir);
    }
    let started = Instant::now();
    let mut child = command.spawn().unwrap();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("securebase {args:?} did not finish within 20 s (killed)");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = started.elapsed();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("panicked"),
        "securebase {args:?} panicked:\n{stderr}"
    );
    let code = out.status.code().unwrap_or_else(|| {
        panic!("securebase {args:?} was killed by a signal (out of memory?); stderr:\n{stderr}")
    });
    Run {
        code,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
        took,
    }
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    assert!(
        Command::new("mkfifo").arg(path).status().unwrap().success(),
        "mkfifo {}",
        path.display()
    );
}

// ---------------------------------------------------------------------------------------------
// The table.

#[test]
fn every_hostile_file_is_refused_as_expected() {
    for &(file, path, parts) in CASES {
        check(
            &format!("hostile/{file}"),
            &read(&format!("hostile/{file}")),
            path,
            parts,
        );
    }
}

#[test]
fn table_and_folder_agree() {
    let listed: std::collections::BTreeSet<&str> = CASES.iter().map(|(f, ..)| *f).collect();
    assert_eq!(listed.len(), CASES.len(), "a file is listed twice in CASES");
    let on_disk: std::collections::BTreeSet<String> = fs::read_dir(data("hostile"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        listed,
        on_disk.iter().map(String::as_str).collect(),
        "every file in tests/data/hostile/ has a row in CASES, and every row a file"
    );
}

// ---------------------------------------------------------------------------------------------
// M4: FIFOs and devices in a questionnaires folder.

#[cfg(unix)]
#[test]
fn a_fifo_in_a_questionnaires_folder_is_refused_by_name_and_the_rest_loads() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("x.json");
    mkfifo(&fifo);
    fs::write(dir.path().join("y-good.json"), read("valid/minimal.json")).unwrap();
    let folder = dir.path().to_path_buf();
    let catalog = within(Duration::from_secs(5), "load_dir on a FIFO", move || {
        let mut catalog = Catalog::bundled();
        catalog.load_dir(&folder).map(|()| catalog)
    })
    .unwrap();
    assert!(catalog.get("mini").is_some(), "the good file still loads");
    let [failure] = catalog.failures.as_slice() else {
        panic!("one failure expected: {:?}", catalog.failures);
    };
    assert_eq!(failure.file, fifo);
    let shown = failure.error.to_string();
    assert!(shown.contains("x.json"), "{shown}");
    assert!(shown.contains("named pipe (FIFO)"), "{shown}");

    let err = within(Duration::from_secs(5), "load_file on a FIFO", move || {
        load_file(&fifo).map(|i| i.id)
    })
    .unwrap_err();
    assert!(err.to_string().contains("named pipe (FIFO)"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_fifo_in_the_data_folder_stops_no_command() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let questionnaires = data.join("questionnaires");
    fs::create_dir_all(&questionnaires).unwrap();
    mkfifo(&questionnaires.join("x.json"));
    fs::write(
        questionnaires.join("y-good.json"),
        read("valid/minimal.json"),
    )
    .unwrap();
    let run = limited(&["instruments"], Some(&data));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.took < Duration::from_secs(5), "took {:?}", run.took);
    assert!(run.stdout.contains("mini "), "{}", run.stdout);
    assert!(run.stdout.contains("Not loaded"), "{}", run.stdout);
    assert!(
        run.stdout.contains("x.json is a named pipe (FIFO)"),
        "{}",
        run.stdout
    );

    let fifo = questionnaires.join("x.json");
    let run = limited(&["instruments", "--validate", fifo.to_str().unwrap()], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.took < Duration::from_secs(5), "took {:?}", run.took);
    assert!(
        run.stderr.contains("x.json is a named pipe (FIFO)"),
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn a_link_to_dev_zero_is_not_read() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let questionnaires = data.join("questionnaires");
    fs::create_dir_all(&questionnaires).unwrap();
    let link = questionnaires.join("z.json");
    std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
    let run = limited(&["instruments"], Some(&data));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("z.json is a symbolic link"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("ecr-r "),
        "the bundled ones still load: {}",
        run.stdout
    );

    let run = limited(&["instruments", "--validate", link.to_str().unwrap()], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("z.json is a symbolic link"),
        "{}",
        run.stderr
    );
    // And /dev/zero named directly: a device, refused before a byte is read.
    let run = limited(&["instruments", "--validate", "/dev/zero"], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("/dev/zero is a device"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// M6: limits, each named with its number.

#[test]
fn a_file_past_the_size_limit_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    // A 2 MB item text (REDTEAM had 50 MB): too large a file, whatever it holds.
    let mut json = minimal();
    json["items"][0]["text"] = "x".repeat(2 << 20).into();
    let path = dir.path().join("big.json");
    fs::write(&path, json.to_string()).unwrap();
    let started = Instant::now();
    let Err(err) = load_file(&path) else {
        panic!("a 2 MB file loaded");
    };
    assert!(started.elapsed() < Duration::from_secs(1));
    let shown = err.to_string();
    assert!(shown.contains("big.json"), "{shown}");
    assert!(shown.contains("1 MiB (1048576 bytes)"), "{shown}");
    // The same text handed to the checker directly is refused by the same limit.
    check(
        "big.json",
        &json.to_string(),
        "$",
        &["bytes", "at most 1048576"],
    );
}

#[test]
fn a_text_past_the_length_limit_is_refused_naming_it() {
    let mut json = minimal();
    json["items"][2]["text"] = "x".repeat(20_001).into();
    check(
        "long.json",
        &json.to_string(),
        "$.items[2].text",
        &["20001 characters", "at most 20000"],
    );
    // At the limit it loads.
    json["items"][2]["text"] = "x".repeat(20_000).into();
    Instrument::from_json("long.json", &json.to_string()).unwrap();
}

/// `minimal.json` with `n` items (numbers 1..=n) and, when `blocks` > 0, that many blocks; the
/// two scales keep their items.
fn with_items(n: u32, blocks: usize) -> serde_json::Value {
    let mut json = minimal();
    json["items"] = (1..=n)
        .map(|k| serde_json::json!({ "number": k, "text": format!("Statement {k}.") }))
        .collect();
    if blocks > 0 {
        json["blocks"] = (0..blocks)
            .map(|b| serde_json::json!({ "id": format!("b{b}"), "name": format!("Block {b}"), "intro": "" }))
            .collect();
        // Per-block scores would not be named as the plane, the category and the norms say.
        for key in [
            "plane",
            "category",
            "norm_sets",
            "reliability",
            "choice",
            "derived",
        ] {
            json.as_object_mut().unwrap().remove(key);
        }
    }
    json
}

#[test]
fn too_many_items_is_refused_naming_the_limit() {
    let json = with_items(2001, 0);
    check(
        "items.json",
        &json.to_string(),
        "$.items",
        &["2001 items", "at most 2000"],
    );
    Instrument::from_json("items.json", &with_items(2000, 0).to_string()).unwrap();
}

#[test]
fn blocks_times_items_past_the_limit_is_refused_naming_it() {
    check(
        "blocks.json",
        &with_items(201, 100).to_string(),
        "$.blocks",
        &["100 blocks × 201 items", "20100 answers", "at most 20000"],
    );
    check(
        "blocks.json",
        &with_items(4, 101).to_string(),
        "$.blocks",
        &["101 blocks", "at most 100"],
    );
    Instrument::from_json("blocks.json", &with_items(200, 100).to_string()).unwrap();
}

/// REDTEAM's own case: 6000 blocks × 6000 items, a 450 KB file that took 2.8 GB and 3 s.
#[test]
fn the_redteam_blow_up_file_is_refused_in_milliseconds() {
    let mut text = String::from(
        r#"{"schema_version":1,"id":"blow","version":"1","language":"en","name":"Blow","short_name":"BLOW","citation":"x","licence_note":"x","instructions":{"text":"x","verified":false},"response_scale":{"min":1,"max":2,"anchors":{}},"items":["#,
    );
    for k in 1..=6000 {
        if k > 1 {
            text.push(',');
        }
        write!(text, r#"{{"number":{k},"text":"t"}}"#).unwrap();
    }
    text.push_str(r#"],"blocks":["#);
    for b in 0..6000 {
        if b > 0 {
            text.push(',');
        }
        write!(text, r#"{{"id":"b{b}","name":"n","intro":""}}"#).unwrap();
    }
    text.push_str(r#"],"scales":[{"id":"s","name":"S","method":"mean","items":[1],"better":"lower","better_reason":"x"}]}"#);
    assert!(text.len() < 500_000, "{} bytes", text.len());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blow6000.json");
    fs::write(&path, &text).unwrap();
    let run = limited(&["instruments", "--validate", path.to_str().unwrap()], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.took < Duration::from_secs(2), "took {:?}", run.took);
    assert!(
        run.stderr.contains("blow6000.json: at $.items"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("at most 2000"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// L4: what may come after the object.

#[test]
fn whitespace_after_the_object_and_a_byte_order_mark_before_it_are_fine() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spaced.json");
    fs::write(
        &path,
        format!("\u{feff}{}\n\n  \t\r\n", read("valid/minimal.json")),
    )
    .unwrap();
    assert_eq!(load_file(&path).unwrap().id, "mini");
}

#[test]
fn two_files_concatenated_are_refused_by_validate() {
    let run = limited(
        &[
            "instruments",
            "--validate",
            data("hostile/l4-two-objects.json").to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("l4-two-objects.json: at $: trailing characters at line 62 column 1"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// L13: text that is not what it looks like.

#[test]
fn a_line_break_is_fine_in_instructions_and_notes() {
    let mut json = minimal();
    json["instructions"]["text"] = "Rate each statement.\n\nThere are no right answers.".into();
    json["instructions"]["note"] = "First line.\nSecond line.".into();
    json["verification_note"] = "Checked.\nNot verified: nothing.".into();
    Instrument::from_json("breaks.json", &json.to_string()).unwrap();
}

/// A file with `minimal.json`'s content under `id` and `short_name`.
fn look_alike(dir: &Path, file: &str, id: &str, short_name: &str) -> PathBuf {
    let mut json = minimal();
    json["id"] = id.into();
    json["short_name"] = short_name.into();
    let path = dir.join(file);
    fs::write(&path, json.to_string()).unwrap();
    path
}

#[test]
fn a_short_name_already_loaded_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    // REDTEAM's case: another file shown as "RQ" beside the bundled RQ.
    let rq = look_alike(dir.path(), "a-rq-nan.json", "rq-nan", " rq ");
    let first = look_alike(dir.path(), "b-first.json", "first", "Mine");
    let second = look_alike(dir.path(), "c-second.json", "second", "MINE");
    let mut catalog = Catalog::bundled();
    catalog.load_dir(dir.path()).unwrap();
    assert!(catalog.get("first").is_some());
    assert!(catalog.get("rq-nan").is_none());
    assert!(catalog.get("second").is_none());
    let failures: Vec<(&Path, String)> = catalog
        .failures
        .iter()
        .map(|f| (f.file.as_path(), f.error.to_string()))
        .collect();
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert_eq!(failures[0].0, rq);
    assert!(
        failures[0]
            .1
            .contains("a-rq-nan.json: at $.short_name: short name \" rq \"")
            && failures[0].1.contains("already the short name of rq"),
        "{}",
        failures[0].1
    );
    assert_eq!(failures[1].0, second);
    assert!(
        failures[1].1.contains("already the short name of first"),
        "{}",
        failures[1].1
    );
    let _ = first;
}

#[cfg(feature = "gui")]
#[test]
fn importing_a_questionnaire_with_a_loaded_short_name_is_refused() {
    use crate::support::common_gui::{app, data_folder};
    let dir = data_folder();
    let files = tempfile::tempdir().unwrap();
    let path = look_alike(files.path(), "rq-look.json", "rq-look", "RQ");
    let mut harness = app(dir.path());
    let n = harness.state().catalog.instruments.len();
    let error = harness.state_mut().import_file(&path).unwrap_err();
    assert!(error.contains("rq-look.json"), "{error}");
    assert!(error.contains("short name \"RQ\""), "{error}");
    assert!(error.contains("already the short name of rq"), "{error}");
    assert_eq!(harness.state().catalog.instruments.len(), n);
    let copied = dir.path().join("questionnaires");
    assert!(
        !copied.exists() || fs::read_dir(&copied).unwrap().next().is_none(),
        "nothing is copied"
    );
    // A FIFO chosen in the dialog is refused at once, too.
    #[cfg(unix)]
    {
        let fifo = files.path().join("pipe.json");
        mkfifo(&fifo);
        // A writer that opens and closes at once, should the pipe ever be opened for reading:
        // a regression then reads an empty file instead of hanging the test.
        let writer = fifo.clone();
        std::thread::spawn(move || drop(fs::OpenOptions::new().write(true).open(writer)));
        let error = harness.state_mut().import_file(&fifo).unwrap_err();
        assert!(
            error.contains("pipe.json is a named pipe (FIFO)"),
            "{error}"
        );
    }
}
