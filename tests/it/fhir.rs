//! An independent check of the HL7 FHIR R4 export (`securebase export --format fhir`): the real
//! binary exports a data folder, and `tests/fhir-check` (a crate of its own, on the `fhirbolt`
//! crate) parses the bundle strictly as an R4 `Bundle`, checks codes, dates and references,
//! and prints a summary made from the parsed model. The tests compare that summary with what
//! was stored and with the core's scores, show that broken bundles are rejected, and that
//! names leave only when asked for.
//!
//! The checker is its own crate so that fhirbolt's `serde_json` features
//! (`arbitrary_precision`) never reach securebase's builds. It is built once per run into
//! `target/fhir-check` (the first build takes a minute or two).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use age::secrecy::SecretString;
use jiff::Timestamp;
use securebase::catalog::Catalog;
use securebase::core::instrument::Instrument;
use securebase::core::{Answer, score};
use securebase::export::fhir::questionnaire_url;
use securebase::store::{Administration, Client, Source, Status, Store, new_id};
use serde_json::{Value, json};

const PASS: &str = "fhir export passphrase";
/// Two clients; their names must never appear in an export without `--names`.
const FIRST: &str = "Zoë Quintana";
const SECOND: &str = "Marek Wiśniewski";

// ---------------------------------------------------------------------------------------------
// The data folder
// ---------------------------------------------------------------------------------------------

/// A data folder (closed again) and what was stored in it.
struct Folder {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    clients: Vec<Client>,
    administrations: Vec<Administration>,
}

