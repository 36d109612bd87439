//! Charts: the anxiety-avoidance plane (`plane`, with the drawing every chart shares: the
//! `Drawable` trait, fonts, palette, PNG and SVG) and the scores over time (`over_time`).
//! Pure rendering: values in, bytes out; writing files is the caller's (through `atomic`).
//! Not the PDF report, which is `export::report`, nor the chart data, which is `core::chart_data`.

pub mod over_time;
pub mod plane;
