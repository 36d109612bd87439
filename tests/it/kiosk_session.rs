//! The client-mode flow of `KioskSession` without any window: hand-over, greeting, wrong
//! person, instructions, block headers (ECR-RS), the RQ's forced choice, answers with their
//! times, Back, finishing a form, the next form, the end, progress, resuming, skipping finished
//! forms, and which administrations are handed out to be saved.
#![cfg(feature = "gui")]

use jiff::Timestamp;
use securebase::app::kiosk_session::{Form, KioskSession, Step};
use securebase::core::bundled::bundled;
use securebase::core::{Answer, Instrument};
use securebase::store::{Administration, Client, Source, Status};

const CLIENT_ID: &str = "client-0001";

fn instrument(id: &str) -> Instrument {
    bundled()
        .into_iter()
        .map(Result::unwrap)
        .find(|i| i.id == id)
        .unwrap()
}

fn client() -> Client {
    Client::new(
        CLIENT_ID.to_owned(),
        "C-2042",
        Some(1990),
        "",
        Timestamp::now(),
    )
    .unwrap()
}

/// A new, empty form of `instrument_id`; the administration id says which one it is.
fn form(instrument_id: &str) -> Form {
    let instrument = instrument(instrument_id);
    let administration = Administration::new(
        format!("adm-{instrument_id}"),
        CLIENT_ID,
        &instrument,
        Source::ClientMode,
        Timestamp::now(),
    );
    Form {
        instrument,
        administration,
    }
}

/// A form of `instrument_id` whose first `n` slots are answered 4.
fn form_with_answers(instrument_id: &str, n: usize) -> Form {
    let mut f = form(instrument_id);
    for slot in 0..n {
        f.administration
            .set_answer(
                &f.instrument,
                slot,
                Answer::Value(4),
                Timestamp::now(),
                Some(1.0),
            )
            .unwrap();
    }
    f
}

fn session(forms: Vec<Form>) -> KioskSession {
    KioskSession::new(client(), forms)
}

/// Through the hand-over and the greeting.
fn greeted(forms: Vec<Form>) -> KioskSession {
    let mut s = session(forms);
    s.handed_over();
    s.confirm_identity();
    s
}

fn answer(s: &mut KioskSession, value: i32) {
    s.answer(Answer::Value(value), Some(2.5), Timestamp::now())
        .unwrap();
}

#[test]
fn hand_over_greeting_wrong_person_and_back_to_the_greeting() {
    let mut s = session(vec![form("ecr-r")]);
    assert_eq!(s.step, Step::HandOver);
    assert_eq!(s.form_idx, 0);
    s.handed_over();
    assert_eq!(s.step, Step::Greeting);
    s.deny_identity();
    assert_eq!(s.step, Step::WrongPerson);
    s.back_to_greeting();
    assert_eq!(s.step, Step::Greeting);
    s.confirm_identity();
    assert_eq!(s.step, Step::Instructions);
    s.continue_on();
    assert_eq!(s.step, Step::Item(0));
    assert!(
        s.take_dirty().is_empty(),
        "nothing is saved before an answer"
    );
}

#[test]
fn an_answer_is_recorded_with_its_time_and_moves_on() {
    let mut s = greeted(vec![form("ecr-r")]);
    s.continue_on();
    let at = Timestamp::from_second(1_800_000_000).unwrap();
    s.answer(Answer::Value(6), Some(3.25), at).unwrap();
    assert_eq!(s.step, Step::Item(1));
    s.answer(Answer::Declined, None, at).unwrap();
    assert_eq!(s.step, Step::Item(2));
    let answers = &s.forms[0].administration.answers;
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[0].column, "q1");
    assert_eq!(answers[0].value, Some(6));
    assert_eq!(answers[0].at, at);
    assert_eq!(answers[0].seconds, Some(3.25));
    assert_eq!(answers[1].column, "q2");
    assert_eq!(answers[1].value, None, "declined is kept as no value");
    assert_eq!(s.forms[0].administration.status, Status::InProgress);
}

