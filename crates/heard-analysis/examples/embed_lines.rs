//! Embeds each line of a text file with the accurate model (or the fast table) and writes the
//! vectors as raw little-endian f32 rows: a tool for trying mapping ideas outside the engine.
//! Usage: cargo run --release --example embed_lines MODEL_DIR IN.txt OUT.f32 [accurate|fast]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (model_dir, input, output, mode) = match &args[..] {
        [_, m, i, o] => (m, i, o, heard_analysis::embed::Mode::Accurate),
        [_, m, i, o, mode] if mode == "accurate" => (m, i, o, heard_analysis::embed::Mode::Accurate),
        [_, m, i, o, mode] if mode == "fast" => (m, i, o, heard_analysis::embed::Mode::Fast),
        _ => {
            eprintln!("usage: embed_lines MODEL_DIR IN.txt OUT.f32 [accurate|fast]");
            std::process::exit(2);
        }
    };
    let text = std::fs::read_to_string(input).expect("read input");
    let lines: Vec<&str> = text.lines().collect();
    let (embedder, note) = heard_analysis::embed::load(
        mode,
        std::path::Path::new(model_dir),
        lines.iter().copied(),
    );
    if let Some(note) = note {
        eprintln!("{note}");
        std::process::exit(1);
    }
    let mut bytes = Vec::new();
    for batch in lines.chunks(256) {
        let m = embedder.embed(batch).expect("embed");
        for x in &m.data {
            bytes.extend_from_slice(&x.to_le_bytes());
        }
    }
    std::fs::write(output, bytes).expect("write output");
    eprintln!("{} lines, dim {}", lines.len(), embedder.dim());
}
