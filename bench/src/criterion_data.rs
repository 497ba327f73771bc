//! Reads what criterion measured (`target/criterion/<group>/<function>/new/sample.json`: the
//! iteration count and total time of every sample) so the report can show min / median / max
//! per webhook and ratios computed sample by sample within the same `cargo bench` run.

use anyhow::{Context, Result};
use serde_json::Value;

use crate::paths;
use crate::summary::Figure;

/// The engines the core benchmark compares, as criterion function names.
pub const ENGINES: [(&str, &str); 3] = [
    ("native", "native Rust"),
    ("wasmtime", "component in wasmtime"),
    ("node-jco", "component in Node (jco)"),
];

/// The criterion group of one input.
pub fn group(input: &str) -> String {
    format!("webhook-{input}")
}

/// Time per iteration of every sample, in µs; None when criterion has no such benchmark.
pub fn per_iteration_us(input: &str, engine: &str) -> Result<Option<Vec<f64>>> {
    let file = paths::criterion()
        .join(group(input))
        .join(engine)
        .join("new/sample.json");
    let Ok(text) = std::fs::read_to_string(&file) else {
        return Ok(None);
    };
    let data: Value = serde_json::from_str(&text).with_context(|| format!("reading {}", file.display()))?;
    let iters = data["iters"].as_array().context("sample.json: iters")?;
    let times = data["times"].as_array().context("sample.json: times")?;
    Ok(Some(
        iters
            .iter()
            .zip(times)
            .filter_map(|(n, t)| Some(t.as_f64()? / n.as_f64()? / 1e3))
            .collect(),
    ))
}

/// Per-webhook figures of one input, then the ratios to native, sample i against sample i.
pub fn core_figures(input: &str) -> Result<Vec<Figure>> {
    let mut figures = Vec::new();
    let native = per_iteration_us(input, "native")?;
    for (engine, label) in ENGINES {
        let mut figure = Figure::new(format!("{input}: {label}"), " µs");
        if let Some(samples) = per_iteration_us(input, engine)? {
            figure.values = samples;
        }
        figures.push(figure);
    }
    for (engine, label) in &ENGINES[1..] {
        let mut ratio = Figure::new(format!("{input}: {label} / native"), "×");
        if let (Some(native), Some(other)) = (&native, per_iteration_us(input, engine)?) {
            ratio.values = other.iter().zip(native).map(|(o, n)| o / n).collect();
        }
        figures.push(ratio);
    }
    Ok(figures)
}
