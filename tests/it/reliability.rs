//! The clinic's own reliability (`core::reliability`), worked by hand on the minimal 1-5
//! instrument's scale alpha (items 1 and 2, item 2 reversed: keyed 6 - x).

use securebase::core::reliability::reliability;
use securebase::core::{Answer, Instrument, Responses};

fn minimal() -> Instrument {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/valid/minimal.json");
    Instrument::from_json(file, &std::fs::read_to_string(file).unwrap()).unwrap()
}

/// Four complete rows, keyed (1, 1), (3, 3), (5, 4), (4, 5) (answered q2 = 5, 3, 2, 1), and two
/// that do not count: q2 missing, q2 declined.
///
/// Item 1: 1, 3, 5, 4, mean 3.25, squares of deviations 8.75, variance 8.75/3. Item 2: 1, 3,
/// 4, 5, the same. Total: 2, 6, 9, 9, mean 6.5, squares 33, variance 11. α = 2 · (1 - (17.5/3)
/// / 11) = 2 · 31/66 = 31/33. Item 1 with item 2 (the rest of the scale): products of
/// deviations 5.0625 + 0.0625 + 1.3125 + 1.3125 = 7.75, so r = 7.75 / 8.75 = 31/35, and the
/// same for item 2. Feldt, n = 4, k = 2: F(.975; 3, 3) = 15.439182378747276 (R's qf), F(.025;
/// 3, 3) = 0.064770269271288816; interval 1 - (2/33) · those. The scale score is the mean of
/// the two: 1, 3, 4.5, 4.5, mean 3.25, squares 8.25, SD √2.75.
#[test]
fn alpha_interval_item_totals_mean_and_sd_worked_by_hand() {
    let mini = minimal();
    let rows: Vec<Responses> = [
        (Some(1), Answer::Value(5)),
        (Some(3), Answer::Value(3)),
        (Some(5), Answer::Value(2)),
        (Some(4), Answer::Value(1)),
        (Some(2), Answer::Missing),
        (Some(2), Answer::Declined),
    ]
    .into_iter()
    .map(|(q1, q2)| {
        let mut r = Responses::new(&mini);
        if let Some(v) = q1 {
            r.set(0, Answer::Value(v)).unwrap();
        }
        r.set(1, q2).unwrap();
        r
    })
    .collect();
    let refs: Vec<&Responses> = rows.iter().collect();
    let all = reliability(&mini, &refs);
    assert_eq!(
        all.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["alpha", "beta"],
        "scales only: the derived total has no items"
    );
    let alpha = &all[0];
    assert_eq!(alpha.n, 4);
    let close = |a: f64, b: f64, what: &str| assert!((a - b).abs() < 1e-12, "{what}: {a} vs {b}");
    close(alpha.alpha.unwrap(), 31.0 / 33.0, "alpha");
    let (low, high) = alpha.alpha_ci.unwrap();
    close(low, 1.0 - 2.0 / 33.0 * 15.439_182_378_747_276, "low");
    close(high, 1.0 - 2.0 / 33.0 * 0.064_770_269_271_288_82, "high");
    assert_eq!(
        alpha
            .items
            .iter()
            .map(|i| (i.item, i.column.as_str()))
            .collect::<Vec<_>>(),
        [(1, "q1"), (2, "q2")]
    );
    for item in &alpha.items {
        close(item.r_drop.unwrap(), 31.0 / 35.0, "r_drop");
    }
    close(alpha.mean.unwrap(), 3.25, "mean");
    close(alpha.sd.unwrap(), 2.75_f64.sqrt(), "sd");
    // Beta's items were never answered: no rows, nothing to say.
    assert_eq!(all[1].n, 0);
    assert_eq!((all[1].alpha, all[1].mean), (None, None));
}

