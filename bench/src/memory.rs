//! The component's linear memory, as wasmtime's limiter sees it grow: at instantiation, after
//! one full webhook run (realistic and maximal), and after many runs in one instance (the host
//! and Forge use a fresh instance per run; this shows whether reuse would grow it).

use anyhow::Result;

use crate::script::Script;
use crate::summary::Figure;
use crate::wasmtime_driver::{Compiled, WitScript};

const MANY: usize = 1_000;

pub fn linear_memory(compiled: &Compiled, realistic: &Script, maximal: &Script, reps: usize) -> Result<Vec<Figure>> {
    let kib = |bytes: usize| bytes as f64 / 1024.0;
    let (realistic_wit, maximal_wit) = (WitScript::new(realistic)?, WitScript::new(maximal)?);
    let mut initial = Figure::new("linear memory at instantiation", " KiB");
    let mut after_realistic = Figure::new("after one realistic webhook run", " KiB");
    let mut after_maximal = Figure::new("after one maximal webhook run", " KiB");
    let mut after_many = Figure::new(format!("after {MANY} realistic runs in one instance"), " KiB");
    for _ in 0..reps {
        let instance = compiled.instantiate()?;
        initial.values.push(kib(instance.memory_peak_bytes()));

        let mut instance = compiled.instantiate()?;
        instance.replay_checked(&realistic_wit, realistic)?;
        after_realistic.values.push(kib(instance.memory_peak_bytes()));

        let mut instance = compiled.instantiate()?;
        instance.replay_checked(&maximal_wit, maximal)?;
        after_maximal.values.push(kib(instance.memory_peak_bytes()));

        let mut instance = compiled.instantiate()?;
        for _ in 0..MANY {
            instance.replay_checked(&realistic_wit, realistic)?;
        }
        after_many.values.push(kib(instance.memory_peak_bytes()));
    }
    Ok(vec![initial, after_realistic, after_maximal, after_many])
}
