//! Library-level tests of the encrypted store (`securebase::store`): a wrong passphrase, broken
//! and too-new record files, the lock, and administrations (answers, "prefer not to answer",
//! the resume point, and saving and reloading every answer and time).

use crate::support::common;

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

use common::{
    PASS, WORK_FACTOR, assert_same_files, audit_files, instrument, make_broken, outside_audit,
    save_client, secret, snapshot, temp_data_dir, ts,
};
use securebase::core::{Answer, AnswerError};
use securebase::store::{
    Administration, AuditAction, Client, Source, Status, Store, StoreError, StoredAnswer, new_id,
};

/// The paths named by `StoreError::Corrupt`/`TooNew` failures; panics on any other kind.
fn failure_paths(failures: &[StoreError]) -> BTreeSet<PathBuf> {
    failures
        .iter()
        .map(|f| match f {
            StoreError::Corrupt { path, .. }
            | StoreError::SetApart { path, .. }
            | StoreError::TooNew { path, .. } => {
                let shown = f.to_string();
                assert!(
                    shown.contains(&path.display().to_string()),
                    "the message should name the file: {shown}"
                );
                path.clone()
            }
            other => panic!("expected a failure naming a file, got {other:?}"),
        })
        .collect()
}

#[test]
fn wrong_passphrase_is_refused_and_only_a_failed_unlock_entry_is_written() {
    let (_tmp, dir) = temp_data_dir();
    {
        let (store, _keys) =
            Store::init(&dir, "Test Clinician", &secret(PASS), WORK_FACTOR).unwrap();
        let client = save_client(&store, "Wrong Pass", Some(1970), "some notes");
        common::save_ecr_r(
            &store,
            &client.id,
            &new_id().unwrap(),
            4,
            "2026-01-01T00:00:00Z",
        );
    }
    let before = snapshot(&dir);

    let store = Store::open(&dir).unwrap();
    let err = store.unlock(&secret("not the passphrase")).unwrap_err();
    assert!(
        matches!(err, StoreError::WrongPassphrase),
        "expected WrongPassphrase, got {err:?}"
    );
    assert!(
        err.is_user_error(),
        "a wrong passphrase is the user's input"
    );
    assert!(err.to_string().contains("passphrase is wrong"), "{err}");

    let after = snapshot(&dir);
    assert_same_files(
        &outside_audit(&before),
        &outside_audit(&after),
        "wrong passphrase",
    );
    let new_audit: Vec<PathBuf> = audit_files(&after)
        .difference(&audit_files(&before))
        .cloned()
        .collect();
    assert_eq!(
        new_audit.len(),
        1,
        "exactly one new audit file: {new_audit:?}"
    );
    for old in audit_files(&before) {
        assert!(after[&old] == before[&old], "{} changed", old.display());
    }

    let keys = store.unlock(&secret(PASS)).unwrap();
    let log = store.audit_log(&keys).unwrap();
    assert!(log.failures.is_empty(), "{:?}", log.failures);
    let failed: Vec<_> = log
        .records
        .iter()
        .filter(|e| e.action == AuditAction::FailedUnlock)
        .collect();
    assert_eq!(failed.len(), 1, "{:?}", log.records);
    assert_eq!(failed[0].record_id, None);
    // It is the newest entry: the log is oldest first.
    assert_eq!(
        log.records.last().unwrap().action,
        AuditAction::FailedUnlock
    );
}

