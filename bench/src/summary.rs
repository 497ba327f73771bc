//! Min / median / max over repeated runs, latency percentiles, and figures as table rows.

/// A figure over repeated runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub min: f64,
    pub median: f64,
    pub max: f64,
    pub runs: usize,
}

impl Summary {
    /// None for no values.
    pub fn of(values: &[f64]) -> Option<Summary> {
        let sorted = sorted(values);
        Some(Summary {
            min: *sorted.first()?,
            median: median_of_sorted(&sorted),
            max: *sorted.last()?,
            runs: sorted.len(),
        })
    }

    /// "min / median / max" with `unit`, each value shown by `show`; one value when all runs
    /// agree (counts, sizes).
    pub fn show(&self, show: impl Fn(f64) -> String, unit: &str) -> String {
        if self.runs == 1 {
            format!("{}{unit} (1 run)", show(self.median))
        } else if self.min == self.max {
            format!("{}{unit} (all {} runs)", show(self.median), self.runs)
        } else {
            format!(
                "{} / **{}** / {}{unit}",
                show(self.min),
                show(self.median),
                show(self.max)
            )
        }
    }
}

pub fn sorted(values: &[f64]) -> Vec<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted
}

fn median_of_sorted(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// Nearest-rank percentile (`p` in 0..=100) of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A number with a precision that suits its size (3 significant digits, no exponent).
pub fn num(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 100.0 || value == value.trunc() && magnitude < 1e15 {
        format!("{value:.0}")
    } else if magnitude >= 10.0 {
        format!("{value:.1}")
    } else if magnitude >= 1.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.3}")
    }
}

/// One named figure over repeated runs, rendered as a table row.
pub struct Figure {
    pub label: String,
    pub values: Vec<f64>,
    pub unit: &'static str,
}

impl Figure {
    pub fn new(label: impl Into<String>, unit: &'static str) -> Figure {
        Figure {
            label: label.into(),
            values: Vec::new(),
            unit,
        }
    }

    /// "| label | min / median / max |", or "not measured".
    pub fn row(&self) -> String {
        let shown = Summary::of(&self.values)
            .map(|s| s.show(num, self.unit))
            .unwrap_or_else(|| "not measured".into());
        format!("| {} | {shown} |", self.label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_and_percentiles() {
        let s = Summary::of(&[3.0, 1.0, 2.0, 10.0]).expect("values");
        assert_eq!((s.min, s.median, s.max, s.runs), (1.0, 2.5, 10.0, 4));
        let sorted: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&sorted, 50.0), 50.0);
        assert_eq!(percentile(&sorted, 99.0), 99.0);
        assert_eq!(percentile(&sorted, 100.0), 100.0);
        assert_eq!(Summary::of(&[]), None);
        assert_eq!(Summary::of(&[7.0, 7.0]).expect("v").show(num, " B"), "7 B (all 2 runs)");
        assert_eq!(Summary::of(&[7.0]).expect("v").show(num, " B"), "7 B (1 run)");
    }
}
