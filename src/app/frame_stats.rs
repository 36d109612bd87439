//! Frame-time measurement for `scripts/frame-time.sh`: with `SECUREBASE_FRAME_STATS=N` set, the
//! app repaints continuously (as if something animated) and, every `N` frames, prints the
//! median and 95th percentile of two times on stderr:
//!
//! - `frame`: eframe's CPU time of the whole previous frame — the app's UI code, egui's layout
//!   and tessellation, and painting (on llvmpipe under Xvfb, painting is software);
//! - `ui`: the app's own `ui` call (layout of the page, and chart rendering when a chart's
//!   input or size changed).
//!
//! Without the variable nothing is measured and the app repaints only on input.

use std::time::Duration;

/// Collected frame times.
pub struct FrameStats {
    every: usize,
    frame: Vec<f64>,
    ui: Vec<f64>,
}

impl FrameStats {
    /// From the environment; `None` when not asked for.
    pub fn from_env() -> Option<Self> {
        let every = crate::env::frame_stats()?;
        Some(Self {
            every,
            frame: Vec::with_capacity(every),
            ui: Vec::with_capacity(every),
        })
    }

    /// Records one frame: eframe's CPU time of the previous frame, and this `ui` call's time.
    pub fn record(&mut self, previous_frame: Option<f32>, ui: Duration) {
        if let Some(seconds) = previous_frame {
            self.frame.push(f64::from(seconds) * 1000.0);
        }
        self.ui.push(ui.as_secs_f64() * 1000.0);
        if self.ui.len() >= self.every {
            eprintln!(
                "frames: {}; frame median {:.2} ms, p95 {:.2} ms; ui median {:.3} ms, p95 {:.3} ms",
                self.ui.len(),
                quantile(&mut self.frame, 0.5),
                quantile(&mut self.frame, 0.95),
                quantile(&mut self.ui, 0.5),
                quantile(&mut self.ui, 0.95),
            );
            self.frame.clear();
            self.ui.clear();
        }
    }
}

/// The `q` quantile (nearest rank) of `values`; NaN when empty.
fn quantile(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "an index into a short list"
    )]
    let rank = ((values.len() as f64 * q).ceil() as usize).clamp(1, values.len());
    values[rank - 1]
}