#[test]
fn unreadable_records_are_named_and_skipped_and_the_rest_load() {
    let (_tmp, dir) = temp_data_dir();
    let (store, keys) = Store::init(&dir, "Test Clinician", &secret(PASS), WORK_FACTOR).unwrap();
    let broken = make_broken(&store, false);

    let clients = store.clients(&keys).unwrap();
    let names: Vec<&str> = clients.records.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names, broken.good_names,
        "every good client loads, sorted by name"
    );
    assert_eq!(failure_paths(&clients.failures), broken.client_failures());
    for failure in &clients.failures {
        let shown = failure.to_string();
        if shown.contains(&broken.wrong_id.display().to_string()) {
            assert!(
                shown.contains("not the one its file name says") && failure.is_set_apart(),
                "{shown}"
            );
        }
        if shown.contains(&broken.other_key.display().to_string()) {
            assert!(shown.contains("cannot be decrypted"), "{shown}");
        }
    }

    let alice = &broken.with_administrations;
    let administrations = store.administrations(&keys, &alice.id).unwrap();
    let ids: Vec<&str> = administrations
        .records
        .iter()
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(
        ids, broken.good_administrations,
        "good ones load, oldest first"
    );
    assert_eq!(
        failure_paths(&administrations.failures),
        BTreeSet::from([broken.half_administration.clone()])
    );
    // Counting does not decrypt: the broken file is still a file.
    assert_eq!(store.count_administrations(&alice.id), 3);

    // A broken client file does not stop lookups of the others.
    assert_eq!(
        store.find_client(&keys, "carol good").unwrap().name,
        "Carol Good"
    );
}

#[test]
fn a_record_of_format_2_is_reported_as_written_by_a_newer_securebase() {
    let (_tmp, dir) = temp_data_dir();
    let (store, keys) = Store::init(&dir, "Test Clinician", &secret(PASS), WORK_FACTOR).unwrap();
    let kept = save_client(&store, "Present Day", None, "");

    let future_id = new_id().unwrap();
    let future = common::client_file(&dir, &future_id);
    fs::write(
        &future,
        common::seal_signed(
            &dir,
            &format!("clients/{future_id}.age"),
            &common::client_json(&future_id, "Future", 2),
        ),
    )
    .unwrap();

    // An administration from the future, for the kept client.
    let mut json = serde_json::to_value(common::save_ecr_r(
        &store,
        &kept.id,
        &new_id().unwrap(),
        4,
        "2026-02-01T00:00:00Z",
    ))
    .unwrap();
    let admin_id = new_id().unwrap();
    json["format"] = 2.into();
    json["id"] = admin_id.clone().into();
    json["a_field_from_the_future"] = "whatever".into();
    let future_admin = common::administration_file(&dir, &kept.id, &admin_id);
    fs::write(
        &future_admin,
        common::seal_signed(
            &dir,
            &format!("administrations/{}/{admin_id}.age", kept.id),
            &json,
        ),
    )
    .unwrap();

    let clients = store.clients(&keys).unwrap();
    assert_eq!(clients.records, vec![kept.clone()]);
    assert_eq!(clients.failures.len(), 1, "{:?}", clients.failures);
    match &clients.failures[0] {
        StoreError::TooNew {
            path,
            found,
            supported,
        } => {
            assert_eq!(path, &future);
            assert_eq!((*found, *supported), (2, 1));
        }
        other => panic!("expected TooNew, got {other:?}"),
    }
    let shown = clients.failures[0].to_string();
    assert!(shown.contains("newer securebase"), "{shown}");
    assert!(shown.contains(&future.display().to_string()), "{shown}");

    let administrations = store.administrations(&keys, &kept.id).unwrap();
    assert_eq!(administrations.records.len(), 1);
    assert!(
        matches!(&administrations.failures[..], [StoreError::TooNew { path, found: 2, .. }] if path == &future_admin),
        "{:?}",
        administrations.failures
    );
}