/// `securebase reliability` reads the data folder's intakes (each client's first completed
/// administration) exactly as it reads the same answers from a CSV: a later administration
/// and an earlier unfinished one do not count. And its JSON has exactly the promised shape.
#[test]
fn the_data_folder_gives_the_intakes_figures_and_the_promised_json() {
    use crate::support::export_common::{
        add_client, ecr_r_answers, expect_code, new_folder, save_answers, sb,
    };
    let (_tmp, dir, store) = new_folder();
    // Intakes: (anxiety, avoidance) keyed values per client, every item the same keyed value
    // but one anxiety item one higher, so that items vary and correlate.
    let intakes = [(2, 3), (4, 5), (5, 2), (6, 6), (3, 4)];
    let header: Vec<String> = std::iter::once("id".to_owned())
        .chain((1..=36).map(|n| format!("q{n}")))
        .collect();
    let mut lines = vec![header.join(",")];
    for (k, (anx, avo)) in intakes.iter().enumerate() {
        let client = add_client(&store, &format!("C-{k}"), None);
        let mut answers = ecr_r_answers(*anx, *avo);
        // Item 1 (forward) one step up for odd clients.
        if k % 2 == 1 {
            answers[0] = securebase::core::Answer::Value(anx + 1);
        }
        if k == 1 {
            // An unfinished earlier one: not an intake.
            save_answers(
                &store,
                &client,
                "ecr-r",
                "2026-01-01T09:00:00Z",
                &ecr_r_answers(7, 7),
                None,
                false,
            );
        }
        save_answers(
            &store,
            &client,
            "ecr-r",
            "2026-02-01T09:00:00Z",
            &answers,
            None,
            true,
        );
        // A later administration: not an intake either.
        save_answers(
            &store,
            &client,
            "ecr-r",
            "2026-05-01T09:00:00Z",
            &ecr_r_answers(1, 1),
            None,
            true,
        );
        let cells: Vec<String> = std::iter::once(format!("c{k}"))
            .chain(answers.iter().map(|a| a.value().unwrap().to_string()))
            .collect();
        lines.push(cells.join(","));
    }
    drop(store);
    let file = dir.parent().unwrap().join("intakes.csv");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let from_folder = sb(
        &dir,
        &["reliability", "--instrument", "ecr-r", "--format", "json"],
    );
    expect_code(&from_folder, 0, "reliability from the data folder");
    let from_csv = sb(
        &dir,
        &[
            "reliability",
            "--instrument",
            "ecr-r",
            "--format",
            "json",
            "--input",
            file.to_str().unwrap(),
        ],
    );
    expect_code(&from_csv, 0, "reliability from the CSV");
    let doc: serde_json::Value = serde_json::from_str(&from_folder.stdout).unwrap();
    let same: serde_json::Value = serde_json::from_str(&from_csv.stdout).unwrap();
    // The same figures; the rows come in another order (by client id), so sums may differ
    // in the last bit.
    assert_close(&doc, &same, "");
    check_shape(&doc);
    let scales = doc["scales"].as_array().unwrap();
    assert_eq!(scales[0]["id"], "anxiety");
    assert_eq!(scales[0]["items"][0]["item"], 1);
    // Anxiety's scale scores: the keyed value, plus 1/18 for clients 1 and 3.
    let mean = (2.0 + 4.0 + 1.0 / 18.0 + 5.0 + 6.0 + 1.0 / 18.0 + 3.0) / 5.0;
    assert!((scales[0]["mean"].as_f64().unwrap() - mean).abs() < 1e-12);
    let ci = scales[0]["alpha_ci"].as_array().unwrap();
    assert!(ci[0].as_f64().unwrap() < scales[0]["alpha"].as_f64().unwrap());
}

/// `a` and `b` are the same JSON, numbers within 1e-12.
fn assert_close(a: &serde_json::Value, b: &serde_json::Value, at: &str) {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!((x - y).abs() < 1e-12, "{at}: {x} vs {y}");
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}");
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                assert_close(x, y, &format!("{at}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>(),
                "{at}"
            );
            for (k, v) in x {
                assert_close(v, &y[k], &format!("{at}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{at}"),
    }
}

/// Exactly `{"instrument", "scales": [{"id", "n", "alpha", "alpha_ci", "mean", "sd", "items":
/// [{"item", "r_drop"}]}]}`, here for the ECR-R's two scales of 18 items over five intakes.
fn check_shape(doc: &serde_json::Value) {
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(doc), ["instrument", "scales"]);
    assert_eq!(doc["instrument"], "ecr-r");
    let scales = doc["scales"].as_array().unwrap();
    assert_eq!(scales.len(), 2);
    for s in scales {
        assert_eq!(
            keys(s),
            ["alpha", "alpha_ci", "id", "items", "mean", "n", "sd"]
        );
        assert_eq!(s["n"], 5, "five intakes");
        assert_eq!(s["items"].as_array().unwrap().len(), 18);
        for item in s["items"].as_array().unwrap() {
            assert_eq!(keys(item), ["item", "r_drop"]);
        }
    }
}
