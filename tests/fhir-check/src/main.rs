//! `fhir-check BUNDLE.json`: an independent check of a securebase FHIR R4 export.
//!
//! 1. Parses the file strictly with fhirbolt as an R4 `Bundle` (unknown fields, wrong JSON
//!    types and missing required elements are errors). Exit 1 with fhirbolt's error on stderr.
//! 2. Checks what fhirbolt does not: codes, dateTime formats, and how the resources refer to
//!    each other (see [`check`]). Exit 1 with every problem found on stderr.
//! 3. Prints a normalised summary, made from the parsed model (never from the raw JSON):
//!    `{"responses": [{"id", "fullUrl", "questionnaire", "status", "authored", "subject",
//!    "answers": {linkId: integer | choice code | "declined"}}], "observations": [{"code",
//!    "value": number | null, "derivedFrom", "subject"}]}`.
//!
//! Exit 2 on a usage error or an unreadable file.

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

use fhirbolt::FhirReleases;
use fhirbolt::element::Element;
use fhirbolt::model::r4::Resource;
use fhirbolt::model::r4::resources::{
    Bundle, Observation, ObservationEffective, ObservationValue, Questionnaire, QuestionnaireItem,
    QuestionnaireItemAnswerOptionValue, QuestionnaireResponse, QuestionnaireResponseItem,
    QuestionnaireResponseItemAnswerValue,
};
use fhirbolt::model::r4::types::{Extension, ExtensionValue, Reference};
use fhirbolt::serde::{DeserializationConfig, DeserializationMode};
use serde_json::{Map, Value, json};

const SURVEY_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
const DATA_ABSENT: &str = "http://hl7.org/fhir/StructureDefinition/data-absent-reason";
const MIN_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/minValue";
const MAX_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/maxValue";
const QR_STATUSES: [&str; 5] = [
    "completed",
    "in-progress",
    "stopped",
    "amended",
    "entered-in-error",
];
const Q_STATUSES: [&str; 4] = ["draft", "active", "retired", "unknown"];
const ITEM_TYPES: [&str; 16] = [
    "group",
    "display",
    "boolean",
    "decimal",
    "integer",
    "date",
    "dateTime",
    "time",
    "string",
    "text",
    "url",
    "choice",
    "open-choice",
    "attachment",
    "reference",
    "quantity",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, path] = args.as_slice() else {
        eprintln!("usage: fhir-check BUNDLE.json");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("fhir-check: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let bundle = match parse(&text) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("fhir-check: not a valid FHIR R4 Bundle (fhirbolt, strict): {e}");
            return ExitCode::from(1);
        }
    };
    let problems = check(&bundle);
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("fhir-check: {p}");
        }
        eprintln!("fhir-check: {} problem(s)", problems.len());
        return ExitCode::from(1);
    }
    match serde_json::to_string_pretty(&summary(&bundle)) {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("fhir-check: cannot write the summary: {e}");
            ExitCode::from(1)
        }
    }
}