#[test]
fn an_answer_outside_the_scale_is_refused_and_the_step_stays() {
    let mut s = greeted(vec![form("ecr-r")]);
    s.continue_on();
    assert!(s.answer(Answer::Value(8), None, Timestamp::now()).is_err());
    assert_eq!(s.step, Step::Item(0));
    assert!(s.forms[0].administration.answers.is_empty());
    assert!(s.take_dirty().is_empty());
}

#[test]
fn back_from_the_first_item_returns_to_the_instructions() {
    let mut s = greeted(vec![form("ecr-r")]);
    s.continue_on();
    answer(&mut s, 3);
    answer(&mut s, 5);
    assert_eq!(s.step, Step::Item(2));
    s.back();
    assert_eq!(s.step, Step::Item(1));
    s.back();
    assert_eq!(s.step, Step::Item(0));
    s.back();
    assert_eq!(s.step, Step::Instructions);
    s.back();
    assert_eq!(
        s.step,
        Step::Instructions,
        "nothing before the instructions"
    );
    s.continue_on();
    assert_eq!(s.step, Step::Item(0));
}

#[test]
fn current_answer_shows_an_earlier_answer_after_back() {
    let mut s = greeted(vec![form("ecr-r")]);
    s.continue_on();
    assert_eq!(s.current_answer(), None);
    answer(&mut s, 3);
    s.answer(Answer::Declined, None, Timestamp::now()).unwrap();
    assert_eq!(s.step, Step::Item(2));
    assert_eq!(s.current_answer(), None, "item 3 is not answered yet");
    s.back();
    assert_eq!(s.current_answer(), Some(Answer::Declined));
    s.back();
    assert_eq!(s.current_answer(), Some(Answer::Value(3)));
    // Changing it replaces the answer rather than adding one.
    answer(&mut s, 7);
    assert_eq!(s.step, Step::Item(1));
    let answers = &s.forms[0].administration.answers;
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[0].value, Some(7));
    s.back();
    assert_eq!(s.current_answer(), Some(Answer::Value(7)));
    s.back();
    assert_eq!(s.step, Step::Instructions);
    assert_eq!(s.current_answer(), None, "no item on the instructions");
}

#[test]
fn ecr_rs_block_headers_come_before_each_block_and_back_crosses_them() {
    let mut s = greeted(vec![form("ecr-rs")]);
    assert_eq!(s.step, Step::Instructions);
    s.continue_on();
    assert_eq!(s.step, Step::BlockIntro(0), "the first block's header");
    assert_eq!(s.progress(), None);
    s.continue_on();
    assert_eq!(s.step, Step::Item(0));
    assert_eq!(s.progress(), Some((1, 36)));
    for k in 0..9 {
        assert_eq!(s.step, Step::Item(k));
        answer(&mut s, 4);
    }
    assert_eq!(s.step, Step::BlockIntro(1), "after the 9th answer");
    s.continue_on();
    assert_eq!(s.step, Step::Item(9));
    assert_eq!(s.progress(), Some((10, 36)));
    s.back();
    assert_eq!(s.step, Step::BlockIntro(1), "Back from item 10");
    s.back();
    assert_eq!(s.step, Step::Item(8), "Back from the second header");
    assert_eq!(s.current_answer(), Some(Answer::Value(4)));
    // Back through the first block to its header, then to the instructions.
    for k in (0..8).rev() {
        s.back();
        assert_eq!(s.step, Step::Item(k));
    }
    s.back();
    assert_eq!(s.step, Step::BlockIntro(0));
    s.back();
    assert_eq!(s.step, Step::Instructions);
}

#[test]
fn ecr_rs_runs_through_all_four_blocks() {
    let mut s = greeted(vec![form("ecr-rs")]);
    s.continue_on();
    for block in 0..4 {
        assert_eq!(s.step, Step::BlockIntro(block));
        s.continue_on();
        for k in 0..9 {
            assert_eq!(s.step, Step::Item(block * 9 + k));
            answer(&mut s, 2);
        }
    }
    assert_eq!(s.step, Step::End);
    let administration = &s.forms[0].administration;
    assert_eq!(administration.answers.len(), 36);
    assert_eq!(administration.status, Status::Completed);
}

