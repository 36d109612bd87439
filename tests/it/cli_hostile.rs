//! The command line against what a hostile or careless machine gives it (issue 14): output
//! paths that are not regular files (REDTEAM M5), temporaries of a killed writer (L2), client
//! data kept out of argv (M7), and picture sizes that would take all memory (M6, L12).
//!
//! Device cases use nodes made here, under a temporary folder (`mkfifo`; `mknod` only as root),
//! never the system's own: the code before the fix renamed over whatever the path was, and as
//! root that replaced `/dev/full`. A "link to standard output" is a link made here to
//! `/proc/self/fd/1`, what `/dev/stdout` is.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use securebase::store::{Administration, Client, Store};

use crate::support::bin;
use crate::support::common::{PASS, WORK_FACTOR, secret, temp_data_dir};
use crate::support::run::{Out, PASS_ENV, expect_bad_input, expect_code, sb};

/// How long one run may take before the test calls it hung.
const RUN_LIMIT: Duration = Duration::from_mins(1);

/// The bundled sample of `securebase score`.
const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/ecr-r-sample.csv");

/// `securebase ARGS` (no data folder), standard input empty, both outputs piped; killed and
/// failed after `limit` so that a run that waits forever cannot hang the tests.
fn run_within(args: &[&str], limit: Duration) -> (i32, Vec<u8>, String) {
    let mut command = bin::command(args);
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = command.spawn().expect("cannot start securebase");
    finish_within(child, args, limit)
}

/// Waits for `child`, killing it and failing the test after `limit`.
fn finish_within(mut child: Child, args: &[&str], limit: Duration) -> (i32, Vec<u8>, String) {
    let started = Instant::now();
    // Read both pipes meanwhile, so that a large output cannot stall the child.
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut bytes);
        bytes
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut bytes);
        bytes
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("cannot wait for securebase") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("securebase {args:?} still ran after {limit:?} (it waits for something)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = std::process::Output {
        status,
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
    };
    bin::outcome(args, output)
}

/// `securebase ARGS` on the data folder `dir` with the right passphrase and `stdin` on
/// standard input.
fn sb_in(dir: &Path, args: &[&str], stdin: &str) -> Out {
    let home = dir.parent().expect("data folder has a parent").join("home");
    let mut child = bin::in_home(args, &home)
        .env("SECUREBASE_DATA", dir)
        .env(PASS_ENV, PASS)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start securebase");
    let pid = child.id();
    let mut pipe = child.stdin.take().expect("stdin is piped");
    let input = stdin.as_bytes().to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child
        .wait_with_output()
        .expect("cannot wait for securebase");
    feeder.join().expect("stdin feeder");
    let (code, stdout, stderr) = bin::outcome(args, out);
    Out {
        code,
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr,
        pid,
    }
}

/// What `securebase score` writes for the sample, to standard output.
fn sample_scores() -> Vec<u8> {
    let (code, stdout, stderr) =
        run_within(&["score", "-i", "ecr-r", "--input", SAMPLE], RUN_LIMIT);
    assert_eq!(code, 0, "{stderr}");
    stdout
}

/// The names in `dir` that are securebase temporaries.
fn temporaries(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .expect("folder reads")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.starts_with(".securebase-")
                && Path::new(n)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("tmp"))
        })
        .collect()
}

/// A data folder with one client, `name`, and one ECR-R entered for them.
fn folder_with_client(name: &str) -> (tempfile::TempDir, PathBuf) {
    let (tmp, dir) = temp_data_dir();
    let (store, _keys) = Store::init(&dir, "Test Clinician", &secret(PASS), WORK_FACTOR).unwrap();
    crate::support::common::save_client(&store, name, Some(1977), "");
    drop(store);
    let out = sb(
        &dir,
        &[
            "enter",
            "--client",
            name,
            "--instrument",
            "ecr-r",
            "--answers",
            &["4"; 36].join(","),
        ],
    );
    expect_code(&out, 0, "enter");
    (tmp, dir)
}

