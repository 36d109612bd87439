//! HL7 FHIR R4: a `Bundle` of type `collection` holding, for the administrations exported, each
//! instrument's `Questionnaire`, each administration's `QuestionnaireResponse`, and one
//! `Observation` per score of each completed administration.
//!
//! - `Questionnaire`: `url` is `{CANONICAL}/Questionnaire/{instrument id}`, with the
//!   instrument file's `version`; items are the instrument's answer slots (`linkId` = the item's
//!   column, `text` = its verbatim wording, `type` integer with min/max value extensions); the
//!   ECR-RS's relationships are `group` items; the RQ's forced choice is a `choice` item.
//! - `QuestionnaireResponse`: `questionnaire` = `url|version`; status `completed`,
//!   `in-progress` or `stopped` (abandoned); `authored` = the date written on a paper form, else
//!   when client mode finished (or started); `meta.tag` = the mode of administration
//!   (`{CANONICAL}/CodeSystem/mode`: `client_mode`, `paper_entry`, `paper_double_entry`);
//!   `subject` = `Patient/{client id}` (the pseudonym as `display` only when names are asked
//!   for); one item per given answer, with its `text`; "prefer not to answer" is an item without
//!   an answer carrying the `data-absent-reason` extension `asked-declined`.
//! - `Observation`: `status` final, `category` survey, `code` from securebase's own code system
//!   `{CANONICAL}/CodeSystem/score` (`ecr-r.anxiety`: LOINC has no codes for these
//!   instruments), `valueQuantity` (UCUM `{score}`), `derivedFrom` the response; a score that
//!   could not be computed has a `dataAbsentReason` with the reason as text instead.
//!
//! Entries reference each other by `urn:uuid:` full URLs, as a collection bundle should. The
//! response's UUID is made from the administration's random id (stable across exports).

use serde_json::{Value, json};

use super::{ClientData, ExportError, Scored};
use crate::core::instrument::Instrument;
use crate::store::{Administration, Client, Status};

/// The base of securebase's canonical URLs (questionnaires and code systems).
pub const CANONICAL: &str = "https://securebase.app/fhir";

/// The code system of securebase's scores.
pub fn score_system() -> String {
    format!("{CANONICAL}/CodeSystem/score")
}

/// A questionnaire's canonical URL.
pub fn questionnaire_url(instrument_id: &str) -> String {
    format!("{CANONICAL}/Questionnaire/{instrument_id}")
}

const DATA_ABSENT: &str = "http://hl7.org/fhir/StructureDefinition/data-absent-reason";
const DATA_ABSENT_CODES: &str = "http://terminology.hl7.org/CodeSystem/data-absent-reason";

/// A UUID (version 4 layout) made from a 32-hex-digit record id; `salt` varies it for the
/// several resources one record gives.
fn uuid_from(id: &str, salt: u8) -> String {
    let mut hex: Vec<u8> = id
        .bytes()
        .filter(u8::is_ascii_hexdigit)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    hex.resize(32, b'0');
    let digit = |v: u8| b"0123456789abcdef"[usize::from(v & 0xF)];
    let value = |b: u8| {
        (b as char)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
            .unwrap_or(0)
    };
    // Mix the salt into the last two digits.
    let last = (value(hex[30]) << 4 | value(hex[31])) ^ salt;
    hex[30] = digit(last >> 4);
    hex[31] = digit(last);
    hex[12] = b'4';
    hex[16] = digit(0x8 | (value(hex[16]) & 0x3));
    let s = String::from_utf8_lossy(&hex).into_owned();
    format!(
        "{}-{}-{}-{}-{}",
        &s[..8],
        &s[8..12],
        &s[12..16],
        &s[16..20],
        &s[20..]
    )
}

/// A FHIR `name`: starts with a capital, then letters, digits and `_` (`ECR_R`).
fn computable_name(id: &str) -> String {
    let mut name: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        name.insert(0, 'Q');
    }
    name
}