#[test]
fn locking_and_initialisation_states() {
    let (_tmp, dir) = temp_data_dir();
    let err = Store::open(&dir).unwrap_err();
    assert!(matches!(err, StoreError::NotInitialised(_)), "{err:?}");
    assert!(err.to_string().contains("securebase init"), "{err}");
    assert!(!dir.exists(), "opening does not create the folder");

    let (store, _keys) = Store::init(&dir, "Test Clinician", &secret(PASS), WORK_FACTOR).unwrap();
    assert!(Store::is_initialised(&dir));

    // The same process opening again still meets the lock, and is told who holds it.
    let err = Store::open(&dir).unwrap_err();
    match &err {
        StoreError::Locked { pid, .. } => assert_eq!(*pid, Some(std::process::id())),
        other => panic!("expected Locked, got {other:?}"),
    }
    assert!(
        err.to_string()
            .contains(&format!("process {}", std::process::id())),
        "{err}"
    );
    assert!(!err.is_user_error());
    drop(store);

    let before = snapshot(&dir);
    let err = Store::init(
        &dir,
        "Test Clinician",
        &secret("another passphrase"),
        WORK_FACTOR,
    )
    .unwrap_err();
    assert!(matches!(err, StoreError::AlreadyInitialised(_)), "{err:?}");
    assert_same_files(&before, &snapshot(&dir), "second init");

    // Free again once dropped.
    let store = Store::open(&dir).unwrap();
    assert_eq!(common::lock_pid(&dir), std::process::id());
    drop(store);
}

#[test]
fn clients_are_checked_found_by_id_or_name_and_ambiguous_names_refused() {
    let now = ts("2026-06-01T00:00:00Z");
    let err = Client::new(new_id().unwrap(), "Old", Some(1850), "", now).unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)) && err.to_string().contains("1850"));
    assert!(Client::new(new_id().unwrap(), "  ", None, "", now).is_err());
    assert!(Client::new(new_id().unwrap(), "Young", Some(2027), "", now).is_err());
    assert!(Client::new(new_id().unwrap(), "Edge", Some(1900), "", now).is_ok());

    let (_tmp, dir) = temp_data_dir();
    let (store, keys) = Store::init(&dir, "Test Clinician", &secret(PASS), WORK_FACTOR).unwrap();
    let a = save_client(&store, "Robin", None, "");
    let b = save_client(&store, "ROBIN", Some(1999), "");
    let c = save_client(&store, "Sam", None, "");

    assert_eq!(store.find_client(&keys, &a.id).unwrap(), a);
    assert_eq!(store.find_client(&keys, " sam ").unwrap(), c);
    match store.find_client(&keys, "robin").unwrap_err() {
        StoreError::AmbiguousClient { ids, .. } => {
            assert_eq!(
                ids.iter().collect::<BTreeSet<_>>(),
                BTreeSet::from([&a.id, &b.id])
            );
        }
        other => panic!("expected AmbiguousClient, got {other:?}"),
    }
    assert!(matches!(
        store.find_client(&keys, "nobody").unwrap_err(),
        StoreError::NoSuchClient(_)
    ));
}