// ---------------------------------------------------------------------------------------------
// M5: an output that is not a regular file is written into, or refused; never replaced
// ---------------------------------------------------------------------------------------------

/// The kind of `path` itself (a link is not followed), as `stat -c %F` would say.
#[cfg(unix)]
fn kind(path: &Path) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let Ok(meta) = fs::symlink_metadata(path) else {
        return "missing";
    };
    let t = meta.file_type();
    if t.is_symlink() {
        "symbolic link"
    } else if t.is_fifo() {
        "fifo"
    } else if t.is_char_device() {
        "character device"
    } else if t.is_file() {
        "regular file"
    } else {
        "other"
    }
}

/// `mkfifo PATH`.
#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Reads a FIFO from a thread until the writer has finished: opened at once without waiting
/// (`O_NONBLOCK`), so that the test never hangs when no writer ever comes, and so that the
/// FIFO has its reader before the command starts.
#[cfg(unix)]
struct FifoReader {
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<Vec<u8>>,
}

#[cfg(unix)]
impl FifoReader {
    fn start(path: &Path) -> Self {
        use std::io::Read;
        use std::os::unix::fs::OpenOptionsExt;
        use std::sync::atomic::Ordering;
        let mut file = fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
            .expect("the FIFO opens for reading");
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let finished = done.clone();
        let thread = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let mut buf = vec![0u8; 1 << 16];
            loop {
                match file.read(&mut buf) {
                    Ok(0) if finished.load(Ordering::SeqCst) => {
                        // The writer is gone: whatever it wrote has been read.
                        return bytes;
                    }
                    Ok(n) => bytes.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(e) => panic!("reading the FIFO: {e}"),
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        });
        Self { done, thread }
    }

    /// Everything read, once the command that wrote has exited.
    fn bytes(self) -> Vec<u8> {
        self.done.store(true, std::sync::atomic::Ordering::SeqCst);
        self.thread.join().expect("FIFO reader")
    }
}

