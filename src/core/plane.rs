//! Where a point lies on the attachment plane (avoidance across, anxiety up).
//!
//! The four regions are descriptive labels only: the two dimensions are the measurement.

/// A descriptive region of the plane, split at the instrument's midpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// Low avoidance, low anxiety.
    Secure,
    /// Low avoidance, high anxiety.
    Preoccupied,
    /// High avoidance, low anxiety.
    Dismissing,
    /// High avoidance, high anxiety.
    Fearful,
    /// Exactly on a midline: no region is honest.
    OnMidline,
}

impl Region {
    /// The region of (`avoidance`, `anxiety`); "high" means above the midpoint.
    pub fn of(avoidance: f64, anxiety: f64, midpoint: f64) -> Self {
        // Scores are means of whole numbers, so "exactly on the line" is a real case.
        #[expect(
            clippy::float_cmp,
            reason = "a mean of integers lands exactly on the midpoint"
        )]
        if avoidance == midpoint || anxiety == midpoint {
            return Region::OnMidline;
        }
        match (avoidance > midpoint, anxiety > midpoint) {
            (false, false) => Region::Secure,
            (false, true) => Region::Preoccupied,
            (true, false) => Region::Dismissing,
            (true, true) => Region::Fearful,
        }
    }

    /// Lower-case label.
    pub fn label(self) -> &'static str {
        match self {
            Region::Secure => "secure",
            Region::Preoccupied => "preoccupied",
            Region::Dismissing => "dismissing",
            Region::Fearful => "fearful",
            Region::OnMidline => "on a midline",
        }
    }
}

/// The caveat shown wherever a region is shown.
pub const REGION_CAVEAT: &str = "Descriptive only: the region is read off the scale midpoint. \
The two dimensions are the measurement; the region is not a diagnosis.";

#[cfg(test)]
mod tests {
    use super::Region;

    #[test]
    fn regions_split_at_the_midpoint() {
        assert_eq!(Region::of(2.0, 2.0, 4.0), Region::Secure);
        assert_eq!(Region::of(2.0, 5.5, 4.0), Region::Preoccupied);
        assert_eq!(Region::of(5.0, 3.9, 4.0), Region::Dismissing);
        assert_eq!(Region::of(4.1, 6.0, 4.0), Region::Fearful);
        assert_eq!(Region::of(4.0, 6.0, 4.0), Region::OnMidline);
    }
}
