//! The burst latency distribution as an SVG: a histogram on a logarithmic time axis (duplicates
//! that wait for the creating delivery sit far to the right of the rest), with p50, p95 and p99
//! marked. Plain SVG text, no plotting library.

use std::fmt::Write;

use crate::summary::{num, percentile};

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 360.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 50.0;
const BINS: usize = 60;

/// `sorted_ms`: latencies in ms, sorted ascending.
pub fn latency_svg(sorted_ms: &[f64], title: &str) -> String {
    let positive: Vec<f64> = sorted_ms.iter().copied().filter(|v| *v > 0.0).collect();
    let (Some(&low), Some(&high)) = (positive.first(), positive.last()) else {
        return String::new();
    };
    // Decade-aligned bounds so the tick labels are round numbers.
    let (lo, hi) = (low.log10().floor(), high.log10().ceil().max(low.log10().floor() + 1.0));
    let mut counts = [0usize; BINS];
    for v in &positive {
        let at = ((v.log10() - lo) / (hi - lo) * BINS as f64) as usize;
        counts[at.min(BINS - 1)] += 1;
    }
    let most = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x_of = |ms: f64| LEFT + (ms.log10() - lo) / (hi - lo) * plot_w;
    let y_of = |count: f64| TOP + plot_h - count / most * plot_h;

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="{LEFT}" y="22" font-size="14" font-weight="bold">{}</text>"#,
        escape(title)
    );
    let bar_w = plot_w / BINS as f64;
    for (i, count) in counts.iter().enumerate().filter(|(_, c)| **c > 0) {
        let y = y_of(*count as f64);
        let _ = writeln!(
            svg,
            r##"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="#4a78b5"><title>{count}</title></rect>"##,
            LEFT + i as f64 * bar_w,
            (bar_w - 1.0).max(1.0),
            TOP + plot_h - y
        );
    }
    // Axes and ticks: 1, 2, 5 per decade on x; the largest bin on y.
    let base = TOP + plot_h;
    let _ = writeln!(
        svg,
        r#"<line x1="{LEFT}" y1="{base}" x2="{}" y2="{base}" stroke="black"/>"#,
        LEFT + plot_w
    );
    let _ = writeln!(
        svg,
        r#"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}" stroke="black"/>"#
    );
    let mut decade = lo;
    while decade < hi {
        for step in [1.0, 2.0, 5.0] {
            let ms = 10f64.powf(decade) * step;
            let x = x_of(ms);
            let _ = writeln!(
                svg,
                r#"<line x1="{x:.1}" y1="{base}" x2="{x:.1}" y2="{}" stroke="black"/><text x="{x:.1}" y="{}" text-anchor="middle">{}</text>"#,
                base + 5.0,
                base + 18.0,
                // Ticks are 1, 2 or 5 times a power of ten: at most three decimals, none trailing.
                (ms * 1000.0).round() / 1000.0
            );
        }
        decade += 1.0;
    }
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">latency (ms, log scale)</text>"#,
        LEFT + plot_w / 2.0,
        HEIGHT - 10.0
    );
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="end">{most}</text><text x="14" y="{}" transform="rotate(-90 14 {})" text-anchor="middle">deliveries</text>"#,
        LEFT - 6.0,
        TOP + 4.0,
        TOP + plot_h / 2.0,
        TOP + plot_h / 2.0
    );
    for (row, (p, colour)) in [(50.0, "#2a9d3a"), (95.0, "#e08a00"), (99.0, "#c0392b")]
        .into_iter()
        .enumerate()
    {
        let value = percentile(sorted_ms, p);
        let x = x_of(value.max(low));
        // One text row per percentile, so close values do not overprint; right of the line
        // unless that would leave the plot.
        let (text_x, anchor) = if x > LEFT + plot_w * 0.8 {
            (x - 3.0, "end")
        } else {
            (x + 3.0, "start")
        };
        let _ = writeln!(
            svg,
            r#"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{base}" stroke="{colour}" stroke-dasharray="4 3"/><text x="{text_x:.1}" y="{}" fill="{colour}" text-anchor="{anchor}">p{p} {} ms</text>"#,
            TOP + 12.0 + row as f64 * 15.0,
            num(value)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_bars_and_percentiles() {
        let sorted: Vec<f64> = (1..=1000).map(|i| f64::from(i) / 10.0).collect();
        let svg = latency_svg(&sorted, "a & b");
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("p50 50 ms") && svg.contains("p99 99 ms"));
        assert!(svg.contains("a &amp; b"));
        assert_eq!(latency_svg(&[], "empty"), "");
    }
}