fn instrument(id: &str) -> Instrument {
    Catalog::bundled().get(id).cloned().unwrap()
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// A new administration of `instrument` with `answers` (by slot), finished `finished` or,
/// when `None`, still in progress.
fn administer(
    client: &Client,
    instrument: &Instrument,
    started: &str,
    finished: Option<&str>,
    answers: &[Answer],
) -> Administration {
    let started = ts(started);
    let mut a = Administration::new(
        new_id().unwrap(),
        &client.id,
        instrument,
        Source::PaperEntry,
        started,
    );
    for (slot, answer) in answers.iter().enumerate() {
        a.set_answer(instrument, slot, *answer, started, Some(4.5))
            .unwrap();
    }
    if let Some(finished) = finished {
        a.status = Status::Completed;
        a.finished = Some(ts(finished));
    }
    a
}

/// The ECR-R answers of the first client, item 5 declined. Hand-checked scores:
///
/// - anxiety (items 1-18, 9 and 11 reversed as 8 - x): 4 5 3 6 [declined] 4 7 1 (8-3=)5 4
///   (8-6=)2 4 5 3 4 4 4 3 sum to 68 over 17 answered items (3 of 18 may be missing): 4.0.
/// - avoidance (items 19-36; 20 22 26-31 33-36 reversed): the forward items 19 21 23 24 25 32
///   are 2 3 1 2 2 2 (12); the reversed ones are 6 (keyed 2) but 22 = 5 (keyed 3) and
///   36 = 7 (keyed 1), so 10 x 2 + 3 + 1 = 24; (12 + 24) / 18 = 2.0.
fn ecr_r_answers() -> Vec<Answer> {
    let anxiety = [4, 5, 3, 6, 0, 4, 7, 1, 3, 4, 6, 4, 5, 3, 4, 4, 4, 3];
    let avoidance = [2, 6, 3, 5, 1, 2, 2, 6, 6, 6, 6, 6, 6, 2, 6, 6, 6, 7];
    anxiety
        .iter()
        .chain(&avoidance)
        .map(|&v| {
            if v == 0 {
                Answer::Declined
            } else {
                Answer::Value(v)
            }
        })
        .collect()
}

/// First client: a completed ECR-R (one item declined) and a completed RQ with the forced
/// choice C. Second client: a completed ECR-RS (its best-friend block's item 9 declined, so
/// that block's anxiety and the global anxiety cannot be scored) and an ECR-R in progress.
fn folder() -> Folder {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (store, _keys) = Store::init(
        &dir,
        "Test Clinician",
        &SecretString::from(PASS.to_owned()),
        10,
    )
    .unwrap();
    let clients: Vec<Client> = [FIRST, SECOND]
        .iter()
        .map(|name| {
            let c = Client::new(new_id().unwrap(), name, Some(1980), "", Timestamp::now()).unwrap();
            store.save_client(&c).unwrap();
            c
        })
        .collect();
    let (ecr_r, rq, ecr_rs) = (instrument("ecr-r"), instrument("rq"), instrument("ecr-rs"));

    // RQ: A secure 6, B fearful 2, C preoccupied 5, D dismissing 3: model of self
    // 6 + 3 - 2 - 5 = 2, model of other 6 + 5 - 2 - 3 = 6.
    let mut rq_given = administer(
        &clients[0],
        &rq,
        "2025-04-02T09:00:00Z",
        Some("2025-04-02T09:05:30Z"),
        &[6, 2, 5, 3].map(Answer::Value),
    );
    rq_given.choice = Some("C".into());
    // A paper form dated four days before it was keyed in, keyed twice.
    rq_given.form_date = Some(jiff::civil::date(2025, 3, 29));
    rq_given.source = Source::PaperDoubleEntry;

    let ecr_rs_answers: Vec<Answer> = (0..ecr_rs.n_slots())
        .map(|slot| {
            if ecr_rs.slots[slot].column == "friend_q9" {
                Answer::Declined
            } else {
                Answer::Value(i32::try_from(slot % 7).unwrap() + 1)
            }
        })
        .collect();
    let administrations = vec![
        administer(
            &clients[0],
            &ecr_r,
            "2025-03-01T10:00:00Z",
            Some("2025-03-01T10:12:07.25Z"),
            &ecr_r_answers(),
        ),
        rq_given,
        administer(
            &clients[1],
            &ecr_rs,
            "2025-05-10T14:00:00Z",
            Some("2025-05-10T14:09:00Z"),
            &ecr_rs_answers,
        ),
        administer(
            &clients[1],
            &ecr_r,
            "2025-06-01T08:30:00Z",
            None,
            &[
                Answer::Value(7),
                Answer::Value(1),
                Answer::Declined,
                Answer::Value(4),
            ],
        ),
    ];
    for a in &administrations {
        store.save_administration(a).unwrap();
    }
    Folder {
        _tmp: tmp,
        dir,
        clients,
        administrations,
    }
}

// ---------------------------------------------------------------------------------------------
// Running the export and the checker
// ---------------------------------------------------------------------------------------------

fn show(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `securebase export ARGS --format fhir --output FILE` on the folder; returns the bundle's
/// text.
fn export(folder: &Folder, args: &[&str], file: &str) -> String {
    let path = folder.dir.parent().unwrap().join(file);
    let home = folder.dir.parent().unwrap().join("home");
    let out = crate::support::bin::in_home(&[], &home)
        .arg("--data-dir")
        .arg(&folder.dir)
        .arg("export")
        .args(args)
        .args(["--format", "fhir", "--output"])
        .arg(&path)
        .env("SECUREBASE_PASSPHRASE", PASS)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "export {args:?}: {}", show(&out));
    std::fs::read_to_string(&path).unwrap()
}

/// The checker, built once per test run (into `target/fhir-check`, never next to its
/// sources).
fn checker() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let target = root.join("target").join("fhir-check");
        let started = std::time::Instant::now();
        let out = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "--locked", "--manifest-path"])
            .arg(root.join("tests").join("fhir-check").join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "building fhir-check: {}", show(&out));
        eprintln!("fhir-check built in {:.1?}", started.elapsed());
        let exe = target
            .join("debug")
            .join(format!("fhir-check{}", std::env::consts::EXE_SUFFIX));
        assert!(exe.is_file(), "{} was not built", exe.display());
        exe
    })
}