/// JSON -> generic `Element` -> typed `Bundle`, both steps strict.
///
/// fhirbolt 0.4.0's direct `fhirbolt::json::from_str::<Bundle>` fails on bundles of two or
/// more entries (its deserialisation context stays switched to its element format after the
/// first nested resource); going through `Element` avoids that.
fn parse(json: &str) -> Result<Bundle, String> {
    let cfg = DeserializationConfig {
        mode: DeserializationMode::Strict,
    };
    let element: Element<{ FhirReleases::R4 }> =
        fhirbolt::json::from_str(json, Some(cfg)).map_err(|e| e.to_string())?;
    fhirbolt::element::from_element(element, Some(cfg)).map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------------
// Reading the model
// ---------------------------------------------------------------------------------------------

/// The value of an optional primitive (`Option<Uri>`, `Option<String>`, ...).
macro_rules! val {
    ($e:expr) => {
        $e.as_ref().and_then(|p| p.value.as_deref())
    };
}

fn reference(r: Option<&Reference>) -> Option<&str> {
    r.and_then(|r| val!(r.reference))
}

/// Whether `extension` holds the data-absent-reason extension (and its code).
fn data_absent(extension: &[Extension]) -> Option<&str> {
    extension
        .iter()
        .find(|e| e.url == DATA_ABSENT)
        .map(|e| match &e.value {
            Some(ExtensionValue::Code(c)) => c.value.as_deref().unwrap_or(""),
            _ => "",
        })
}

fn integer_extension(extension: &[Extension], url: &str) -> Option<i32> {
    extension
        .iter()
        .find(|e| e.url == url)
        .and_then(|e| match &e.value {
            Some(ExtensionValue::Integer(i)) => i.value,
            _ => None,
        })
}

/// The bundle's resources with their full URLs.
fn entries(bundle: &Bundle) -> impl Iterator<Item = (Option<&str>, &Resource)> {
    bundle
        .entry
        .iter()
        .filter_map(|e| e.resource.as_ref().map(|r| (val!(e.full_url), r)))
}

fn questionnaires(bundle: &Bundle) -> impl Iterator<Item = &Questionnaire> {
    entries(bundle).filter_map(|(_, r)| match r {
        Resource::Questionnaire(q) => Some(&**q),
        _ => None,
    })
}

fn responses(bundle: &Bundle) -> impl Iterator<Item = (Option<&str>, &QuestionnaireResponse)> {
    entries(bundle).filter_map(|(url, r)| match r {
        Resource::QuestionnaireResponse(qr) => Some((url, &**qr)),
        _ => None,
    })
}

fn observations(bundle: &Bundle) -> impl Iterator<Item = (Option<&str>, &Observation)> {
    entries(bundle).filter_map(|(url, r)| match r {
        Resource::Observation(o) => Some((url, &**o)),
        _ => None,
    })
}

/// A questionnaire's items by `linkId`, with the `linkId` of their parent group.
struct QItem<'a> {
    item: &'a QuestionnaireItem,
    parent: Option<&'a str>,
}

