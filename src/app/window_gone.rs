//! A window destroyed from outside ends the app quietly, never with a panic (REDTEAM H2).
//!
//! Any X client may destroy another's window (`xdotool windowclose`, a window manager's
//! "Destroy"). winit 0.30 then unwraps the X error of its next request on that window
//! (`TranslateCoordinates`, in `inner_position`, which eframe asks every frame): the app died
//! with exit code 101 and a panic message, the client's desktop open behind it. Nothing is lost
//! by then (every answer is on disk the moment it is given, and the next start offers to resume
//! the session), so the right ending is the ordinary one: say so in one line, exit 0.
//!
//! [`catching`] runs the window with a panic hook that recognises this one panic (raised in
//! winit's X11 code about an X error) and keeps every other panic as it was, then catches the
//! unwinding at the top. winit's event loop on X11 is Rust all the way down, so unwinding out
//! of it is sound; the app's state is dropped on the way (the data folder's lock released).

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set by the hook when the panic was the window's being gone.
static GONE: AtomicBool = AtomicBool::new(false);

/// What the one line says.
pub const MESSAGE: &str = "securebase: the window was closed by another program. Every answer \
                           given is saved; start securebase again to go on.";

/// Runs `window` (the event loop); a panic because the window was destroyed from outside
/// becomes `Ok(())` after [`MESSAGE`] on stderr. Any other panic goes on unwinding as before.
pub fn catching(window: impl FnOnce() -> eframe::Result) -> eframe::Result {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if is_window_gone(info) {
            GONE.store(true, Ordering::SeqCst);
        } else {
            previous(info);
        }
    }));
    let result = panic::catch_unwind(AssertUnwindSafe(window));
    // The default hook again for whatever follows (tests in the same process, say).
    drop(panic::take_hook());
    match result {
        Ok(result) => result,
        Err(payload) if GONE.load(Ordering::SeqCst) => {
            drop(payload);
            eprintln!("{MESSAGE}");
            Ok(())
        }
        Err(payload) => panic::resume_unwind(payload),
    }
}

/// Whether a panic is winit's about an X request on a window that no longer exists.
fn is_window_gone(info: &panic::PanicHookInfo<'_>) -> bool {
    let in_winit_x11 = info.location().is_some_and(|l| {
        let file = l.file().replace('\\', "/");
        file.contains("winit") && file.contains("/x11/")
    });
    let message = info
        .payload()
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| info.payload().downcast_ref::<&str>().copied())
        .unwrap_or("");
    in_winit_x11
        && (message.contains("X11")
            || message.contains("BadWindow")
            || message.contains("Connection"))
}
