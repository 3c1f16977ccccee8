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
    let dir = PathBuf::from(std::env::var_os("HEARD_MODEL_DIR").expect("set HEARD_MODEL_DIR (see `heard model install`)"));
    let topic = &PUBLIC_SAFETY;
    let base: Vec<&str> = topic.openings.iter().chain(topic.points).chain(topic.asks).copied().collect();
    let sentences: Vec<String> = (0..2000).map(|i| format!("{} ({i})", base[i % base.len()])).collect();
    let texts: Vec<&str> = sentences.iter().map(String::as_str).collect();

    let started = Instant::now();
    let model = MiniLm::load(&dir).expect("load the model");
    let load_s = started.elapsed().as_secs_f64();
    let tokens: usize = texts.iter().map(|t| model.encode(t).len()).sum();

    let accurate_texts = &texts[..600];
    model.embed(&accurate_texts[..32]).unwrap();
    let started = Instant::now();
    model.embed(accurate_texts).unwrap();
    let accurate = accurate_texts.len() as f64 / started.elapsed().as_secs_f64();

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
         \"fast_texts_per_s\": {fast:.0}, \"distill_s\": {}}}",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        tokens as f64 / texts.len() as f64,
        distill_s.map(|s| format!("{s:.1}")).unwrap_or("null".into()),
    );
}