fn index_items<'a>(
    items: &'a [QuestionnaireItem],
    parent: Option<&'a str>,
    out: &mut BTreeMap<&'a str, QItem<'a>>,
    problems: &mut Vec<String>,
    at: &str,
) {
    for item in items {
        let Some(link_id) = item.link_id.value.as_deref() else {
            problems.push(format!("{at}: an item has no linkId"));
            continue;
        };
        let here = format!("{at} item {link_id}");
        if val!(item.text).is_none_or(str::is_empty) {
            problems.push(format!("{here}: no text"));
        }
        match item.r#type.value.as_deref() {
            None => problems.push(format!("{here}: no type")),
            Some(t) if !ITEM_TYPES.contains(&t) => {
                problems.push(format!("{here}: type {t:?} is not an R4 item type"));
            }
            Some("group") if item.item.is_empty() => {
                problems.push(format!("{here}: a group without items"));
            }
            Some("choice") if item.answer_option.is_empty() => {
                problems.push(format!("{here}: a choice without answerOption"));
            }
            Some(t) if t != "group" && !item.item.is_empty() => {
                problems.push(format!("{here}: a {t} item with nested items"));
            }
            Some(_) => {}
        }
        if out.insert(link_id, QItem { item, parent }).is_some() {
            problems.push(format!("{here}: linkId used twice"));
        }
        index_items(&item.item, Some(link_id), out, problems, at);
    }
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/// Every problem of the bundle that fhirbolt's strict parse does not catch.
fn check(bundle: &Bundle) -> Vec<String> {
    let mut problems = Vec::new();
    if bundle.r#type.value.as_deref() != Some("collection") {
        problems.push(format!(
            "Bundle.type is {:?}, not \"collection\"",
            bundle.r#type.value
        ));
    }
    match val!(bundle.timestamp) {
        Some(t) if !is_instant(t) => {
            problems.push(format!("Bundle.timestamp {t:?} is not a FHIR instant"));
        }
        _ => {}
    }
    let mut full_urls = BTreeSet::new();
    for (k, entry) in bundle.entry.iter().enumerate() {
        match val!(entry.full_url) {
            None | Some("") => problems.push(format!("entry[{k}] has no fullUrl")),
            Some(url) => {
                if !full_urls.insert(url) {
                    problems.push(format!("entry[{k}]: fullUrl {url} used twice"));
                }
            }
        }
        if entry.resource.is_none() {
            problems.push(format!("entry[{k}] has no resource"));
        }
    }

    // Questionnaires, by `url|version`.
    let mut forms: BTreeMap<String, BTreeMap<&str, QItem>> = BTreeMap::new();
    for q in questionnaires(bundle) {
        let url = val!(q.url).unwrap_or_default();
        let version = val!(q.version).unwrap_or_default();
        let at = format!("Questionnaire {url}|{version}");
        if url.is_empty() {
            problems.push("a Questionnaire has no url".to_owned());
        }
        if version.is_empty() {
            problems.push(format!("{at}: no version"));
        }
        let status = q.status.value.as_deref().unwrap_or_default();
        if !Q_STATUSES.contains(&status) {
            problems.push(format!("{at}: status {status:?}"));
        }
        if q.item.is_empty() {
            problems.push(format!("{at}: no items"));
        }
        let mut items = BTreeMap::new();
        index_items(&q.item, None, &mut items, &mut problems, &at);
        if forms.insert(format!("{url}|{version}"), items).is_some() {
            problems.push(format!("{at}: in the bundle twice"));
        }
    }

    // Responses, by full URL: (status, subject).
    let mut answered: BTreeMap<&str, (&str, Option<&str>)> = BTreeMap::new();
    for (k, (full_url, qr)) in responses(bundle).enumerate() {
        let at = format!(
            "QuestionnaireResponse {}",
            full_url.map_or_else(|| format!("#{k}"), str::to_owned)
        );
        let status = qr.status.value.as_deref().unwrap_or_default();
        if !QR_STATUSES.contains(&status) {
            problems.push(format!(
                "{at}: status {status:?} is not an R4 response status"
            ));
        }
        match val!(qr.authored) {
            None => problems.push(format!("{at}: no authored")),
            Some(t) if !is_date_time(t) => {
                problems.push(format!("{at}: authored {t:?} is not a FHIR dateTime"));
            }
            Some(_) => {}
        }
        let subject = reference(qr.subject.as_deref());
        if subject.is_none_or(str::is_empty) {
            problems.push(format!("{at}: no subject.reference"));
        }
        let canonical = val!(qr.questionnaire).unwrap_or_default();
        match forms.get(canonical) {
            None => problems.push(format!(
                "{at}: questionnaire {canonical:?} is no Questionnaire's url|version in the bundle"
            )),
            Some(items) => check_answers(&qr.item, None, items, &mut problems, &at),
        }
        if let Some(url) = full_url {
            answered.insert(url, (status, subject));
        }
    }

    for (k, (full_url, o)) in observations(bundle).enumerate() {
        let at = format!(
            "Observation {}",
            full_url.map_or_else(|| format!("#{k}"), str::to_owned)
        );
        check_observation(o, &answered, &mut problems, &at);
    }
    problems
}