#[test]
fn finishing_a_form_completes_it_and_opens_the_next_then_the_end() {
    let mut s = greeted(vec![form("rfq-8"), form("ecr-s")]);
    s.continue_on();
    let before = Timestamp::now();
    for k in 0..8 {
        assert_eq!(s.progress(), Some((k + 1, 8)));
        answer(&mut s, 5);
    }
    let first = &s.forms[0].administration;
    assert_eq!(first.status, Status::Completed);
    let finished = first.finished.expect("a completed form has its end time");
    assert!(finished >= before);
    assert_eq!(s.form_idx, 1);
    assert_eq!(s.step, Step::Instructions, "the next form's instructions");
    assert_eq!(s.form().unwrap().instrument.id, "ecr-s");
    assert_eq!(s.forms[1].administration.status, Status::InProgress);
    // Back never returns into the finished form.
    s.back();
    assert_eq!(s.step, Step::Instructions);
    assert_eq!(s.form_idx, 1);
    s.continue_on();
    assert_eq!(s.step, Step::Item(0));
    assert_eq!(s.progress(), Some((1, 12)));
    for _ in 0..12 {
        answer(&mut s, 3);
    }
    assert_eq!(s.step, Step::End);
    assert!(s.form().is_none());
    assert_eq!(s.progress(), None);
    assert_eq!(s.forms[1].administration.status, Status::Completed);
    assert!(s.forms[1].administration.finished.is_some());
    // Nothing moves on the end screen.
    s.back();
    s.continue_on();
    s.answer(Answer::Value(4), None, Timestamp::now()).unwrap();
    assert_eq!(s.step, Step::End);
}

#[test]
fn progress_counts_items_of_the_current_form() {
    let mut s = greeted(vec![form("ecr-r")]);
    assert_eq!(s.progress(), None, "no progress on the instructions");
    s.continue_on();
    assert_eq!(s.progress(), Some((1, 36)));
    for _ in 0..11 {
        answer(&mut s, 1);
    }
    assert_eq!(s.progress(), Some((12, 36)));
    s.back();
    assert_eq!(s.progress(), Some((11, 36)));
}

#[test]
fn a_form_with_five_answers_resumes_at_the_sixth_item() {
    let mut s = session(vec![form_with_answers("ecr-r", 5)]);
    assert_eq!(
        s.step,
        Step::HandOver,
        "the greeting comes first, even resuming"
    );
    s.handed_over();
    assert_eq!(s.step, Step::Greeting);
    s.confirm_identity();
    assert_eq!(s.step, Step::Item(5));
    assert_eq!(s.progress(), Some((6, 36)));
    s.back();
    assert_eq!(s.current_answer(), Some(Answer::Value(4)));
}

#[test]
fn a_resumed_ecr_rs_at_a_block_start_resumes_at_that_item() {
    let s = greeted(vec![form_with_answers("ecr-rs", 9)]);
    assert_eq!(s.step, Step::Item(9));
}

#[test]
fn a_completed_form_is_skipped() {
    let mut done = form_with_answers("ecr-s", 12);
    done.administration.status = Status::Completed;
    done.administration.finished = Some(Timestamp::now());
    let mut s = session(vec![done, form("rfq-8")]);
    assert_eq!(s.form_idx, 1);
    s.handed_over();
    s.confirm_identity();
    assert_eq!(s.step, Step::Instructions);
    assert_eq!(s.form().unwrap().instrument.id, "rfq-8");
}

#[test]
fn a_session_of_completed_forms_only_goes_to_the_end() {
    let mut done = form_with_answers("rfq-8", 8);
    done.administration.status = Status::Completed;
    let mut s = greeted(vec![done]);
    assert_eq!(s.step, Step::End);
    assert!(s.take_dirty().is_empty());
}

#[test]
fn a_completed_form_between_two_others_is_skipped_too() {
    // The documented rule is "forms already completed are skipped": that holds for a finished
    // form anywhere in the list, not only at its start.
    let mut done = form_with_answers("ecr-s", 12);
    done.administration.status = Status::Completed;
    let mut s = greeted(vec![form("rfq-8"), done, form("rq")]);
    s.continue_on();
    for _ in 0..8 {
        answer(&mut s, 4);
    }
    assert_eq!(s.form().unwrap().instrument.id, "rq", "ecr-s is finished");
    assert_eq!(s.form_idx, 2);
    assert_eq!(s.step, Step::Instructions);
}

