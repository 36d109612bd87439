//! What leaves securebase for people to look at: charts (and, later, reports and exports).
//! Pure rendering: values in, bytes out; writing files is the caller's (through `atomic`).

pub mod chart;
pub mod line;
