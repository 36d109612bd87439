//! "Enter a paper form": the set-up (questionnaire, the date on the form, single or double
//! entry), the keying grid, and the items where two entries differ. The keys change only the
//! page's own [`PaperEntry`]; each change asks for the draft to be saved.

use crate::app::a11y;
use eframe::egui::{self, Key, RichText};

use super::{Page, ViewCx, labelled_field};
use crate::app::paper_entry::{Finished, PaperEntry, Phase, Row};
use crate::app::{Command, Records, theme};

/// The paper-entry page: setting up, then keying.
pub enum PaperPage {
    /// Choosing what is keyed in.
    Setup(PaperSetup),
    /// Keying (or resolving the differences).
    Keying(Box<PaperEntry>),
}

/// The set-up form.
pub struct PaperSetup {
    /// The client.
    pub client_id: String,
    /// The chosen instrument id.
    pub instrument: Option<String>,
    /// The date on the form, as typed.
    pub date: String,
    /// Key it in twice.
    pub double: bool,
    /// Why Start did not start.
    pub error: Option<String>,
}

impl PaperSetup {
    /// Nothing chosen; today's date; double entry as the clinic's default.
    pub fn new(client_id: &str, double: bool) -> Self {
        Self {
            client_id: client_id.to_owned(),
            instrument: None,
            date: crate::store::records::today().to_string(),
            double,
            error: None,
        }
    }
}

/// Draws the page.
pub fn paper_ui(ui: &mut egui::Ui, page: &mut PaperPage, records: &Records, cx: &mut ViewCx<'_>) {
    let client_id = match page {
        PaperPage::Setup(s) => s.client_id.clone(),
        PaperPage::Keying(e) => e.administration.client_id.clone(),
    };
    let name = records
        .client(&client_id)
        .map(|c| c.name.clone())
        .unwrap_or_default();
    ui.add_space(8.0);
    if ui.link(format!("Back to {name}")).clicked() {
        cx.push(Command::Navigate(Page::ClientPage {
            client_id,
            edit: None,
        }));
    }
    match page {
        PaperPage::Setup(setup) => setup_ui(ui, setup, &name, cx),
        PaperPage::Keying(entry) => match entry.phase {
            Phase::Keying => keying_ui(ui, entry, &name, cx),
            Phase::Resolving => resolving_ui(ui, entry, &name, cx),
        },
    }
}

fn setup_ui(ui: &mut egui::Ui, setup: &mut PaperSetup, name: &str, cx: &mut ViewCx<'_>) {
    a11y::page_title(ui, format!("Enter a paper form for {name}"));
    ui.add_space(8.0);
    a11y::section_title(ui, "Questionnaire");
    for i in &cx.catalog.instruments {
        ui.radio_value(
            &mut setup.instrument,
            Some(i.id.clone()),
            format!("{} \u{2014} {}", i.short_name, i.name),
        );
    }
    ui.add_space(theme::GAP);
    ui.scope(|ui| {
        ui.set_max_width(320.0);
        labelled_field(
            ui,
            "Date written on the form (YYYY-MM-DD)",
            &mut setup.date,
            false,
        );
    });
    ui.add_space(theme::GAP);
    ui.checkbox(
        &mut setup.double,
        "Key it in twice (double entry): the second time without seeing the first, then each \
         difference is checked against the paper",
    );
    if let Some(error) = &setup.error {
        ui.label(RichText::new(error).color(theme::warning(ui)));
    }
    ui.add_space(theme::GAP);
    let start = egui::Button::new(RichText::new("Start keying").size(theme::EMPHASIS_SIZE))
        .min_size(egui::vec2(200.0, 40.0));
    if ui.add_enabled(setup.instrument.is_some(), start).clicked() {
        match crate::store::records::parse_past_date(&setup.date, crate::store::records::today()) {
            Err(why) => setup.error = Some(format!("The date {why}.")),
            Ok(form_date) => {
                setup.error = None;
                cx.push(Command::StartPaperEntry {
                    client_id: setup.client_id.clone(),
                    instrument_id: setup.instrument.clone().unwrap_or_default(),
                    form_date,
                    double: setup.double,
                });
            }
        }
    }
}