/// The `Questionnaire` of an instrument.
pub fn questionnaire(instrument: &Instrument) -> Value {
    let (min, max) = (instrument.response.min, instrument.response.max);
    let item = |slot: &crate::core::instrument::Slot| {
        let text = instrument
            .items
            .get(slot.item_idx)
            .map_or("", |i| i.text.as_str());
        json!({
            "linkId": slot.column,
            "text": text,
            "type": "integer",
            "extension": [
                {"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": min},
                {"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": max}
            ]
        })
    };
    let mut items: Vec<Value> = Vec::new();
    if let Some(choice) = &instrument.choice {
        items.push(json!({
            "linkId": choice.id,
            "text": choice.prompt,
            "type": "choice",
            "answerOption": choice.options.iter().map(|(code, item)| json!({
                "valueCoding": {
                    "system": format!("{CANONICAL}/CodeSystem/{}-{}", instrument.id, choice.id),
                    "code": code,
                    "display": instrument.items.get(*item).map_or("", |i| i.text.as_str()),
                }
            })).collect::<Vec<_>>()
        }));
    }
    items.extend(by_block(instrument, |slot| Some(item(slot)), Some("group")));
    json!({
        "resourceType": "Questionnaire",
        "id": instrument.id,
        "url": questionnaire_url(&instrument.id),
        "version": instrument.version,
        "name": computable_name(&instrument.id),
        "title": instrument.name,
        "status": "active",
        "subjectType": ["Patient"],
        "description": format!("{} Cite: {}", instrument.short_name, instrument.citation),
        "copyright": instrument.licence_note,
        "item": items
    })
}

/// Items for the instrument's slots (`f` makes one, or none): flat, or for instruments with
/// blocks (the ECR-RS) one group item per block holding its slots' items (with `group_type` as
/// its `type`; a response's groups have none). Empty groups are left out.
fn by_block(
    instrument: &Instrument,
    f: impl Fn(&crate::core::instrument::Slot) -> Option<Value>,
    group_type: Option<&str>,
) -> Vec<Value> {
    if instrument.blocks.is_empty() {
        return instrument.slots.iter().filter_map(f).collect();
    }
    let mut items = Vec::new();
    for (b, block) in instrument.blocks.iter().enumerate() {
        let children: Vec<Value> = instrument
            .slots
            .iter()
            .filter(|s| s.block_idx == Some(b))
            .filter_map(&f)
            .collect();
        if children.is_empty() {
            continue;
        }
        let mut group = json!({
            "linkId": block.id,
            "text": if block.intro.is_empty() { &block.name } else { &block.intro },
        });
        if let Some(t) = group_type {
            group["type"] = json!(t);
        }
        group["item"] = json!(children);
        items.push(group);
    }
    items
}

fn subject(client: &Client, names: bool) -> Value {
    let mut s = json!({ "reference": format!("Patient/{}", client.id) });
    if names {
        s["display"] = json!(client.name);
    }
    s
}

/// When the answers were given: for a paper form, the date written on it (a FHIR `date`, the
/// form has no time); else the moment client mode finished (or started).
fn authored(a: &Administration) -> String {
    match a.form_date {
        Some(d) => d.to_string(),
        None => a.finished.unwrap_or(a.started).to_string(),
    }
}

/// The mode of administration's code system: `client_mode`, `paper_entry`,
/// `paper_double_entry` (FHIR's `QuestionnaireResponse` has no element for it).
pub fn mode_system() -> String {
    format!("{CANONICAL}/CodeSystem/mode")
}

/// The `QuestionnaireResponse` of an administration.
pub fn response(
    client: &Client,
    instrument: &Instrument,
    a: &Administration,
    names: bool,
) -> Value {
    let answer_item = |slot: &crate::core::instrument::Slot| {
        let given = a.answers.iter().find(|x| x.column == slot.column)?;
        let text = instrument
            .items
            .get(slot.item_idx)
            .map_or("", |i| i.text.as_str());
        Some(match given.value {
            Some(v) => json!({
                "linkId": slot.column,
                "text": text,
                "answer": [{ "valueInteger": v }]
            }),
            None => json!({
                "linkId": slot.column,
                "text": text,
                "extension": [{ "url": DATA_ABSENT, "valueCode": "asked-declined" }]
            }),
        })
    };
    let mut items: Vec<Value> = Vec::new();
    if let (Some(choice), Some(code)) = (&instrument.choice, &a.choice) {
        let display = choice
            .options
            .iter()
            .find(|(c, _)| c == code)
            .and_then(|(_, item)| instrument.items.get(*item))
            .map_or("", |i| i.text.as_str());
        items.push(json!({
            "linkId": choice.id,
            "text": choice.prompt,
            "answer": [{ "valueCoding": {
                "system": format!("{CANONICAL}/CodeSystem/{}-{}", instrument.id, choice.id),
                "code": code,
                "display": display
            }}]
        }));
    }
    items.extend(by_block(instrument, answer_item, None));
    let status = match a.status {
        Status::Completed => "completed",
        Status::InProgress => "in-progress",
        Status::Abandoned => "stopped",
    };
    json!({
        "resourceType": "QuestionnaireResponse",
        "id": uuid_from(&a.id, 0),
        "questionnaire": format!("{}|{}", questionnaire_url(&instrument.id), a.instrument_version),
        "meta": { "tag": [{
            "system": mode_system(),
            "code": a.source.code(),
            "display": a.source.label()
        }]},
        "status": status,
        "authored": authored(a),
        "subject": subject(client, names),
        "item": items
    })
}

