//! Benchmark of the data folder, at the size of a busy practice: 1,000 clients with 10
//! administrations each (11,000 encrypted files).
//!
//!     cargo bench --bench store            # builds the store once under target/bench-store
//!     cargo bench --bench store -- fresh   # rebuilds it
//!
//! Measures, with the real passphrase cost (scrypt 2^17):
//! - opening the store, unlocking, and listing every client (target: under 1 s);
//! - one client's history: its administrations read and scored (target: under 50 ms);
//! - saving one answer of a form in progress, fsync included (target: median under 20 ms);
//! - a backup of the whole folder while this process holds it, as "Back up now" does (every
//!   save waits for it, so it should stay within seconds), its `--verify`, and a restore.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::time::{Duration, Instant};

use age::secrecy::SecretString;
use jiff::Timestamp;
use securebase::core::bundled::bundled;
use securebase::core::instrument::Instrument;
use securebase::core::{Answer, score};
use securebase::store::{
    Administration, Client, DEFAULT_WORK_FACTOR, Source, Status, Store, backup, new_id,
};

const CLIENTS: usize = 1_000;
const ADMINISTRATIONS: usize = 10;

fn main() {
    // `cargo test --all-targets` runs this file too, without `--bench`: nothing to measure then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("benches/store.rs: run with `cargo bench --bench store`");
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-store");
    let fresh = std::env::args().any(|a| a == "fresh");
    let pass = SecretString::from("benchmark passphrase".to_owned());
    let instrument = bundled()
        .into_iter()
        .flatten()
        .find(|i| i.id == "ecr-r")
        .unwrap();

    if fresh || !Store::is_initialised(&dir) {
        build(&dir, &pass, &instrument);
    }
    measure(&dir, &pass, &instrument);
}

/// Builds the data folder: 1,000 clients with 10 full ECR-R administrations each.
fn build(dir: &Path, pass: &SecretString, instrument: &Instrument) {
    {
        let _ = std::fs::remove_dir_all(dir);
        let started = Instant::now();
        let (store, _) = Store::init(dir, "Test Clinician", pass, DEFAULT_WORK_FACTOR).unwrap();
        let mut seed: u64 = 0x5EC0_BA5E;
        for c in 0..CLIENTS {
            let client = Client::new(
                new_id().unwrap(),
                &format!("C-{c:05}"),
                Some(1960 + i32::try_from(c % 50).unwrap()),
                "",
                Timestamp::now(),
            )
            .unwrap();
            store.save_client(&client).unwrap();
            for _ in 0..ADMINISTRATIONS {
                let mut a = Administration::new(
                    new_id().unwrap(),
                    &client.id,
                    instrument,
                    Source::ClientMode,
                    Timestamp::now(),
                );
                for slot in 0..instrument.n_slots() {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let v = i32::try_from(seed % 7).unwrap() + 1;
                    a.set_answer(
                        instrument,
                        slot,
                        Answer::Value(v),
                        Timestamp::now(),
                        Some(3.0),
                    )
                    .unwrap();
                }
                a.status = Status::Completed;
                a.finished = Some(Timestamp::now());
                store.save_administration(&a).unwrap();
            }
        }
        println!(
            "built {CLIENTS} clients x {ADMINISTRATIONS} administrations in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
}

/// The three measurements.
fn measure(dir: &Path, pass: &SecretString, instrument: &Instrument) {
    // Open + unlock + list, as the app does at start-up.
    let mut open_list = Vec::new();
    let mut unlock_only = Vec::new();
    let mut listed = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let store = Store::open(dir).unwrap();
        let u = Instant::now();
        let keys = store.unlock(pass).unwrap();
        unlock_only.push(u.elapsed());
        let clients = store.clients(&keys).unwrap();
        assert!(clients.failures.is_empty());
        listed = clients.records.len();
        open_list.push(t.elapsed());
    }
    report(
        &format!("open + unlock + list {listed} clients"),
        &mut open_list,
        "1 s",
    );
    report("  of which unlock (scrypt 2^17)", &mut unlock_only, "-");

    // History of one client: read and score its administrations.
    let store = Store::open(dir).unwrap();
    let keys = store.unlock(pass).unwrap();
    let clients = store.clients(&keys).unwrap().records;
    let mut history = Vec::new();
    for client in clients.iter().step_by(20) {
        let t = Instant::now();
        let loaded = store.administrations(&keys, &client.id).unwrap();
        let mut total = 0.0;
        for a in &loaded.records {
            let report = score(instrument, &a.responses(instrument).unwrap());
            total += report.scores[0].value.unwrap_or(0.0);
        }
        history.push(t.elapsed());
        assert_eq!(loaded.records.len(), ADMINISTRATIONS, "{total}");
    }
    report(
        "history of one client (10 administrations, scored)",
        &mut history,
        "50 ms",
    );

    // Saving one answer of a form in progress.
    let client = &clients[0];
    let mut a = Administration::new(
        new_id().unwrap(),
        &client.id,
        instrument,
        Source::ClientMode,
        Timestamp::now(),
    );
    let mut saves = Vec::new();
    for i in 0..200 {
        let slot = i % instrument.n_slots();
        a.set_answer(instrument, slot, Answer::Value(4), Timestamp::now(), None)
            .unwrap();
        let t = Instant::now();
        store.save_administration(&a).unwrap();
        saves.push(t.elapsed());
    }
    report(
        "save one answer (encrypt, write, fsync, rename, fsync folder)",
        &mut saves,
        "20 ms",
    );
    // The next run finds the folder as it was built: ten administrations per client.
    std::fs::remove_file(
        dir.join("administrations")
            .join(&client.id)
            .join(format!("{}.age", a.id)),
    )
    .unwrap();

    // A backup while this process holds the folder, its check, a restore.
    let archive = dir.with_file_name("bench-store-backup.tar");
    let restored = dir.with_file_name("bench-store-restored");
    let (mut backup_times, mut verify_times, mut restore_times) =
        (Vec::new(), Vec::new(), Vec::new());
    let mut files = 0;
    for _ in 0..3 {
        let t = Instant::now();
        files = backup::create(dir, &archive)
            .unwrap()
            .manifest
            .entries
            .len();
        backup_times.push(t.elapsed());
        let t = Instant::now();
        backup::verify(&archive).unwrap();
        verify_times.push(t.elapsed());
        let _ = std::fs::remove_dir_all(&restored);
        let t = Instant::now();
        backup::restore(&archive, &restored).unwrap();
        restore_times.push(t.elapsed());
    }
    let size = std::fs::metadata(&archive).map_or(0, |m| m.len()) / 1_000_000;
    report(
        &format!("backup of {files} files ({size} MB), the folder held"),
        &mut backup_times,
        "5 s",
    );
    report("  backup --verify", &mut verify_times, "-");
    report("  restore into a new folder", &mut restore_times, "-");
    let _ = std::fs::remove_dir_all(&restored);
    let _ = std::fs::remove_file(&archive);
}

fn report(what: &str, times: &mut [Duration], target: &str) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = ms(times[times.len() / 2]);
    let p95 = ms(times[(times.len() * 95 / 100).min(times.len() - 1)]);
    println!(
        "{what}: median {median:.1} ms, p95 {p95:.1} ms, max {:.1} ms (n = {}; target {target})",
        ms(times[times.len() - 1]),
        times.len()
    );
}