/// The keys of the grid, read from this frame's input: digits, Space (left blank), the arrows,
/// Enter, and letters for a forced choice. Each changes the page's own entry; any change asks
/// for the draft to be saved, and Enter at the end of the last entry for the form to be saved.
fn keys(ui: &egui::Ui, entry: &mut PaperEntry, cx: &mut ViewCx<'_>) {
    let events = ui.input(|i| i.events.clone());
    let mut changed = false;
    for event in events {
        let egui::Event::Key {
            key,
            pressed: true,
            modifiers,
            ..
        } = event
        else {
            continue;
        };
        if modifiers.ctrl || modifiers.alt || modifiers.command {
            continue;
        }
        // The digit keys are named "0" to "9"; letters "A" to "Z".
        let name = key.name();
        if let Some(d) = name.parse::<u8>().ok().filter(|_| name.len() == 1) {
            changed |= entry.digit(d);
            continue;
        }
        match key {
            Key::Space => changed |= entry.blank(),
            Key::ArrowUp => entry.up(),
            Key::ArrowDown => changed |= entry.down(),
            Key::Enter => match entry.finish_entry() {
                Finished::NotYet | Finished::SecondEntry | Finished::Resolve => changed = true,
                Finished::Ready => finish(entry, cx),
            },
            _ if name.len() == 1 && name.chars().all(|c| c.is_ascii_alphabetic()) => {
                changed |= entry.letter(name);
            }
            _ => {}
        }
    }
    if changed {
        cx.push(Command::SavePaperDraft(Box::new(entry.record())));
    }
}

/// Asks for the form to be saved as completed, or says why it cannot be.
fn finish(entry: &mut PaperEntry, cx: &mut ViewCx<'_>) {
    match entry.completed(jiff::Timestamp::now()) {
        Ok(done) => cx.push(Command::FinishPaperEntry(Box::new(done))),
        Err(e) => entry.refused = Some(e.to_string()),
    }
}

fn keying_ui(ui: &mut egui::Ui, entry: &mut PaperEntry, name: &str, cx: &mut ViewCx<'_>) {
    keys(ui, entry, cx);
    let moved = entry.scrolled_to != Some(entry.cursor);
    entry.scrolled_to = Some(entry.cursor);
    let i = &entry.instrument;
    let date = entry
        .administration
        .form_date
        .map(crate::results::day)
        .unwrap_or_default();
    a11y::page_title(
        ui,
        format!("{}: paper form of {name}, dated {date}", i.short_name),
    );
    let which = match (entry.double(), entry.entry()) {
        (false, _) => "Single entry.".to_owned(),
        (true, 1) => "First entry of two.".to_owned(),
        (true, _) => {
            "Second entry of two: key the form again from the paper, without looking at the first."
                .to_owned()
        }
    };
    ui.label(RichText::new(which).strong());
    ui.label(
        RichText::new(format!(
            "Type each answer ({} to {}): the next item follows. Space: left blank. Up and Down \
             arrows: move. Enter at the end: done. Every key is saved at once.",
            i.response.min, i.response.max
        ))
        .color(theme::muted(ui)),
    );
    if let Some(why) = &entry.refused {
        ui.label(RichText::new(why).color(theme::warning(ui)));
    }
    ui.add_space(theme::GAP);
    let rows = entry.rows();
    let at_end = entry.cursor >= rows;
    // The statements get the width left by the number and answer columns, and wrap in it.
    let statement_width = (ui.available_width() - 260.0).clamp(240.0, 900.0);
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .max_height((ui.available_height() - 60.0).max(120.0))
        .show(ui, |ui| {
            egui::Grid::new("paper_grid")
                .num_columns(3)
                .striped(true)
                .spacing(egui::vec2(18.0, 6.0))
                .show(ui, |ui| {
                    for title in ["Item", "Statement", "Answer"] {
                        ui.label(RichText::new(title).strong());
                    }
                    ui.end_row();
                    for row in 0..rows {
                        let current = row == entry.cursor;
                        let (number, text) = row_text(entry, row);
                        let accent = theme::accent(ui);
                        let mark = |t: String| {
                            if current {
                                RichText::new(t).strong().color(accent)
                            } else {
                                RichText::new(t)
                            }
                        };
                        let first = ui.label(mark(number));
                        ui.scope(|ui| {
                            ui.set_width(statement_width);
                            ui.add(egui::Label::new(mark(text)).wrap());
                        });
                        let shown = entry.shown(row).unwrap_or_else(|| {
                            if current {
                                "_".to_owned()
                            } else {
                                String::new()
                            }
                        });
                        ui.label(mark(shown));
                        ui.end_row();
                        if current && moved {
                            first.scroll_to_me(Some(egui::Align::Center));
                        }
                    }
                    let end = if at_end {
                        RichText::new("End of the form: press Enter")
                            .strong()
                            .color(theme::accent(ui))
                    } else {
                        RichText::new("End of the form").color(theme::muted(ui))
                    };
                    ui.label("");
                    let end = ui.label(end);
                    ui.end_row();
                    if at_end && moved {
                        end.scroll_to_me(Some(egui::Align::Center));
                    }
                });
        });
}

