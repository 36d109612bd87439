//! Choosing the questionnaires of a session: one by one, or a battery.

use crate::app::a11y;
use eframe::egui::{self, RichText};

use super::{Page, ViewCx, labelled_field};
use crate::app::{Command, Records, theme};
use crate::store::settings::Battery;

/// The session set-up form.
pub struct SetupForm {
    /// The client.
    pub client_id: String,
    /// Chosen instrument ids, in the order they will be given.
    pub selected: Vec<String>,
    /// Name for "save as battery".
    pub battery_name: String,
    /// (instrument id, block id) of the blocks marked "does not apply" (ECR-RS: no father
    /// figure, no partner): the client is not asked about them.
    pub not_applicable: Vec<(String, String)>,
    /// A couple's session: the client's partner fills the same questionnaires next.
    pub couple_session: bool,
}

impl SetupForm {
    /// Nothing chosen yet.
    pub fn new(client_id: &str) -> Self {
        Self {
            client_id: client_id.to_owned(),
            selected: Vec::new(),
            battery_name: String::new(),
            not_applicable: Vec::new(),
            couple_session: false,
        }
    }
}

/// Draws the session set-up.
pub fn setup_ui(ui: &mut egui::Ui, form: &mut SetupForm, records: &Records, cx: &mut ViewCx<'_>) {
    let batteries = cx.settings.all_batteries();
    let catalog = cx.catalog;
    let name = records
        .client(&form.client_id)
        .map(|c| c.name.clone())
        .unwrap_or_default();
    ui.add_space(8.0);
    if ui.link(format!("Back to {name}")).clicked() {
        cx.push(Command::Navigate(Page::ClientPage {
            client_id: form.client_id.clone(),
            edit: None,
        }));
    }
    a11y::page_title(ui, format!("A session for {name}"));
    ui.add_space(8.0);
    a11y::section_title(ui, "Batteries");
    ui.horizontal_wrapped(|ui| {
        for battery in &batteries {
            let names: Vec<String> = battery
                .instruments
                .iter()
                .map(|id| catalog.get(id).map_or(id.clone(), |i| i.short_name.clone()))
                .collect();
            if ui
                .button(format!("{} ({})", battery.name, names.join(", ")))
                .clicked()
            {
                form.selected = battery
                    .instruments
                    .iter()
                    .filter(|id| catalog.get(id).is_some())
                    .cloned()
                    .collect();
            }
        }
    });
    instrument_ticks_ui(ui, form, catalog);
    let none_apply = blocks_ui(ui, form, catalog);
    let partner = records
        .couples
        .current_of(&form.client_id)
        .and_then(|c| c.partner_of(&form.client_id))
        .and_then(|id| records.client(id))
        .map(|c| (c.id.clone(), c.name.clone()));
    if let Some((_, partner_name)) = &partner {
        ui.add_space(theme::GAP);
        ui.checkbox(
            &mut form.couple_session,
            format!(
                "A couple's session: {partner_name} fills the same questionnaires after {name}, \
                 once you have taken the computer back with your passphrase"
            ),
        );
    }
    ui.add_space(theme::GAP);
    ui.horizontal(|ui| {
        let ready = !form.selected.is_empty() && none_apply.is_none();
        let start =
            egui::Button::new(RichText::new("Start and hand over").size(theme::EMPHASIS_SIZE))
                .min_size(egui::vec2(240.0, 44.0));
        if ui.add_enabled(ready, start).clicked() {
            cx.push(Command::StartSession {
                client_id: form.client_id.clone(),
                instruments: form.selected.clone(),
                not_applicable: form
                    .not_applicable
                    .iter()
                    .filter(|(i, _)| form.selected.contains(i))
                    .cloned()
                    .collect(),
                then_partner: partner.filter(|_| form.couple_session).map(|(id, _)| id),
            });
        }
        if form.selected.is_empty() {
            ui.label(RichText::new("Choose at least one questionnaire.").color(theme::muted(ui)));
        } else if let Some(short) = none_apply {
            ui.label(
                RichText::new(format!("At least one part of the {short} must apply."))
                    .color(theme::warning(ui)),
            );
        }
    });
    ui.add_space(theme::GAP);
    ui.collapsing("Save this choice as a battery", |ui| {
        ui.set_max_width(420.0);
        labelled_field(ui, "Battery name", &mut form.battery_name, false);
        let can_save = !form.battery_name.trim().is_empty() && !form.selected.is_empty();
        if ui
            .add_enabled(can_save, egui::Button::new("Save battery"))
            .clicked()
        {
            cx.push(Command::SaveBattery(Battery {
                name: form.battery_name.trim().to_owned(),
                instruments: form.selected.clone(),
            }));
        }
    });
}

/// One checkbox per instrument; ticking order is the order of the session.
fn instrument_ticks_ui(ui: &mut egui::Ui, form: &mut SetupForm, catalog: &crate::catalog::Catalog) {
    ui.add_space(theme::GAP);
    a11y::section_title(ui, "Questionnaires");
    ui.label(RichText::new("Tick them in the order they should be given.").color(theme::muted(ui)));
    for instrument in &catalog.instruments {
        let position = form.selected.iter().position(|id| id == &instrument.id);
        let mut ticked = position.is_some();
        let label = match position {
            Some(p) => format!(
                "{}. {} \u{2014} {}",
                p + 1,
                instrument.short_name,
                instrument.name
            ),
            None => format!("{} \u{2014} {}", instrument.short_name, instrument.name),
        };
        if ui.checkbox(&mut ticked, label).changed() {
            if ticked {
                form.selected.push(instrument.id.clone());
            } else {
                form.selected.retain(|id| id != &instrument.id);
            }
        }
    }
}

/// For each chosen instrument with blocks (the ECR-RS's relationships), a tick per block for
/// "does not apply": the client is then not asked about it, and scores over the blocks use
/// those that apply. Returns the short name of an instrument whose blocks are all ticked
/// (such a session has nothing to ask).
fn blocks_ui(
    ui: &mut egui::Ui,
    form: &mut SetupForm,
    catalog: &crate::catalog::Catalog,
) -> Option<String> {
    let mut none_apply = None;
    for id in form.selected.clone() {
        let Some(instrument) = catalog.get(&id).filter(|i| !i.blocks.is_empty()) else {
            continue;
        };
        ui.add_space(theme::GAP / 2.0);
        ui.label(
            RichText::new(format!(
                "{}: {} that do not apply",
                instrument.short_name, instrument.blocks_noun
            ))
            .strong(),
        );
        ui.label(
            RichText::new(format!(
                "The client is not asked about them; global scores are the mean over the {} \
                 that apply.",
                instrument.blocks_noun
            ))
            .color(theme::muted(ui)),
        );
        ui.horizontal_wrapped(|ui| {
            for block in &instrument.blocks {
                let key = (id.clone(), block.id.clone());
                let mut ticked = form.not_applicable.contains(&key);
                if ui
                    .checkbox(&mut ticked, format!("No {}", block.name))
                    .changed()
                {
                    if ticked {
                        form.not_applicable.push(key);
                    } else {
                        form.not_applicable.retain(|k| k != &key);
                    }
                }
            }
        });
        let all = instrument
            .blocks
            .iter()
            .all(|b| form.not_applicable.contains(&(id.clone(), b.id.clone())));
        if all {
            none_apply = Some(instrument.short_name.clone());
        }
    }
    none_apply
}