/// One `Observation` per score of a completed, scored administration.
pub fn observations(client: &Client, s: &Scored, names: bool) -> Vec<Value> {
    let (Some(instrument), Some(report)) = (&s.instrument, &s.report) else {
        return Vec::new();
    };
    let a = &s.administration;
    if a.status != Status::Completed {
        return Vec::new();
    }
    instrument
        .scores
        .iter()
        .zip(&report.scores)
        .enumerate()
        .map(|(k, (def, score))| {
            let mut o = json!({
                "resourceType": "Observation",
                "id": uuid_from(&a.id, u8::try_from(k + 1).unwrap_or(u8::MAX)),
                "status": "final",
                "category": [{ "coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                    "code": "survey",
                    "display": "Survey"
                }]}],
                "code": {
                    "coding": [{
                        "system": score_system(),
                        "code": format!("{}.{}", instrument.id, def.id),
                        "display": format!("{}: {}", instrument.short_name, def.name)
                    }],
                    "text": format!("{}: {}", instrument.short_name, def.name)
                },
                "subject": subject(client, names),
                "effectiveDateTime": authored(a),
                "derivedFrom": [{ "reference": format!("urn:uuid:{}", uuid_from(&a.id, 0)) }]
            });
            if let Some(v) = score.value {
                o["valueQuantity"] = json!({
                    "value": v,
                    "unit": "score",
                    "system": "http://unitsofmeasure.org",
                    "code": "{score}"
                });
            } else {
                let reason = score
                    .not_scored
                    .map_or("not computed".to_owned(), |r| r.to_string());
                o["dataAbsentReason"] = json!({
                    "coding": [{ "system": DATA_ABSENT_CODES, "code": "unknown" }],
                    "text": reason
                });
            }
            // A score averaged over the blocks that apply says on how many (as the page does).
            if let Some((used, total)) = crate::results::text::basis(def, score) {
                o["note"] = json!([{
                    "text": format!("based on {used} of {total} {}", instrument.blocks_noun)
                }]);
            }
            o
        })
        .collect()
}

/// The bundle of everything in `data`, stamped `now` (RFC 3339).
pub fn bundle(data: &[ClientData], names: bool, now: &str) -> Value {
    let mut entries: Vec<Value> = Vec::new();
    let mut done: Vec<&str> = Vec::new();
    for s in data.iter().flat_map(|c| &c.administrations) {
        if let Some(i) = &s.instrument
            && !done.contains(&i.id.as_str())
        {
            done.push(&i.id);
            entries.push(json!({
                "fullUrl": questionnaire_url(&i.id),
                "resource": questionnaire(i)
            }));
        }
    }
    for c in data {
        for s in &c.administrations {
            let Some(instrument) = &s.instrument else {
                continue;
            };
            let qr = response(&c.client, instrument, &s.administration, names);
            entries.push(json!({
                "fullUrl": format!("urn:uuid:{}", qr["id"].as_str().unwrap_or_default()),
                "resource": qr
            }));
            for o in observations(&c.client, s, names) {
                entries.push(json!({
                    "fullUrl": format!("urn:uuid:{}", o["id"].as_str().unwrap_or_default()),
                    "resource": o
                }));
            }
        }
    }
    json!({
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": now,
        "entry": entries
    })
}

/// The bundle as pretty-printed JSON bytes.
///
/// # Errors
/// When the JSON writer fails (it writes to memory, so hardly ever).
pub fn bundle_bytes(data: &[ClientData], names: bool, now: &str) -> Result<Vec<u8>, ExportError> {
    serde_json::to_vec_pretty(&bundle(data, names, now)).map_err(ExportError::Json)
}