/// Runs the checker on `bundle` (written to a temporary file).
fn check(bundle: &str) -> Output {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), bundle).unwrap();
    Command::new(checker())
        .arg(file.path())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The checker's summary of a bundle it accepts.
fn summary(bundle: &str) -> Value {
    let out = check(bundle);
    assert!(
        out.status.success(),
        "fhir-check rejects the export: {}",
        show(&out)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

// ---------------------------------------------------------------------------------------------
// What the summary should say
// ---------------------------------------------------------------------------------------------

/// The answers as stored: column -> value, "declined", and the forced choice's code.
fn stored_answers(a: &Administration) -> BTreeMap<String, Value> {
    let mut out: BTreeMap<String, Value> = a
        .answers
        .iter()
        .map(|x| {
            let v = x.value.map_or(json!("declined"), |v| json!(v));
            (x.column.clone(), v)
        })
        .collect();
    if let Some(choice) = &a.choice {
        let id = instrument(&a.instrument_id).choice.unwrap().id;
        out.insert(id, json!(choice));
    }
    out
}

/// The core's scores of an administration: `instrument.score` code -> value.
fn core_scores(a: &Administration) -> BTreeMap<String, Option<f64>> {
    let instrument = instrument(&a.instrument_id);
    let report = score(&instrument, &a.responses(&instrument).unwrap());
    assert_eq!(report.scores.len(), instrument.scores.len());
    instrument
        .scores
        .iter()
        .zip(&report.scores)
        .map(|(def, s)| (format!("{}.{}", instrument.id, def.id), s.value))
        .collect()
}

/// The summary's response for `a` (found by subject and `authored`: the date on a paper form,
/// else when it was finished or started).
fn response_of<'a>(summary: &'a Value, a: &Administration) -> &'a Value {
    let authored = a.form_date.map_or_else(
        || a.finished.unwrap_or(a.started).to_string(),
        |d| d.to_string(),
    );
    let subject = format!("Patient/{}", a.client_id);
    let found: Vec<&Value> = summary["responses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["authored"] == json!(authored) && r["subject"] == json!(subject))
        .collect();
    assert_eq!(found.len(), 1, "responses for {authored}: {found:?}");
    found[0]
}

/// The summary's observations derived from `response`: code -> value.
fn observations_of(summary: &Value, response: &Value) -> BTreeMap<String, Option<f64>> {
    let mut out = BTreeMap::new();
    for o in summary["observations"].as_array().unwrap() {
        if o["derivedFrom"] == response["fullUrl"] {
            assert_eq!(o["subject"], response["subject"], "{o}");
            let code = o["code"].as_str().unwrap().to_owned();
            let fresh = out.insert(code, o["value"].as_f64()).is_none();
            assert!(fresh, "two observations of one score: {o}");
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
#[cfg_attr(
    windows,
    ignore = "on Windows: the FHIR checker is built and run with the Linux toolchain's cargo"
)]
fn export_is_valid_fhir_r4_and_keeps_every_answer_and_score() {
    let folder = folder();
    let bundle = export(&folder, &["--all"], "all.json");
    let summary = summary(&bundle);

    let responses = summary["responses"].as_array().unwrap();
    assert_eq!(responses.len(), folder.administrations.len(), "{summary:#}");
    let mut n_scores = 0;
    for a in &folder.administrations {
        let response = response_of(&summary, a);
        let what = format!("{} {}", a.instrument_id, a.status.as_str());
        assert_eq!(
            response["questionnaire"],
            json!(format!(
                "{}|{}",
                questionnaire_url(&a.instrument_id),
                a.instrument_version
            )),
            "{what}"
        );
        let status = match a.status {
            Status::Completed => "completed",
            Status::InProgress => "in-progress",
            Status::Abandoned => "stopped",
        };
        assert_eq!(response["status"], json!(status), "{what}");

        // Every answer, declined ones as such, and nothing else.
        let answers: BTreeMap<String, Value> =
            serde_json::from_value(response["answers"].clone()).unwrap();
        assert_eq!(answers, stored_answers(a), "{what}: answers");

        // One observation per score of a completed administration, none for the rest.
        let observed = observations_of(&summary, response);
        if a.status == Status::Completed {
            let expected = core_scores(a);
            assert_eq!(observed, expected, "{what}: scores");
            n_scores += expected.len();
        } else {
            assert!(observed.is_empty(), "{what}: {observed:?}");
        }
    }
    assert_eq!(
        summary["observations"].as_array().unwrap().len(),
        n_scores,
        "{summary:#}"
    );

    // The hand-checked values (see `ecr_r_answers` and `folder`), and that the declined items
    // are there: the summary is not merely equal to something equally wrong.
    let by_code = |a: &Administration| observations_of(&summary, response_of(&summary, a));
    let [ecr_r, rq, ecr_rs, in_progress] = folder.administrations.as_slice() else {
        unreachable!()
    };
    let long_form = by_code(ecr_r);
    assert_eq!(long_form["ecr-r.anxiety"], Some(4.0));
    assert_eq!(long_form["ecr-r.avoidance"], Some(2.0));
    assert_eq!(
        response_of(&summary, ecr_r)["answers"]["q5"],
        json!("declined")
    );
    let rq_scores = by_code(rq);
    assert_eq!(rq_scores["rq.model_of_self"], Some(2.0));
    assert_eq!(rq_scores["rq.model_of_other"], Some(6.0));
    assert_eq!(response_of(&summary, rq)["answers"]["choice"], json!("C"));
    let structures = by_code(ecr_rs);
    assert_eq!(structures.len(), 10, "4 relationships x 2 + 2 global");
    assert_eq!(structures["ecr-rs.friend_anxiety"], None);
    assert_eq!(structures["ecr-rs.global_anxiety"], None);
    assert!(structures["ecr-rs.global_avoidance"].is_some());
    assert_eq!(
        response_of(&summary, in_progress)["answers"],
        json!({"q1": 7, "q2": 1, "q3": "declined", "q4": 4})
    );

    // One Questionnaire per instrument, however often it was given.
    let raw: Value = serde_json::from_str(&bundle).unwrap();
    let mut forms: Vec<&str> = raw["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resource"]["resourceType"] == "Questionnaire")
        .map(|e| e["resource"]["id"].as_str().unwrap())
        .collect();
    forms.sort_unstable();
    assert_eq!(forms, ["ecr-r", "ecr-rs", "rq"]);
}

/// A paper form's response is authored on the date written on it (a FHIR `date`: the form has
/// no time), a client-mode or undated form's when it was finished; each response names its mode
/// of administration in `meta.tag`.
#[test]
fn a_paper_forms_response_is_authored_on_its_date_and_names_its_mode() {
    let folder = folder();
    let bundle = export(&folder, &["--all"], "all.json");
    let summary = summary(&bundle);
    let [ecr_r, rq, ..] = folder.administrations.as_slice() else {
        unreachable!()
    };
    // A paper form is authored on the date written on it (a FHIR date: the form has no time),
    // a client-mode or undated form when it was finished; each response names its mode.
    assert_eq!(response_of(&summary, rq)["authored"], json!("2025-03-29"));
    assert_eq!(
        response_of(&summary, ecr_r)["authored"],
        json!("2025-03-01T10:12:07.25Z")
    );
    let raw: Value = serde_json::from_str(&bundle).unwrap();
    let modes: BTreeMap<&str, (&str, &str, &str)> = raw["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == "QuestionnaireResponse")
        .map(|r| {
            let tag = &r["meta"]["tag"][0];
            (
                r["authored"].as_str().unwrap(),
                (
                    tag["system"].as_str().unwrap(),
                    tag["code"].as_str().unwrap(),
                    tag["display"].as_str().unwrap(),
                ),
            )
        })
        .collect();
    let system = "https://securebase.app/fhir/CodeSystem/mode";
    assert_eq!(
        modes["2025-03-29"],
        (system, "paper_double_entry", "paper, double-entered")
    );
    assert_eq!(
        modes["2025-03-01T10:12:07.25Z"],
        (system, "paper_entry", "paper, single entry")
    );
}

/// A couple's bundle: both partners' responses and observations, valid FHIR R4, each response
/// with its own partner as subject.
#[test]
fn a_couples_bundle_holds_both_partners_and_is_valid() {
    let folder = folder();
    let home = folder.dir.parent().unwrap().join("home");
    let out = crate::support::bin::in_home(&[], &home)
        .arg("--data-dir")
        .arg(&folder.dir)
        .args(["couple", "link", "--client", FIRST, "--client", SECOND])
        .env("SECUREBASE_PASSPHRASE", PASS)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "couple link: {}", show(&out));
    let bundle = export(&folder, &["--couple", SECOND], "couple.json");
    let summary = summary(&bundle);
    let responses = summary["responses"].as_array().unwrap();
    assert_eq!(responses.len(), folder.administrations.len(), "{summary:#}");
    for a in &folder.administrations {
        assert_eq!(
            response_of(&summary, a)["subject"],
            json!(format!("Patient/{}", a.client_id))
        );
        if a.status == Status::Completed {
            assert_eq!(
                observations_of(&summary, response_of(&summary, a)),
                core_scores(a)
            );
        }
    }
    let subjects: std::collections::BTreeSet<&str> = responses
        .iter()
        .map(|r| r["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects.len(), 2, "both partners");
}

/// The entries of `bundle` whose resource is a `kind`.
fn resources<'a>(bundle: &'a mut Value, kind: &str) -> Vec<&'a mut Value> {
    bundle["entry"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .map(|e| &mut e["resource"])
        .filter(|r| r["resourceType"] == kind)
        .collect()
}

/// The first `kind` resource for which `pick` holds.
fn first<'a>(bundle: &'a mut Value, kind: &str, pick: impl Fn(&Value) -> bool) -> &'a mut Value {
    resources(bundle, kind)
        .into_iter()
        .find(|r| pick(r))
        .unwrap_or_else(|| panic!("no {kind} to break"))
}

