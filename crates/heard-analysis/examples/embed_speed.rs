//! Times the accurate and fast embedders on short sentences, and the static-table distillation.
//!
//! `HEARD_MODEL_DIR=... cargo run --release -p heard-analysis --example embed_speed`
//! Prints one JSON object of figures.

use std::path::PathBuf;
use std::time::Instant;

use heard_analysis::embed::Embedder;
use heard_analysis::embed::minilm::MiniLm;
use heard_analysis::embed::static_table::{StaticTable, TABLE_FILE};
use heard_analysis::synth::PUBLIC_SAFETY;

fn main() {
    let dir = PathBuf::from(
        std::env::var_os("HEARD_MODEL_DIR").expect("set HEARD_MODEL_DIR (see `heard model install`)"),
    );
    let topic = &PUBLIC_SAFETY;
    let base: Vec<&str> = topic.openings.iter().chain(topic.points).chain(topic.asks).copied().collect();
    // Short sentences, as consultation comments are written: 12 to 20 words, 16 tokens on average.
    let texts: Vec<&str> = base.iter().cycle().take(2000).copied().collect();

    let started = Instant::now();
    let model = MiniLm::load(&dir).expect("load the model");
    let load_s = started.elapsed().as_secs_f64();
    let tokens: usize = texts.iter().map(|t| model.encode(t).len()).sum();

    let accurate_texts = &texts[..600];
    model.embed(&accurate_texts[..32]).unwrap();
    let (started, cpu) = (Instant::now(), cpu_seconds());
    model.embed(accurate_texts).unwrap();
    let accurate = accurate_texts.len() as f64 / started.elapsed().as_secs_f64();
    // Per second of CPU time: the figure that holds when other work shares the machine.
    let accurate_per_cpu_s = accurate_texts.len() as f64 / (cpu_seconds() - cpu);

    // As the pipeline calls it: two threads, each embedding its own chunks.
    let started = Instant::now();
    std::thread::scope(|scope| {
        for half in accurate_texts.chunks(accurate_texts.len() / 2) {
            let model = &model;
            scope.spawn(move || {
                for chunk in half.chunks(100) {
                    model.embed(chunk).unwrap();
                }
            });
        }
    });
    let accurate_two_callers = accurate_texts.len() as f64 / started.elapsed().as_secs_f64();

    let table_path = dir.join(TABLE_FILE);
    let (table, distill_s) = if std::env::var_os("DISTILL").is_some() || !table_path.is_file() {
        let started = Instant::now();
        let table = StaticTable::distill(&model).unwrap();
        (table, Some(started.elapsed().as_secs_f64()))
    } else {
        (StaticTable::load(&table_path).unwrap(), None)
    };
    let many: Vec<&str> = texts.iter().cycle().take(100_000).copied().collect();
    let started = Instant::now();
    let m = table.embed(&many).unwrap();
    let fast = many.len() as f64 / started.elapsed().as_secs_f64();
    assert_eq!(m.rows(), many.len());

    println!(
        "{{\"threads\": {}, \"load_s\": {load_s:.2}, \"mean_tokens\": {:.1}, \"accurate_texts_per_s\": {accurate:.0}, \
         \"accurate_texts_per_cpu_s\": {accurate_per_cpu_s:.0}, \
         \"accurate_two_callers_texts_per_s\": {accurate_two_callers:.0}, \
         \"fast_texts_per_s\": {fast:.0}, \"distill_s\": {}, \"table_sha256\": \"{}\"}}",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        tokens as f64 / texts.len() as f64,
        distill_s.map(|s| format!("{s:.1}")).unwrap_or("null".into()),
        table.info().sha256.as_deref().unwrap_or(""),
    );
}

/// CPU time this process has used, user and system, from /proc (Linux); 0 elsewhere.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // After the command name: state is field 0, utime 11, stime 12; ticks are 1/100 s on Linux.
    (ticks(11) + ticks(12)) / 100.0
}