#[cfg(unix)]
#[test]
fn score_writes_into_a_fifo_and_leaves_it_a_fifo() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("scores.csv");
    mkfifo(&fifo);
    let reader = FifoReader::start(&fifo);
    let out = fifo.to_str().unwrap();
    let (code, _stdout, stderr) = run_within(
        &["score", "-i", "ecr-r", "--input", SAMPLE, "-o", out],
        RUN_LIMIT,
    );
    let read = reader.bytes();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(kind(&fifo), "fifo", "the FIFO was replaced");
    assert_eq!(read, sample_scores(), "the reader got the scores");
    assert_eq!(temporaries(tmp.path()), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn a_fifo_that_nobody_reads_is_refused_at_once_not_waited_for() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("scores.csv");
    mkfifo(&fifo);
    let out = fifo.to_str().unwrap();
    let (code, _stdout, stderr) = run_within(
        &["score", "-i", "ecr-r", "--input", SAMPLE, "-o", out],
        RUN_LIMIT,
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no program is reading"), "{stderr}");
    assert!(stderr.contains(out), "names the path: {stderr}");
    assert_eq!(kind(&fifo), "fifo");
    assert_eq!(temporaries(tmp.path()), Vec::<String>::new());
}

/// `-o /dev/stdout`: a link to this process's standard output. Written into that output (a
/// pipe here), not renamed over.
#[cfg(target_os = "linux")]
#[test]
fn score_to_a_link_to_its_standard_output_writes_to_that_output() {
    let tmp = tempfile::tempdir().unwrap();
    let link = tmp.path().join("stdout");
    std::os::unix::fs::symlink("/proc/self/fd/1", &link).unwrap();
    let out = link.to_str().unwrap();
    let (code, stdout, stderr) = run_within(
        &["score", "-i", "ecr-r", "--input", SAMPLE, "-o", out],
        RUN_LIMIT,
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, sample_scores());
    assert_eq!(kind(&link), "symbolic link", "the link was replaced");
    assert_eq!(temporaries(tmp.path()), Vec::<String>::new());
}

/// Standard output redirected into a file (`-o /dev/stdout > out.csv`): the file gets the
/// scores through the inherited descriptor, as with `> out.csv` alone.
#[cfg(target_os = "linux")]
#[test]
fn score_to_a_link_to_its_standard_output_that_is_a_file_writes_into_that_file() {
    let tmp = tempfile::tempdir().unwrap();
    let link = tmp.path().join("stdout");
    std::os::unix::fs::symlink("/proc/self/fd/1", &link).unwrap();
    let file = tmp.path().join("out.csv");
    let args = [
        "score",
        "-i",
        "ecr-r",
        "--input",
        SAMPLE,
        "-o",
        link.to_str().unwrap(),
    ];
    let out = bin::command(&args)
        .stdin(Stdio::null())
        .stdout(fs::File::create(&file).unwrap())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let (code, _, stderr) = bin::outcome(&args, out);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(fs::read(&file).unwrap(), sample_scores());
    assert_eq!(kind(&link), "symbolic link");
}

/// A link to a regular file is refused (documented in docs/command-line.md): neither the link
/// nor its file changes.
#[cfg(unix)]
#[test]
fn an_output_that_is_a_link_to_a_file_is_refused_and_both_are_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let real = tmp.path().join("real.csv");
    fs::write(&real, "PREVIOUS CONTENT").unwrap();
    let link = tmp.path().join("link.csv");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = link.to_str().unwrap();
    let (code, _stdout, stderr) = run_within(
        &["score", "-i", "ecr-r", "--input", SAMPLE, "-o", out],
        RUN_LIMIT,
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("symbolic link"), "{stderr}");
    assert!(
        stderr.contains("real.csv"),
        "names where it points: {stderr}"
    );
    assert_eq!(kind(&link), "symbolic link");
    assert_eq!(fs::read_to_string(&real).unwrap(), "PREVIOUS CONTENT");
    assert_eq!(temporaries(tmp.path()), Vec::<String>::new());
}