#[test]
fn the_second_resumed_form_continues_at_its_first_unanswered_item() {
    // Two unfinished forms resumed together: the second, reached after the first is finished,
    // continues where it stopped (after its instructions), like the first did.
    let mut s = greeted(vec![
        form_with_answers("rfq-8", 7),
        form_with_answers("ecr-s", 5),
    ]);
    assert_eq!(s.step, Step::Item(7));
    answer(&mut s, 4);
    assert_eq!(s.form_idx, 1);
    if s.step == Step::Instructions {
        s.continue_on();
    }
    assert_eq!(
        s.step,
        Step::Item(5),
        "ecr-s already has five answers: it must not start again at item 1"
    );
}

#[test]
fn rq_forced_choice_is_stored_as_a_letter_and_shown_again_after_back() {
    let mut s = greeted(vec![form("rq")]);
    assert_eq!(s.step, Step::Instructions);
    s.continue_on();
    assert_eq!(s.step, Step::Choice);
    s.back();
    assert_eq!(s.step, Step::Instructions);
    s.continue_on();
    assert_eq!(s.step, Step::Choice);
    s.choose(2);
    assert_eq!(s.forms[0].administration.choice.as_deref(), Some("C"));
    assert_eq!(s.step, Step::Item(0));
    assert_eq!(s.take_dirty().len(), 1, "the choice alone is saved");
    // Back from the first rating returns to the choice, which still shows "C".
    s.back();
    assert_eq!(s.step, Step::Choice);
    assert_eq!(
        s.form().unwrap().administration.choice.as_deref(),
        Some("C")
    );
    // A changed choice replaces it.
    s.choose(3);
    assert_eq!(s.forms[0].administration.choice.as_deref(), Some("D"));
    s.back();
    s.choose(0);
    assert_eq!(s.forms[0].administration.choice.as_deref(), Some("A"));
    s.back();
    s.choose(1);
    assert_eq!(s.forms[0].administration.choice.as_deref(), Some("B"));
    // An option that does not exist changes nothing.
    s.back();
    s.choose(4);
    assert_eq!(s.step, Step::Choice);
    assert_eq!(s.forms[0].administration.choice.as_deref(), Some("B"));
    s.choose(1);
    for value in [7, 1, 2, 3] {
        answer(&mut s, value);
    }
    assert_eq!(s.step, Step::End);
    let administration = &s.forms[0].administration;
    assert_eq!(administration.status, Status::Completed);
    assert_eq!(administration.answers.len(), 4);
    assert_eq!(administration.choice.as_deref(), Some("B"));
}

#[test]
fn rq_back_from_a_rating_shows_the_earlier_rating() {
    let mut s = greeted(vec![form("rq")]);
    s.continue_on();
    s.choose(0);
    answer(&mut s, 6);
    answer(&mut s, 2);
    s.back();
    assert_eq!(s.step, Step::Item(1));
    assert_eq!(s.current_answer(), Some(Answer::Value(2)));
    s.back();
    assert_eq!(s.current_answer(), Some(Answer::Value(6)));
    s.back();
    assert_eq!(s.step, Step::Choice);
    assert_eq!(s.current_answer(), None);
}

#[test]
fn a_resumed_rq_with_its_choice_made_starts_at_its_first_rating() {
    let mut f = form("rq");
    f.administration.choice = Some("D".to_owned());
    let s = greeted(vec![f]);
    assert_eq!(s.step, Step::Item(0));
}

#[test]
fn a_resumed_rq_with_ratings_but_no_choice_asks_the_choice_first() {
    let s = greeted(vec![form_with_answers("rq", 2)]);
    assert_eq!(s.step, Step::Choice);
}

