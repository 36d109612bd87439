//! Client mode: starting (or resuming) a session and handing the PC over, and leaving it with
//! the clinician's passphrase.

use age::secrecy::SecretString;
use eframe::egui;
use jiff::Timestamp;

use crate::app::kiosk_session::{Form, KioskSession};
use crate::app::views::Page;
use crate::app::views::kiosk::{LeaveForm, LeaveReason};
use crate::app::{KioskState, Screen, SecurebaseApp};
use crate::store::{Administration, AuditAction, AuditTarget, Source, Status, StoreError, new_id};

impl SecurebaseApp {
    /// Starts (or, with no instruments, resumes) a session and hands the computer over.
    pub(in crate::app) fn start_session(
        &mut self,
        ctx: &egui::Context,
        client_id: &str,
        instruments: &[String],
        not_applicable: &[(String, String)],
    ) {
        let (Some(store), Screen::Clinician(ws)) = (&self.store, &mut self.screen) else {
            return;
        };
        let Some(client) = ws.records.client(client_id).cloned() else {
            return;
        };
        let now = Timestamp::now();
        let mut forms = Vec::new();
        // Administrations already in progress come first: nothing started is left behind.
        for a in ws.administrations_of(store, &self.catalog, client_id) {
            // A paper form being keyed in is the clinician's, never handed over.
            if a.status == Status::InProgress
                && !a.source.is_paper()
                && let Some(instrument) = self.catalog.get(&a.instrument_id)
            {
                forms.push(Form {
                    instrument: instrument.clone(),
                    administration: a.clone(),
                });
            }
        }
        let mut new = Vec::new();
        for (position, id) in instruments.iter().enumerate() {
            let Some(instrument) = self.catalog.get(id) else {
                continue;
            };
            let Ok(admin_id) = new_id() else {
                continue;
            };
            // A millisecond apart, so that a resumed session keeps its order (the store sorts
            // administrations by start time).
            let started =
                now + jiff::SignedDuration::from_millis(i64::try_from(position).unwrap_or(0));
            let mut administration =
                Administration::new(admin_id, client_id, instrument, Source::ClientMode, started);
            // Blocks the clinician marked as not applying: never shown, never scored.
            administration.not_applicable = not_applicable
                .iter()
                .filter(|(i, b)| i == id && instrument.blocks.iter().any(|bl| &bl.id == b))
                .map(|(_, b)| b.clone())
                .collect();
            new.push(Form {
                instrument: instrument.clone(),
                administration,
            });
        }
        if forms.is_empty() && new.is_empty() {
            self.notice = Some("Choose at least one questionnaire.".to_owned());
            return;
        }
        // From here on the store signs with a session key that covers these administrations
        // only: client mode never holds the folder's key.
        let ids: Vec<String> = forms
            .iter()
            .chain(&new)
            .map(|f| f.administration.id.clone())
            .collect();
        if let Err(e) = store.begin_session(&ws.keys, client_id, &ids) {
            self.notice = Some(format!("The session could not be started: {e}"));
            return;
        }
        for form in new {
            // Saved before the hand-over, so that a crash now still shows the session.
            if let Err(e) = store.save_administration(&form.administration) {
                store.end_session(&ws.keys);
                self.notice = Some(format!("The session could not be started: {e}"));
                return;
            }
            crate::app::note_audit(
                &mut self.notice,
                &format!("The session of {} was started", form.instrument.id),
                store.audit(
                    AuditAction::Create,
                    AuditTarget::Administration(&form.administration.id),
                    &format!("session of {}", form.instrument.id),
                ),
            );
            forms.push(form);
        }
        // What the client was in the middle of comes first, then what was not begun (records
        // from before start times were kept distinct may share one).
        forms.sort_by_key(|f| {
            f.administration.answers.is_empty() && f.administration.choice.is_none()
        });
        ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(true));
        // The workspace, and with it the unlocked key, is dropped here: leaving client mode
        // needs the passphrase again.
        self.screen = Screen::Kiosk(Box::new(KioskState {
            session: KioskSession::new(client, forms),
            shown_at: std::time::Instant::now(),
            leave: None,
            save_error: None,
            paused: false,
            then: None,
            had_focus: false,
            announced: None,
        }));
        // Above other windows while it lasts: not a lock (securebase cannot lock a desktop),
        // but a window that is not asked for stays behind it.
        ctx.send_viewport_cmd(egui::ViewportCommand::WindowLevel(
            egui::WindowLevel::AlwaysOnTop,
        ));
    }

    /// [`Self::start_session`], and for a couple's session the partner who comes next.
    pub(in crate::app) fn start_session_then(
        &mut self,
        ctx: &egui::Context,
        client_id: &str,
        instruments: Vec<String>,
        not_applicable: Vec<(String, String)>,
        then_partner: Option<String>,
    ) {
        self.start_session(ctx, client_id, &instruments, &not_applicable);
        if let (Some(partner), Screen::Kiosk(mode)) = (then_partner, &mut self.screen) {
            mode.then = Some(crate::app::NextPartner {
                client_id: partner,
                instruments,
                not_applicable,
            });
        }
    }

    pub(in crate::app) fn leave_kiosk(&mut self, ctx: &egui::Context, passphrase: &SecretString) {
        let Some(store) = &self.store else {
            return;
        };
        let Screen::Kiosk(mode) = &mut self.screen else {
            return;
        };
        match store.unlock(passphrase) {
            Ok(keys) => {
                ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(false));
                ctx.send_viewport_cmd(egui::ViewportCommand::WindowLevel(
                    egui::WindowLevel::Normal,
                ));
                let client_id = mode.session.client.id.clone();
                let finished = mode.session.step == crate::app::kiosk_session::Step::End;
                let then = mode.then.take();
                self.open_workspace(keys);
                if let Screen::Clinician(ws) = &mut self.screen {
                    ws.page = Page::ClientPage {
                        client_id,
                        edit: None,
                    };
                }
                // A couple's session: the first partner is done, so the second one's session
                // starts, with their own hand-over and "Are you …?". Left early, it does not.
                match then {
                    Some(next) if finished => self.start_session(
                        ctx,
                        &next.client_id,
                        &next.instruments,
                        &next.not_applicable,
                    ),
                    Some(_) => {
                        self.notice = Some(
                            "The couple's session was left before the first partner finished; \
                             the second partner's part was not started."
                                .to_owned(),
                        );
                    }
                    None => {}
                }
            }
            Err(e) => wrong_try(mode, &e),
        }
    }

    /// Client mode that loses the screen hides the form at once behind "Please call your
    /// clinician" (REDTEAM H2): another window took the keyboard focus (Alt+Tab, the Windows
    /// key, a click elsewhere), or the window was minimised or hidden (show desktop, another
    /// virtual desktop). Only the passphrase brings the form back; each time is audited.
    pub(in crate::app) fn watch_kiosk_focus(&mut self, ctx: &egui::Context) {
        let Screen::Kiosk(mode) = &mut self.screen else {
            return;
        };
        let (focused, minimized, occluded) = ctx.input(|i| {
            let viewport = i.viewport();
            (viewport.focused, viewport.minimized, viewport.occluded)
        });
        let why = if minimized == Some(true) {
            Some("the window was minimised")
        } else if occluded == Some(true) {
            Some("the window was hidden")
        } else if focused == Some(false) && mode.had_focus {
            Some("another window took the focus")
        } else {
            if focused == Some(true) {
                mode.had_focus = true;
            }
            None
        };
        let Some(why) = why else {
            return;
        };
        mode.had_focus = false;
        let already = mode
            .leave
            .as_ref()
            .is_some_and(|f| f.reason == LeaveReason::Interrupted);
        if already {
            return;
        }
        mode.leave = Some(LeaveForm::interrupted());
        mode.paused = false;
        let client_id = mode.session.client.id.clone();
        if let Some(store) = &self.store {
            crate::app::note_audit(
                &mut self.notice,
                "Client mode was interrupted",
                store.audit(
                    AuditAction::Interrupted,
                    AuditTarget::Client(&client_id),
                    &format!("client mode hidden: {why}"),
                ),
            );
        }
        ctx.request_repaint();
    }

    /// The passphrase on "Please call your clinician": back to the form, in the same session.
    pub(in crate::app) fn resume_kiosk(&mut self, ctx: &egui::Context, passphrase: &SecretString) {
        let Some(store) = &self.store else {
            return;
        };
        let Screen::Kiosk(mode) = &mut self.screen else {
            return;
        };
        match store.unlock(passphrase) {
            Ok(keys) => {
                // Unlocking made the store sign with the folder's key: back to a session key
                // for this session's administrations, and the key is dropped again.
                let ids: Vec<String> = mode
                    .session
                    .forms
                    .iter()
                    .map(|f| f.administration.id.clone())
                    .collect();
                let client_id = mode.session.client.id.clone();
                if let Err(e) = store.begin_session(&keys, &client_id, &ids) {
                    if let Some(form) = &mut mode.leave {
                        form.error = Some(format!("The form could not be brought back: {e}"));
                    }
                    return;
                }
                drop(keys);
                mode.leave = None;
                mode.had_focus = false;
                mode.shown_at = std::time::Instant::now();
                crate::app::note_audit(
                    &mut self.notice,
                    "Client mode was resumed",
                    store.audit(
                        AuditAction::Interrupted,
                        AuditTarget::Client(&client_id),
                        "client mode resumed with the passphrase",
                    ),
                );
                ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(true));
                ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
            }
            Err(e) => wrong_try(mode, &e),
        }
    }

    /// Saves whatever client mode changed, at once.
    pub(in crate::app) fn save_kiosk(&mut self) {
        let (Screen::Kiosk(mode), Some(store)) = (&mut self.screen, &self.store) else {
            return;
        };
        for administration in mode.session.take_dirty() {
            match store.save_administration(&administration) {
                Ok(()) => mode.save_error = None,
                Err(e) => {
                    // Keep it to save again with the next answer; tell the client calmly.
                    mode.session.dirty.push(
                        mode.session
                            .forms
                            .iter()
                            .position(|f| f.administration.id == administration.id)
                            .unwrap_or(0),
                    );
                    mode.save_error = Some(e.to_string());
                }
            }
        }
    }
}

/// A wrong passphrase on the clinician's prompt: said, the field emptied, and the keyboard
/// given back to the field, so that the next try is not typed into nothing (REDTEAM L14).
fn wrong_try(mode: &mut KioskState, error: &StoreError) {
    if let Some(form) = &mut mode.leave {
        form.error = Some(match error {
            StoreError::WrongPassphrase => "That passphrase is not right.".to_owned(),
            other => other.to_string(),
        });
        form.passphrase.clear();
        form.focused_once = false;
    }
}