/// Checks a response's items (at one level) against the questionnaire's `items`.
fn check_answers(
    given: &[QuestionnaireResponseItem],
    parent: Option<&str>,
    items: &BTreeMap<&str, QItem>,
    problems: &mut Vec<String>,
    at: &str,
) {
    for item in given {
        let Some(link_id) = item.link_id.value.as_deref() else {
            problems.push(format!("{at}: an item has no linkId"));
            continue;
        };
        let here = format!("{at} item {link_id}");
        if val!(item.text).is_none_or(str::is_empty) {
            problems.push(format!("{here}: no text"));
        }
        let Some(q) = items.get(link_id) else {
            problems.push(format!("{here}: no such linkId in the Questionnaire"));
            continue;
        };
        if q.parent != parent {
            problems.push(format!(
                "{here}: under {parent:?}, but the Questionnaire has it under {:?}",
                q.parent
            ));
        }
        if val!(item.text) != val!(q.item.text) {
            problems.push(format!("{here}: text differs from the Questionnaire's"));
        }
        let declined = data_absent(&item.extension);
        if declined.is_some_and(|code| code != "asked-declined") {
            problems.push(format!("{here}: data-absent-reason {declined:?}"));
        }
        let kind = q.item.r#type.value.as_deref().unwrap_or_default();
        match (kind, item.answer.as_slice(), item.item.is_empty()) {
            ("group", [], false) => {}
            ("group", _, _) => problems.push(format!("{here}: a group needs items, no answer")),
            (_, [], true) if declined.is_some() => {}
            (_, [], _) => problems.push(format!("{here}: neither an answer nor declined")),
            (_, [_], true) if declined.is_some() => {
                problems.push(format!("{here}: both an answer and declined"));
            }
            (_, [answer], true) => check_value(answer.value.as_ref(), q.item, problems, &here),
            (_, _, true) => problems.push(format!("{here}: more than one answer")),
            (_, _, false) => problems.push(format!("{here}: nested items under a question")),
        }
        check_answers(&item.item, Some(link_id), items, problems, at);
    }
}

/// Checks one answer's value against its question.
fn check_value(
    value: Option<&QuestionnaireResponseItemAnswerValue>,
    q: &QuestionnaireItem,
    problems: &mut Vec<String>,
    here: &str,
) {
    match (q.r#type.value.as_deref(), value) {
        (Some("integer"), Some(QuestionnaireResponseItemAnswerValue::Integer(i))) => {
            let v = i.value;
            let min = integer_extension(&q.extension, MIN_VALUE);
            let max = integer_extension(&q.extension, MAX_VALUE);
            match v {
                None => problems.push(format!("{here}: valueInteger without a value")),
                Some(v) if min.is_some_and(|m| v < m) || max.is_some_and(|m| v > m) => {
                    problems.push(format!("{here}: {v} outside {min:?}-{max:?}"));
                }
                Some(_) => {}
            }
        }
        (Some("choice"), Some(QuestionnaireResponseItemAnswerValue::Coding(c))) => {
            let allowed = q.answer_option.iter().any(|o| match &o.value {
                QuestionnaireItemAnswerOptionValue::Coding(option) => {
                    val!(option.system) == val!(c.system) && val!(option.code) == val!(c.code)
                }
                _ => false,
            });
            if !allowed {
                problems.push(format!(
                    "{here}: {:?}|{:?} is not an answerOption",
                    val!(c.system),
                    val!(c.code)
                ));
            }
        }
        (kind, _) => problems.push(format!("{here}: answer does not fit item type {kind:?}")),
    }
}