/// The item number and statement of grid row `row` ("7", "I worry…"; the forced choice's
/// prompt last). A block's items name their block ("Mother, 3").
fn row_text(entry: &PaperEntry, row: usize) -> (String, String) {
    let i = &entry.instrument;
    match i.slots.get(row) {
        Some(slot) => {
            let item = i.slot_item(slot);
            let number = item
                .label
                .clone()
                .unwrap_or_else(|| item.number.to_string());
            let number = match slot.block_idx.and_then(|b| i.blocks.get(b)) {
                Some(block) => format!("{}, {number}", block.name),
                None => number,
            };
            (number, item.text.clone())
        }
        None => (
            "Choice".to_owned(),
            i.choice
                .as_ref()
                .map(|c| c.prompt.clone())
                .unwrap_or_default(),
        ),
    }
}

fn resolving_ui(ui: &mut egui::Ui, entry: &mut PaperEntry, name: &str, cx: &mut ViewCx<'_>) {
    let differences = entry.differences();
    a11y::page_title(
        ui,
        format!(
            "{}: paper form of {name}, the two entries differ",
            entry.instrument.short_name
        ),
    );
    ui.label(format!(
        "The two entries differ on {} {}. Look at the paper and choose what it says for each.",
        differences.len(),
        if differences.len() == 1 {
            "item"
        } else {
            "items"
        }
    ));
    ui.add_space(theme::GAP);
    let (min, max) = (entry.instrument.response.min, entry.instrument.response.max);
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .max_height((ui.available_height() - 60.0).max(120.0))
        .show(ui, |ui| {
            for row in &differences {
                let index = entry.index(row);
                let (number, text) = row_text(entry, index);
                let (first, second) = entry.both(row);
                ui.label(RichText::new(format!("Item {number}")).strong());
                ui.add(egui::Label::new(text).wrap());
                ui.label(
                    RichText::new(format!("First entry: {first}. Second entry: {second}."))
                        .color(theme::warning(ui)),
                );
                let options: Vec<String> = match row {
                    Row::Slot(_) => (min..=max).map(|v| v.to_string()).collect(),
                    Row::Choice => entry
                        .instrument
                        .choice
                        .as_ref()
                        .map(|c| c.options.iter().map(|(v, _)| v.clone()).collect())
                        .unwrap_or_default(),
                };
                let chosen = entry.resolved.get(&index).cloned();
                ui.horizontal_wrapped(|ui| {
                    ui.label("The paper says:");
                    for option in options {
                        let on = chosen.as_ref() == Some(&Some(option.clone()));
                        if ui.selectable_label(on, &option).clicked() {
                            entry.resolve(row, Some(option));
                        }
                    }
                    let on = chosen == Some(None);
                    if ui.selectable_label(on, "left blank").clicked() {
                        entry.resolve(row, None);
                    }
                });
                ui.add_space(theme::GAP);
            }
        });
    ui.separator();
    let left = entry.unresolved();
    let save = egui::Button::new(RichText::new("Save the form").size(theme::EMPHASIS_SIZE))
        .min_size(egui::vec2(200.0, 40.0));
    ui.horizontal(|ui| {
        if ui.add_enabled(left == 0, save).clicked() {
            finish(entry, cx);
        }
        if left > 0 {
            ui.label(
                RichText::new(format!("{left} still to check against the paper."))
                    .color(theme::muted(ui)),
            );
        }
    });
    if let Some(why) = &entry.refused {
        ui.label(RichText::new(why).color(theme::warning(ui)));
    }
}