/// Every command that writes a file, onto a character device node made here (a copy of
/// `/dev/null`; only root can make one, so the test says so and passes elsewhere): each
/// writes into it, and the node stays a device.
#[cfg(unix)]
#[test]
fn every_output_onto_a_device_node_writes_into_it_and_leaves_it_a_device() {
    let (tmp, dir) = folder_with_client("Device Dana");
    let nodes = tmp.path().join("nodes");
    fs::create_dir(&nodes).unwrap();
    let make = |name: &str| -> Option<PathBuf> {
        let node = nodes.join(name);
        let made = Command::new("mknod")
            .args(["-m", "666"])
            .arg(&node)
            .args(["c", "1", "3"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        // A file system mounted nodev refuses to open it: no test to make there.
        (made && fs::OpenOptions::new().write(true).open(&node).is_ok()).then_some(node)
    };
    let Some(first) = make("scores.csv") else {
        eprintln!("not root (or nodev): no device node to test with; skipped");
        return;
    };
    let scored = tmp.path().join("scored.csv");
    fs::write(&scored, sample_scores()).unwrap();
    let commands: Vec<(PathBuf, Vec<String>)> = vec![
        (
            first,
            ["score", "-i", "ecr-r", "--input", SAMPLE, "-o"]
                .map(String::from)
                .to_vec(),
        ),
        (
            make("plane.svg").unwrap(),
            [
                "plot",
                "-i",
                "ecr-r",
                "--input",
                scored.to_str().unwrap(),
                "-o",
            ]
            .map(String::from)
            .to_vec(),
        ),
        (
            make("export.csv").unwrap(),
            ["export", "--client", "Device Dana", "--format", "csv", "-o"]
                .map(String::from)
                .to_vec(),
        ),
        (
            make("report.pdf").unwrap(),
            ["report", "--client", "Device Dana", "-o"]
                .map(String::from)
                .to_vec(),
        ),
        (
            make("backup.tar").unwrap(),
            ["backup", "-o"].map(String::from).to_vec(),
        ),
    ];
    for (node, mut args) in commands {
        args.push(node.to_str().unwrap().to_owned());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = sb(&dir, &args);
        expect_code(&out, 0, &format!("{args:?}"));
        assert_eq!(
            kind(&node),
            "character device",
            "{args:?} replaced the node"
        );
    }
    // A recovery sheet must end up as a file: refused onto the node before a new key
    // replaces the old sheet's, and the node is left a node.
    let sheet = make("sheet.pdf").unwrap();
    let out = sb(
        &dir,
        &["recovery", "new", "--output", sheet.to_str().unwrap()],
    );
    expect_code(&out, 2, "recovery new onto a device");
    assert!(
        out.stderr.contains("must be saved as a file"),
        "{}",
        out.stderr
    );
    assert_eq!(kind(&sheet), "character device");
    assert_eq!(temporaries(&nodes), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------
// L2: temporaries of a killed writer are removed by the next write in that folder
// ---------------------------------------------------------------------------------------------

/// Waits until `dir` holds a temporary, and returns its name.
fn wait_for_temporary(dir: &Path) -> String {
    let started = Instant::now();
    loop {
        if let Some(name) = temporaries(dir).into_iter().next() {
            return name;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no temporary appeared in {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_killed_writers_temporary_is_removed_by_the_next_write_there_and_a_live_ones_is_not() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path();
    let sample = fs::read_to_string(SAMPLE).unwrap();
    let mut lines = sample.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();

    // A writer that scores rows as they come, and waits for more (its input stays open).
    let target = folder.join("slow.csv");
    let args = ["score", "-i", "ecr-r", "-o", target.to_str().unwrap()];
    let mut slow = bin::command(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut input = slow.stdin.take().unwrap();
    writeln!(input, "{header}").unwrap();
    for _ in 0..200 {
        for row in &rows {
            writeln!(input, "{row}").unwrap();
        }
    }
    input.flush().unwrap();
    let live = wait_for_temporary(folder);

    // Another run in the same folder, while the writer lives: its temporary stays.
    let other = folder.join("other.csv");
    let (code, _, stderr) = run_within(
        &[
            "score",
            "-i",
            "ecr-r",
            "--input",
            SAMPLE,
            "-o",
            other.to_str().unwrap(),
        ],
        RUN_LIMIT,
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        temporaries(folder),
        vec![live.clone()],
        "a live temporary was removed"
    );

    // kill -9: the temporary stays behind, half written.
    slow.kill().unwrap();
    slow.wait().unwrap();
    drop(input);
    assert_eq!(
        temporaries(folder),
        vec![live],
        "the killed writer's temporary"
    );
    assert!(!target.exists());

    // The next write in that folder removes it; the outputs written are untouched.
    let (code, _, stderr) = run_within(
        &[
            "score",
            "-i",
            "ecr-r",
            "--input",
            SAMPLE,
            "-o",
            other.to_str().unwrap(),
        ],
        RUN_LIMIT,
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(temporaries(folder), Vec::<String>::new());
    assert_eq!(fs::read(&other).unwrap(), sample_scores());
}

// ---------------------------------------------------------------------------------------------
// M7: client data from standard input, never in argv
// ---------------------------------------------------------------------------------------------

/// The one client of the data folder `dir`, read through the library.
fn only_client(dir: &Path) -> Client {
    let store = Store::open(dir).unwrap();
    let keys = store.unlock(&secret(PASS)).unwrap();
    let mut clients = store.clients(&keys).unwrap().records;
    assert_eq!(clients.len(), 1, "{clients:?}");
    clients.remove(0)
}

/// A new data folder with no client.
fn empty_folder() -> (tempfile::TempDir, PathBuf) {
    let (tmp, dir) = temp_data_dir();
    Store::init(&dir, "Test Clinician", &secret(PASS), WORK_FACTOR).unwrap();
    (tmp, dir)
}

#[test]
fn client_add_reads_name_birth_year_and_notes_from_standard_input_as_argv_gives_them() {
    let (_a, by_argv) = empty_folder();
    let out = sb(
        &by_argv,
        &[
            "client",
            "add",
            "--name",
            "C-1042",
            "--birth-year",
            "1985",
            "--notes",
            "referred by Dr X; prefers mornings",
        ],
    );
    expect_code(&out, 0, "client add, argv");
    let (_b, by_stdin) = empty_folder();
    let out = sb_in(
        &by_stdin,
        &[
            "client",
            "add",
            "--name",
            "-",
            "--birth-year",
            "-",
            "--notes",
            "-",
        ],
        "C-1042\n1985\nreferred by Dr X; prefers mornings\n",
    );
    expect_code(&out, 0, "client add, stdin");
    let (a, b) = (only_client(&by_argv), only_client(&by_stdin));
    assert_eq!(
        (&a.name, a.birth_year, &a.notes),
        (&b.name, b.birth_year, &b.notes)
    );
    assert_eq!(b.name, "C-1042");
    assert_eq!(b.birth_year, Some(1985));

    // One value from standard input, the others in argv; Windows line ends; an empty line
    // for the birth year is none.
    let (_c, mixed) = empty_folder();
    let out = sb_in(
        &mixed,
        &["client", "add", "--name", "-", "--birth-year", "-"],
        "C-1043\r\n\r\n",
    );
    expect_code(&out, 0, "client add, mixed");
    let c = only_client(&mixed);
    assert_eq!((c.name.as_str(), c.birth_year), ("C-1043", None));
}

#[test]
fn a_value_that_standard_input_does_not_hold_is_a_named_error() {
    let (_tmp, dir) = empty_folder();
    let out = sb_in(&dir, &["client", "add", "--name", "-"], "");
    expect_bad_input(&out, &["--name", "standard input"], "no line for --name");
    let out = sb_in(
        &dir,
        &["client", "add", "--name", "-", "--birth-year", "-"],
        "C-1\nnineteen\n",
    );
    expect_bad_input(
        &out,
        &["--birth-year", "nineteen"],
        "a year that is not one",
    );
    let store = Store::open(&dir).unwrap();
    let keys = store.unlock(&secret(PASS)).unwrap();
    assert!(store.clients(&keys).unwrap().records.is_empty());
}

/// What `ps` shows of a process: its argv, from `/proc/PID/cmdline`.
#[cfg(target_os = "linux")]
fn argv_of(pid: u32) -> String {
    let started = Instant::now();
    loop {
        let text = fs::read(format!("/proc/{pid}/cmdline"))
            .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
            .unwrap_or_default();
        if text.contains("client") {
            return text;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no argv for {pid}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(target_os = "linux")]
#[test]
fn while_client_add_waits_ps_shows_no_name_birth_year_or_notes() {
    let (_tmp, dir) = empty_folder();
    let home = dir.parent().unwrap().join("home");
    let args = [
        "client",
        "add",
        "--name",
        "-",
        "--birth-year",
        "-",
        "--notes",
        "-",
    ];
    let mut child = bin::in_home(&args, &home)
        .env("SECUREBASE_DATA", &dir)
        .env(PASS_ENV, PASS)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // It waits for its standard input now: what every local user can see.
    std::thread::sleep(Duration::from_millis(200));
    let cmdline = argv_of(child.id());
    let ps = Command::new("ps")
        .args(["-o", "args=", "-p", &child.id().to_string()])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    for shown in [&cmdline, &ps] {
        for secret in ["Zyxwvu-Marker", "1937", "Quokka-note-4711"] {
            assert!(!shown.contains(secret), "{secret} is in {shown:?}");
        }
    }
    assert!(cmdline.contains("--name -"), "{cmdline}");
    let mut input = child.stdin.take().unwrap();
    input
        .write_all(b"Zyxwvu-Marker\n1937\nQuokka-note-4711\n")
        .unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    let (code, _, stderr) = bin::outcome(&args, out);
    assert_eq!(code, 0, "{stderr}");
    let client = only_client(&dir);
    assert_eq!(client.name, "Zyxwvu-Marker");
    assert_eq!(client.birth_year, Some(1937));
    assert_eq!(client.notes, "Quokka-note-4711");
}

/// What a form holds: the instrument, each answer by column, the forced choice.
type Form = (String, Vec<(String, Option<i32>)>, Option<String>);

/// What an administration holds, without its ids and times.
fn answers_of(a: &Administration) -> Form {
    (
        a.instrument_id.clone(),
        a.answers
            .iter()
            .map(|s| (s.column.clone(), s.value))
            .collect(),
        a.choice.clone(),
    )
}

/// The administrations of the one client of `dir`.
fn administrations(dir: &Path) -> Vec<Administration> {
    let client = only_client(dir);
    let store = Store::open(dir).unwrap();
    let keys = store.unlock(&secret(PASS)).unwrap();
    store.administrations(&keys, &client.id).unwrap().records
}

#[test]
fn enter_reads_the_client_answers_and_choice_from_standard_input_as_argv_gives_them() {
    let answers = "5,6,2,,4,x,7,1,1,2,3,4,5,6,7,1,2,3,4,5,6,7,1,2,3,4,5,6,7,1,2,3,4,5,6,7";
    let folder = || {
        let (tmp, dir) = empty_folder();
        let store = Store::open(&dir).unwrap();
        let _keys = store.unlock(&secret(PASS)).unwrap();
        crate::support::common::save_client(&store, "C-2001", None, "");
        (tmp, dir)
    };
    let (_a, by_argv) = folder();
    let out = sb(
        &by_argv,
        &[
            "enter",
            "--client",
            "C-2001",
            "--instrument",
            "ecr-r",
            "--answers",
            answers,
        ],
    );
    expect_code(&out, 0, "enter, argv");
    let (_b, by_stdin) = folder();
    let out = sb_in(
        &by_stdin,
        &[
            "enter",
            "--client",
            "-",
            "--instrument",
            "ecr-r",
            "--answers",
            "-",
        ],
        &format!("C-2001\n{answers}\n"),
    );
    expect_code(&out, 0, "enter, stdin");
    let (a, b) = (administrations(&by_argv), administrations(&by_stdin));
    assert_eq!(a.len(), 1);
    assert_eq!(b.len(), 1);
    assert_eq!(answers_of(&a[0]), answers_of(&b[0]));

    // The RQ's forced choice too.
    let rq = "1,7,3,5";
    let out = sb(
        &by_argv,
        &[
            "enter",
            "--client",
            "C-2001",
            "--instrument",
            "rq",
            "--answers",
            rq,
            "--choice",
            "B",
        ],
    );
    expect_code(&out, 0, "enter rq, argv");
    let out = sb_in(
        &by_stdin,
        &[
            "enter",
            "--client",
            "-",
            "--instrument",
            "rq",
            "--answers",
            "-",
            "--choice",
            "-",
        ],
        &format!("C-2001\n{rq}\nB\n"),
    );
    expect_code(&out, 0, "enter rq, stdin");
    let (a, b) = (administrations(&by_argv), administrations(&by_stdin));
    let rq_of = |list: &[Administration]| {
        list.iter()
            .find(|x| x.instrument_id == "rq")
            .map(answers_of)
            .expect("an RQ")
    };
    assert_eq!(rq_of(&a), rq_of(&b));
    assert_eq!(rq_of(&b).2.as_deref(), Some("B"));
}

#[test]
fn history_change_export_report_and_delete_take_the_client_from_standard_input() {
    let (tmp, dir) = folder_with_client("Stdin Sam");
    let both = |args_argv: &[&str], args_stdin: &[&str], stdin: &str| {
        let a = sb(&dir, args_argv);
        expect_code(&a, 0, &format!("{args_argv:?}"));
        let b = sb_in(&dir, args_stdin, stdin);
        expect_code(&b, 0, &format!("{args_stdin:?}"));
        (a.stdout, b.stdout)
    };
    let (a, b) = both(
        &["history", "--client", "Stdin Sam"],
        &["history", "--client", "-"],
        "Stdin Sam\n",
    );
    assert_eq!(a, b);
    let (a, b) = both(
        &["change", "--client", "Stdin Sam"],
        &["change", "--client", "-"],
        "Stdin Sam\n",
    );
    assert_eq!(a, b);
    let (a, b) = both(
        &[
            "export",
            "--client",
            "Stdin Sam",
            "--format",
            "json",
            "-o",
            "-",
        ],
        &["export", "--client", "-", "--format", "json", "-o", "-"],
        "Stdin Sam\n",
    );
    assert_eq!(a, b);

    let pdf = tmp.path().join("report.pdf");
    let out = sb_in(
        &dir,
        &[
            "report",
            "--client",
            "-",
            "--note",
            "-",
            "-o",
            pdf.to_str().unwrap(),
        ],
        "Stdin Sam\nIntake, seen with her sister.\n",
    );
    expect_code(&out, 0, "report from stdin");
    assert!(fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    if let Ok(text) = Command::new("pdftotext").arg(&pdf).arg("-").output()
        && text.status.success()
    {
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains("Stdin Sam"), "{text}");
        assert!(text.contains("Intake, seen with her sister."), "{text}");
    }

    let out = sb_in(
        &dir,
        &["client", "delete", "--client", "-", "--yes"],
        "Stdin Sam\n",
    );
    expect_code(&out, 0, "delete from stdin");
    let store = Store::open(&dir).unwrap();
    let keys = store.unlock(&secret(PASS)).unwrap();
    assert!(store.clients(&keys).unwrap().records.is_empty());
}

// ---------------------------------------------------------------------------------------------
// M6, L12: picture sizes
// ---------------------------------------------------------------------------------------------

#[test]
fn plot_refuses_sizes_outside_its_limits_with_exit_2_and_makes_no_file() {
    let tmp = tempfile::tempdir().unwrap();
    let scored = tmp.path().join("scored.csv");
    fs::write(&scored, sample_scores()).unwrap();
    let picture = tmp.path().join("plane.png");
    let cases: [(&str, &str, &str); 6] = [
        ("0", "900", "--width"),
        ("900", "0", "--height"),
        ("10001", "900", "--width"),
        ("100000", "100000", "--width"),
        ("4294967295", "1", "--width"),
        ("10000", "10000", "megapixels"),
    ];
    for (width, height, named) in cases {
        let args = [
            "plot",
            "-i",
            "ecr-r",
            "--input",
            scored.to_str().unwrap(),
            "-o",
            picture.to_str().unwrap(),
            "--width",
            width,
            "--height",
            height,
        ];
        let (code, _, stderr) = run_within(&args, RUN_LIMIT);
        assert_eq!(code, 2, "{width}×{height}: {stderr}");
        assert!(stderr.contains(named), "{width}×{height}: {stderr}");
        assert!(!picture.exists(), "{width}×{height} made a picture");
    }
    // The limits themselves are fine.
    for (width, height) in [("1", "1"), ("10000", "16")] {
        let args = [
            "plot",
            "-i",
            "ecr-r",
            "--input",
            scored.to_str().unwrap(),
            "-o",
            picture.to_str().unwrap(),
            "--width",
            width,
            "--height",
            height,
        ];
        let (code, _, stderr) = run_within(&args, RUN_LIMIT);
        assert_eq!(code, 0, "{width}×{height}: {stderr}");
    }
}