fn check_observation(
    o: &Observation,
    answered: &BTreeMap<&str, (&str, Option<&str>)>,
    problems: &mut Vec<String>,
    at: &str,
) {
    if o.status.value.as_deref() != Some("final") {
        problems.push(format!("{at}: status {:?}, not final", o.status.value));
    }
    let survey = o
        .category
        .iter()
        .flat_map(|c| &c.coding)
        .any(|c| val!(c.system) == Some(SURVEY_SYSTEM) && val!(c.code) == Some("survey"));
    if !survey {
        problems.push(format!("{at}: no category survey ({SURVEY_SYSTEM})"));
    }
    let coded = o.code.coding.iter().any(|c| {
        val!(c.system).is_some_and(|s| !s.is_empty()) && val!(c.code).is_some_and(|s| !s.is_empty())
    });
    if !coded {
        problems.push(format!("{at}: code has no coding with system and code"));
    }
    let has_value = matches!(&o.value, Some(ObservationValue::Quantity(q))
        if val!(q.value).is_some_and(|v| v.parse::<f64>().is_ok_and(f64::is_finite)));
    match (has_value, o.value.is_some(), o.data_absent_reason.is_some()) {
        (true, _, false) | (false, false, true) => {}
        (_, _, true) => problems.push(format!("{at}: both a value and dataAbsentReason")),
        (false, true, false) => problems.push(format!("{at}: a value that is no decimal quantity")),
        (false, false, false) => {
            problems.push(format!(
                "{at}: neither valueQuantity.value nor dataAbsentReason"
            ));
        }
    }
    if let Some(ObservationEffective::DateTime(t)) = &o.effective
        && !t.value.as_deref().is_some_and(is_date_time)
    {
        problems.push(format!(
            "{at}: effectiveDateTime {:?} is not a dateTime",
            t.value
        ));
    }
    let subject = reference(o.subject.as_deref());
    match o.derived_from.as_slice() {
        [] => problems.push(format!("{at}: no derivedFrom")),
        refs => {
            for r in refs {
                let target = val!(r.reference).unwrap_or_default();
                match answered.get(target) {
                    None => problems.push(format!(
                        "{at}: derivedFrom {target:?} is no QuestionnaireResponse's fullUrl"
                    )),
                    Some((status, from)) => {
                        if *status != "completed" {
                            problems.push(format!(
                                "{at}: a final Observation from a {status} response"
                            ));
                        }
                        if subject != *from {
                            problems.push(format!(
                                "{at}: subject {subject:?}, but its response's is {from:?}"
                            ));
                        }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// FHIR date formats (R4 `dateTime` and `instant` regular expressions, by hand)
// ---------------------------------------------------------------------------------------------

/// Reads `n` digits at `*at` as a number within `lo..=hi`.
fn number(s: &[u8], at: &mut usize, n: usize, lo: u32, hi: u32) -> Option<u32> {
    let digits = s.get(*at..*at + n)?;
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    *at += n;
    let v = digits
        .iter()
        .fold(0, |acc, d| acc * 10 + u32::from(d - b'0'));
    (lo..=hi).contains(&v).then_some(v)
}

fn literal(s: &[u8], at: &mut usize, c: u8) -> Option<()> {
    (s.get(*at) == Some(&c)).then(|| *at += 1)
}

/// `Z` or `+hh:mm` / `-hh:mm` (up to 14:00).
fn zone(s: &[u8], at: &mut usize) -> Option<()> {
    if literal(s, at, b'Z').is_some() {
        return Some(());
    }
    if literal(s, at, b'+').is_none() {
        literal(s, at, b'-')?;
    }
    let h = number(s, at, 2, 0, 14)?;
    literal(s, at, b':')?;
    let m = number(s, at, 2, 0, 59)?;
    (h < 14 || m == 0).then_some(())
}

/// `Thh:mm:ss(.f+)` followed by a zone.
fn time(s: &[u8], at: &mut usize) -> Option<()> {
    literal(s, at, b'T')?;
    number(s, at, 2, 0, 23)?;
    literal(s, at, b':')?;
    number(s, at, 2, 0, 59)?;
    literal(s, at, b':')?;
    number(s, at, 2, 0, 60)?;
    if literal(s, at, b'.').is_some() {
        let start = *at;
        while s.get(*at).is_some_and(u8::is_ascii_digit) {
            *at += 1;
        }
        if *at == start {
            return None;
        }
    }
    zone(s, at)
}

/// FHIR R4 `dateTime`: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or `YYYY-MM-DDThh:mm:ss(.f+)` with a
/// zone (a time needs one).
fn is_date_time(text: &str) -> bool {
    let s = text.as_bytes();
    let mut at = 0;
    let ok = (|| {
        number(s, &mut at, 4, 1, 9999)?;
        if at == s.len() {
            return Some(());
        }
        literal(s, &mut at, b'-')?;
        number(s, &mut at, 2, 1, 12)?;
        if at == s.len() {
            return Some(());
        }
        literal(s, &mut at, b'-')?;
        number(s, &mut at, 2, 1, 31)?;
        if at == s.len() {
            return Some(());
        }
        time(s, &mut at)
    })();
    ok.is_some() && at == s.len()
}

/// FHIR `instant`: a full date and time with a zone.
fn is_instant(text: &str) -> bool {
    let full = text.len() >= 20 && text.as_bytes().get(10) == Some(&b'T');
    full && is_date_time(text)
}

// ---------------------------------------------------------------------------------------------
// Summary
// ---------------------------------------------------------------------------------------------

/// The answers of `items` (recursively through groups): integer, choice code or "declined".
fn answers(items: &[QuestionnaireResponseItem], out: &mut Map<String, Value>) {
    for item in items {
        let link_id = item.link_id.value.clone().unwrap_or_default();
        match item.answer.first().and_then(|a| a.value.as_ref()) {
            Some(QuestionnaireResponseItemAnswerValue::Integer(i)) => {
                out.insert(link_id, json!(i.value));
            }
            Some(QuestionnaireResponseItemAnswerValue::Coding(c)) => {
                out.insert(link_id, json!(val!(c.code)));
            }
            Some(other) => {
                out.insert(link_id, json!(format!("unexpected {other:?}")));
            }
            None if data_absent(&item.extension).is_some() => {
                out.insert(link_id, json!("declined"));
            }
            None => {}
        }
        answers(&item.item, out);
    }
}

fn summary(bundle: &Bundle) -> Value {
    let responses: Vec<Value> = responses(bundle)
        .map(|(full_url, qr)| {
            let mut given = Map::new();
            answers(&qr.item, &mut given);
            json!({
                "id": val!(qr.id),
                "fullUrl": full_url,
                "questionnaire": val!(qr.questionnaire),
                "status": qr.status.value,
                "authored": val!(qr.authored),
                "subject": reference(qr.subject.as_deref()),
                "answers": given,
            })
        })
        .collect();
    let observations: Vec<Value> = observations(bundle)
        .map(|(_, o)| {
            let value = match &o.value {
                Some(ObservationValue::Quantity(q)) => {
                    val!(q.value).and_then(|v| v.parse::<f64>().ok())
                }
                _ => None,
            };
            json!({
                "code": o.code.coding.first().and_then(|c| val!(c.code)),
                "value": value,
                "derivedFrom": o.derived_from.first().and_then(|r| val!(r.reference)),
                "subject": reference(o.subject.as_deref()),
            })
        })
        .collect();
    json!({ "responses": responses, "observations": observations })
}

#[cfg(test)]
mod tests {
    use super::{is_date_time, is_instant};

    #[test]
    fn date_times() {
        for ok in [
            "2026",
            "2026-11",
            "2026-11-27",
            "2026-11-27T09:30:00Z",
            "2026-11-27T09:30:00.123456789Z",
            "2026-11-27T09:30:00+01:00",
            "2026-11-27T23:59:60-14:00",
        ] {
            assert!(is_date_time(ok), "{ok}");
        }
        for bad in [
            "",
            "27.11.2026",
            "0000",
            "2026-13",
            "2026-11-27T09:30",
            "2026-11-27T09:30:00",
            "2026-11-27T24:00:00Z",
            "2026-11-27T09:30:00.Z",
            "2026-11-27T09:30:00+14:30",
            "2026-11-27 09:30:00Z",
            "2026-11-27T09:30:00Zx",
        ] {
            assert!(!is_date_time(bad), "{bad}");
        }
        assert!(is_instant("2026-11-27T09:30:00.5Z"));
        assert!(!is_instant("2026-11-27"));
    }
}