#[test]
fn set_answer_rejects_out_of_range_and_keeps_declined_apart_from_not_reached() {
    let ecr_r = instrument("ecr-r");
    let t0 = ts("2026-03-04T05:06:07Z");
    let mut a = Administration::new(
        new_id().unwrap(),
        &new_id().unwrap(),
        &ecr_r,
        Source::ClientMode,
        t0,
    );
    assert_eq!(a.status, Status::InProgress);

    for bad in [0, 8, -1, i32::MAX] {
        assert_eq!(
            a.set_answer(&ecr_r, 6, Answer::Value(bad), t0, None),
            Err(AnswerError::OutOfRange {
                value: i64::from(bad),
                min: 1,
                max: 7
            })
        );
    }
    assert!(matches!(
        a.set_answer(&ecr_r, 36, Answer::Value(4), t0, None),
        Err(AnswerError::NoSuchSlot { slot: 36, len: 36 })
    ));
    assert!(
        a.answers.is_empty(),
        "a refused answer leaves nothing behind"
    );

    let t1 = ts("2026-03-04T05:06:10Z");
    a.set_answer(&ecr_r, 0, Answer::Value(5), t0, Some(2.5))
        .unwrap();
    a.set_answer(&ecr_r, 1, Answer::Declined, t1, None).unwrap();
    // Slot 2 (q3) is never reached.
    assert_eq!(
        a.answers,
        vec![
            StoredAnswer {
                column: "q1".to_owned(),
                value: Some(5),
                at: t0,
                seconds: Some(2.5),
            },
            StoredAnswer {
                column: "q2".to_owned(),
                value: None,
                at: t1,
                seconds: None,
            },
        ]
    );
    let responses = a.responses(&ecr_r).unwrap();
    assert_eq!(responses.answers()[0], Answer::Value(5));
    assert_eq!(responses.answers()[1], Answer::Declined);
    assert_eq!(responses.answers()[2], Answer::Missing);

    // An out-of-range change keeps the earlier answer.
    assert!(a.set_answer(&ecr_r, 0, Answer::Value(9), t1, None).is_err());
    assert_eq!(a.answers[0].value, Some(5));

    // Changing an answer replaces it in place: one entry per column, the newest time.
    let t2 = ts("2026-03-04T05:07:00Z");
    a.set_answer(&ecr_r, 0, Answer::Value(6), t2, None).unwrap();
    assert_eq!(a.answers.len(), 2);
    assert_eq!((a.answers[0].value, a.answers[0].at), (Some(6), t2));

    // Declined, then answered after all; and Missing takes an answer back.
    a.set_answer(&ecr_r, 1, Answer::Value(3), t2, None).unwrap();
    assert_eq!(a.answers[1].value, Some(3));
    a.set_answer(&ecr_r, 1, Answer::Missing, t2, None).unwrap();
    assert_eq!(a.answers.len(), 1);
    assert_eq!(a.responses(&ecr_r).unwrap().answers()[1], Answer::Missing);
}

#[test]
fn next_slot_is_where_a_resumed_form_continues() {
    let ecr_r = instrument("ecr-r");
    let t = ts("2026-03-04T05:06:07Z");
    let mut a = Administration::new(
        new_id().unwrap(),
        &new_id().unwrap(),
        &ecr_r,
        Source::ClientMode,
        t,
    );
    assert_eq!(a.next_slot(&ecr_r), Some(0));
    a.set_answer(&ecr_r, 0, Answer::Value(2), t, None).unwrap();
    a.set_answer(&ecr_r, 1, Answer::Declined, t, None).unwrap();
    a.set_answer(&ecr_r, 2, Answer::Value(7), t, None).unwrap();
    // A declined item was reached: the form goes on after it.
    assert_eq!(a.next_slot(&ecr_r), Some(3));
    // An answer further on (the client went back and forth) leaves the gap as the resume point.
    a.set_answer(&ecr_r, 10, Answer::Value(4), t, None).unwrap();
    assert_eq!(a.next_slot(&ecr_r), Some(3));
    for slot in 0..ecr_r.n_slots() {
        if a.next_slot(&ecr_r) == Some(slot) {
            a.set_answer(&ecr_r, slot, Answer::Value(4), t, None)
                .unwrap();
        }
    }
    assert_eq!(a.next_slot(&ecr_r), None, "every item answered");
    // Taking an answer back reopens its slot.
    a.set_answer(&ecr_r, 20, Answer::Missing, t, None).unwrap();
    assert_eq!(a.next_slot(&ecr_r), Some(20));
}