/// A completed or in-progress ECR-R response (its first item is `q1`, answered).
fn is_ecr_r(response: &Value) -> bool {
    response["questionnaire"]
        .as_str()
        .is_some_and(|q| q.contains("/ecr-r|"))
}

/// A way to break a bundle.
type Break = fn(&mut Value);

#[test]
#[cfg_attr(
    windows,
    ignore = "on Windows: the FHIR checker is built and run with the Linux toolchain's cargo"
)]
fn checker_rejects_broken_bundles() {
    let folder = folder();
    let good: Value = serde_json::from_str(&export(&folder, &["--all"], "all.json")).unwrap();
    let broken: [(&str, Break, &str); 12] = [
        // Caught by fhirbolt's strict parse.
        (
            "unknown field valueQuantityy",
            |b| {
                let o = first(b, "Observation", |o| o.get("valueQuantity").is_some());
                let q = o.as_object_mut().unwrap().remove("valueQuantity").unwrap();
                o["valueQuantityy"] = q;
            },
            "fhirbolt",
        ),
        (
            "Observation.status a number",
            |b| first(b, "Observation", |_| true)["status"] = json!(5),
            "fhirbolt",
        ),
        (
            "unknown resourceType",
            |b| first(b, "Observation", |_| true)["resourceType"] = json!("Observatio"),
            "fhirbolt",
        ),
        (
            "valueInteger 5.5",
            |b| {
                let qr = first(b, "QuestionnaireResponse", is_ecr_r);
                qr["item"][0]["answer"][0]["valueInteger"] = json!(5.5);
            },
            "fhirbolt",
        ),
        // Caught by the checker's own rules.
        (
            "no derivedFrom",
            |b| {
                let o = first(b, "Observation", |_| true);
                o.as_object_mut().unwrap().remove("derivedFrom");
            },
            "no derivedFrom",
        ),
        (
            "derivedFrom a response that is not there",
            |b| {
                let o = first(b, "Observation", |_| true);
                o["derivedFrom"][0]["reference"] = json!("urn:uuid:00000000-0000-4000-8000-0");
            },
            "derivedFrom",
        ),
        (
            "Observation.status preliminary",
            |b| first(b, "Observation", |_| true)["status"] = json!("preliminary"),
            "not final",
        ),
        (
            "response status done",
            |b| first(b, "QuestionnaireResponse", is_ecr_r)["status"] = json!("done"),
            "status \"done\"",
        ),
        (
            "authored 1.3.2025",
            |b| first(b, "QuestionnaireResponse", is_ecr_r)["authored"] = json!("1.3.2025"),
            "not a FHIR dateTime",
        ),
        (
            "questionnaire of another version",
            |b| {
                let qr = first(b, "QuestionnaireResponse", is_ecr_r);
                let canonical = qr["questionnaire"]
                    .as_str()
                    .unwrap()
                    .replace("|1.0.0", "|9.9");
                qr["questionnaire"] = json!(canonical);
            },
            "no Questionnaire",
        ),
        (
            "answer to an unknown item",
            |b| first(b, "QuestionnaireResponse", is_ecr_r)["item"][0]["linkId"] = json!("q99"),
            "no such linkId",
        ),
        (
            "Bundle.type batch",
            |b| b["type"] = json!("batch"),
            "Bundle.type",
        ),
    ];
    for (what, damage, says) in broken {
        let mut bundle = good.clone();
        damage(&mut bundle);
        assert_ne!(bundle, good, "{what}: nothing was changed");
        let out = check(&serde_json::to_string_pretty(&bundle).unwrap());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{what}: {}", show(&out));
        assert!(
            out.stdout.is_empty(),
            "{what}: a summary of a broken bundle"
        );
        assert!(
            stderr.contains(says),
            "{what}: should say {says:?}: {stderr}"
        );
    }
}