#[test]
fn take_dirty_gives_each_changed_administration_once() {
    let mut s = greeted(vec![form("rfq-8"), form("ecr-s")]);
    assert!(s.take_dirty().is_empty());
    s.continue_on();
    answer(&mut s, 1);
    answer(&mut s, 2);
    answer(&mut s, 3);
    let dirty = s.take_dirty();
    assert_eq!(dirty.len(), 1, "three answers, one administration");
    assert_eq!(dirty[0].id, "adm-rfq-8");
    assert_eq!(dirty[0].answers.len(), 3);
    assert!(s.take_dirty().is_empty(), "handed out once");
    // Moving about without answering changes nothing.
    s.back();
    s.back();
    assert!(s.take_dirty().is_empty());
    // Finish the first form and answer the second: both are handed out, each once.
    for _ in 0..7 {
        answer(&mut s, 4);
    }
    s.continue_on();
    answer(&mut s, 4);
    let dirty = s.take_dirty();
    let ids: Vec<&str> = dirty.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["adm-rfq-8", "adm-ecr-s"]);
    assert_eq!(dirty[0].status, Status::Completed);
    assert_eq!(dirty[1].status, Status::InProgress);
    assert_eq!(dirty[1].answers.len(), 1);
    assert!(s.take_dirty().is_empty());
}

/// An ECR-RS with "no romantic partner" marked at set-up: the partner block (slots 18-26) is
/// never shown, neither its header nor an item, going forward or back; progress counts the 27
/// items asked; the form completes after the friend block. Its scores: the partner scales do
/// not apply, and the global scores are the mean over the three relationships that apply.
#[test]
fn a_relationship_that_does_not_apply_is_never_shown() {
    let mut f = form("ecr-rs");
    f.administration.not_applicable = vec!["partner".to_owned()];
    let mut session = KioskSession::new(client(), vec![f]);
    session.handed_over();
    session.confirm_identity();
    assert_eq!(session.step, Step::Instructions);
    session.continue_on();
    let mut seen = Vec::new();
    let mut guard = 0;
    while session.step != Step::End {
        guard += 1;
        assert!(guard < 200, "the form never ends");
        seen.push(session.step);
        match session.step {
            Step::BlockIntro(_) => session.continue_on(),
            Step::Item(slot) => {
                if slot == 27 {
                    // The friend block's first item: back goes to its header, then to the
                    // father block's last item, skipping the partner block.
                    session.back();
                    assert_eq!(session.step, Step::BlockIntro(3));
                    session.back();
                    assert_eq!(session.step, Step::Item(17));
                    session
                        .answer(Answer::Value(4), None, Timestamp::now())
                        .unwrap();
                    assert_eq!(
                        session.step,
                        Step::BlockIntro(3),
                        "forward skips the partner"
                    );
                    session.continue_on();
                }
                let (position, total) = session.progress().unwrap();
                assert_eq!(total, 27);
                assert!(position <= 27);
                session
                    .answer(Answer::Value(4), None, Timestamp::now())
                    .unwrap();
            }
            other => panic!("unexpected step {other:?}"),
        }
    }
    assert!(!seen.contains(&Step::BlockIntro(2)), "no partner header");
    assert!(
        !seen.iter().any(|s| matches!(s, Step::Item(18..=26))),
        "no partner item: {seen:?}"
    );
    let done = &session.forms[0];
    assert_eq!(done.administration.status, Status::Completed);
    assert_eq!(done.administration.answers.len(), 27);
    let rs = &done.instrument;
    let report = securebase::core::score(rs, &done.administration.responses(rs).unwrap());
    let value = |id: &str| report.scores[rs.score_index(id).unwrap()];
    assert_eq!(
        value("partner_anxiety").not_scored,
        Some(securebase::core::NotScored::NotApplicable)
    );
    // Every item answered 4: each relationship's anxiety 4, avoidance 4 (items 1-4 reversed:
    // 8 - 4); the global mean over three is 4, "based on 3 of 4".
    let global = value("global_anxiety");
    assert_eq!(global.value, Some(4.0));
    assert_eq!((global.n_answered, global.n_items), (3, 3));
    assert_eq!(
        report.n_missing, 0,
        "the partner's items were not asked: not missing"
    );
}