#[test]
fn saving_and_reloading_keeps_every_answer_and_time() {
    let (_tmp, dir) = temp_data_dir();
    let (store, keys) = Store::init(&dir, "Test Clinician", &secret(PASS), WORK_FACTOR).unwrap();
    let client = save_client(&store, "Round Trip", Some(1988), "notes\nover two lines");

    let ecr_r = instrument("ecr-r");
    let started = ts("2026-03-04T05:06:07.123456789Z");
    let mut a = Administration::new(
        new_id().unwrap(),
        &client.id,
        &ecr_r,
        Source::ClientMode,
        started,
    );
    for slot in 0..30 {
        let at = ts(&format!("2026-03-04T05:07:{slot:02}.000000{slot:03}Z"));
        let answer = if slot % 7 == 3 {
            Answer::Declined
        } else {
            Answer::Value(i32::try_from(slot % 7).unwrap() + 1)
        };
        // Halves and quarters: exact in binary and in decimal (see the next test for others).
        let seconds = (slot % 2 == 0).then_some(f64::from(u8::try_from(slot).unwrap()) * 0.25);
        a.set_answer(&ecr_r, slot, answer, at, seconds).unwrap();
    }
    // Saved in progress (client mode saves after every answer), then finished later.
    store.save_administration(&a).unwrap();
    let loaded = store.administrations(&keys, &client.id).unwrap();
    assert_eq!(loaded.records, vec![a.clone()]);
    assert_eq!(loaded.records[0].next_slot(&ecr_r), Some(30));

    a.status = Status::Abandoned;
    a.finished = Some(ts("2026-03-04T06:00:00.000000001Z"));
    store.save_administration(&a).unwrap();

    let rq = instrument("rq");
    let t = ts("2027-01-01T00:00:00Z");
    let mut b = Administration::new(new_id().unwrap(), &client.id, &rq, Source::PaperEntry, t);
    for slot in 0..rq.n_slots() {
        b.set_answer(
            &rq,
            slot,
            Answer::Value(7 - i32::try_from(slot).unwrap()),
            t,
            None,
        )
        .unwrap();
    }
    b.choice = Some("B".to_owned());
    b.status = Status::Completed;
    b.finished = Some(t);
    store.save_administration(&b).unwrap();

    let loaded = store.administrations(&keys, &client.id).unwrap();
    assert!(loaded.failures.is_empty(), "{:?}", loaded.failures);
    assert_eq!(
        loaded.records,
        vec![a.clone(), b.clone()],
        "rewritten, not duplicated"
    );
    assert_eq!(store.count_administrations(&client.id), 2);
    let again = &loaded.records[0];
    assert_eq!(again.answers.len(), 30);
    assert_eq!(again.answers[3].value, None, "declined stays declined");
    assert_eq!(again.answers[2].seconds, Some(0.5));
    assert_eq!(again.answers[29].at, ts("2026-03-04T05:07:29.000000029Z"));
    assert_eq!(again.started, started);
    assert_eq!(loaded.records[1].responses(&rq).unwrap().choice(), Some(1));

    // The client too, notes and all.
    assert_eq!(store.clients(&keys).unwrap().records, vec![client]);
}

#[test]
fn seconds_per_item_survive_saving_bit_for_bit() {
    let (_tmp, dir) = temp_data_dir();
    let (store, keys) = Store::init(&dir, "Test Clinician", &secret(PASS), WORK_FACTOR).unwrap();
    let ecr_r = instrument("ecr-r");
    let t = ts("2026-03-04T05:06:07Z");
    let client_id = new_id().unwrap();
    let mut a = Administration::new(new_id().unwrap(), &client_id, &ecr_r, Source::ClientMode, t);
    // Timings as a clock difference produces them: any f64, with 17 significant digits.
    let seconds = [
        6.0 * 0.37,
        0.1 + 0.2,
        1.0 / 3.0,
        12.345_678_901_234_567,
        1e-9,
    ];
    for (slot, s) in seconds.iter().enumerate() {
        a.set_answer(&ecr_r, slot, Answer::Value(4), t, Some(*s))
            .unwrap();
    }
    store.save_administration(&a).unwrap();
    let loaded = store.administrations(&keys, &client_id).unwrap();
    let reloaded: Vec<Option<f64>> = loaded.records[0]
        .answers
        .iter()
        .map(|x| x.seconds)
        .collect();
    let written: Vec<Option<f64>> = seconds.iter().copied().map(Some).collect();
    assert_eq!(
        reloaded, written,
        "seconds changed on the way through the file (serde_json parses floats exactly only \
         with its `float_roundtrip` feature)"
    );
}