#[test]
#[cfg_attr(
    windows,
    ignore = "on Windows: the FHIR checker is built and run with the Linux toolchain's cargo"
)]
fn names_leave_only_when_asked_for() {
    let folder = folder();
    let anonymous = export(&folder, &["--all"], "all.json");
    summary(&anonymous);
    for name in [FIRST, SECOND] {
        assert!(
            !anonymous.contains(name),
            "{name} in an export without --names"
        );
    }

    let named = export(&folder, &["--client", SECOND, "--names"], "named.json");
    let named_summary = summary(&named);
    assert!(
        !named.contains(FIRST),
        "another client's name in {SECOND}'s export"
    );
    let subject = format!("Patient/{}", folder.clients[1].id);
    let raw: Value = serde_json::from_str(&named).unwrap();
    let mut subjects = 0;
    for entry in raw["entry"].as_array().unwrap() {
        let resource = &entry["resource"];
        if resource["resourceType"] != "Questionnaire" {
            assert_eq!(
                resource["subject"],
                json!({"reference": subject, "display": SECOND}),
                "{resource}"
            );
            subjects += 1;
        }
    }
    // Their two responses and the ECR-RS's ten scores.
    assert_eq!(subjects, 12);
    assert_eq!(named_summary["responses"].as_array().unwrap().len(), 2);

    // By name without --names: their records, still without the name.
    let unnamed = export(&folder, &["--client", SECOND], "unnamed.json");
    assert!(!unnamed.contains(SECOND));
    assert_eq!(summary(&unnamed), named_summary);
}
