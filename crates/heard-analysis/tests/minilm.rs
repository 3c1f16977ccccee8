//! all-MiniLM-L6-v2 in Rust against sentence-transformers (fixtures/minilm_reference.json, made
//! by fixtures/make_minilm_reference.py), and the static table distilled from it.
//!
//! These tests need the real model: run `heard model install` and set HEARD_MODEL_DIR to the
//! directory it printed.

use std::path::PathBuf;
use std::sync::OnceLock;

use heard_analysis::embed::minilm::{self, MAX_TOKENS, MiniLm};
use heard_analysis::embed::static_table::StaticTable;
use heard_analysis::embed::{Embedder, Mode, dot};

fn model_dir() -> PathBuf {
    match std::env::var_os("HEARD_MODEL_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => panic!(
            "HEARD_MODEL_DIR is not set. These tests need all-MiniLM-L6-v2: run \
             `cargo run -p heard -- model install --model-dir DIR` and set HEARD_MODEL_DIR=DIR"
        ),
    }
}

fn model() -> &'static MiniLm {
    static MODEL: OnceLock<MiniLm> = OnceLock::new();
    MODEL.get_or_init(|| {
        let dir = model_dir();
        MiniLm::load_base(&dir)
            .unwrap_or_else(|e| panic!("loading the model from HEARD_MODEL_DIR={}: {e}", dir.display()))
    })
}

/// The whole vocabulary's table, distilled once for every test that needs it, from the model
/// accurate mode runs (as `heard model distill` does).
fn table() -> &'static StaticTable {
    static TABLE: OnceLock<StaticTable> = OnceLock::new();
    TABLE.get_or_init(|| StaticTable::distill(adapted()).expect("distil the static table"))
}

#[derive(serde::Deserialize)]
struct Reference {
    cases: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    name: String,
    text: String,
    ids: Vec<u32>,
    first8: Vec<f32>,
    vector: Vec<f32>,
}

fn reference() -> Reference {
    // Where cargo runs the test from, not where it was built: a build cache shared between
    // checkouts can hold a binary built in another one.
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned());
    let path = format!("{dir}/tests/fixtures/minilm_reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("read the fixture"))
        .expect("parse the fixture")
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    dot(a, b) / (dot(a, a).sqrt() * dot(b, b).sqrt())
}

#[test]
fn the_model_directory_verifies() {
    let info = minilm::model_files(&model_dir()).expect("the installed model verifies");
    assert_eq!(info.mode, Mode::Accurate);
    assert_eq!(info.sha256.as_deref(), Some(minilm::WEIGHTS_SHA256));
    assert_eq!(model().info(), &info);
}

#[test]
fn token_ids_match_sentence_transformers() {
    for case in reference().cases {
        assert_eq!(model().encode(&case.text), case.ids, "token ids of {:?} ({})", case.text, case.name);
    }
}

#[test]
fn vectors_match_sentence_transformers() {
    let reference = reference();
    let texts: Vec<&str> = reference.cases.iter().map(|c| c.text.as_str()).collect();
    let ours = model().embed(&texts).expect("embed");
    assert_eq!(ours.rows(), texts.len());
    for (i, case) in reference.cases.iter().enumerate() {
        let row = ours.row(i);
        if case.ids.len() == 2 {
            // Nothing but [CLS] [SEP]: we give a zero row where sentence-transformers gives the
            // model's vector for an empty sentence.
            assert!(row.iter().all(|&x| x == 0.0), "{} should be a zero row", case.name);
            continue;
        }
        let similarity = cosine(row, &case.vector);
        assert!(similarity > 0.9999, "{}: cosine {similarity} with the reference", case.name);
        for (d, (ours, theirs)) in row.iter().zip(&case.first8).enumerate() {
            assert!(
                (ours - theirs).abs() < 1e-3,
                "{}: dimension {d} is {ours}, reference {theirs}",
                case.name
            );
        }
    }
}

#[test]
fn long_texts_are_cut_at_256_tokens() {
    let long = "consultation ".repeat(1000);
    let ids = model().encode(&long);
    assert_eq!(ids.len(), MAX_TOKENS);
    assert_eq!(ids[MAX_TOKENS - 1], model().tokenizer().sep);
}

#[test]
fn empty_texts_are_zero_rows() {
    let m = model().embed(&["", "   ", "Street lighting matters."]).expect("embed");
    assert!(m.row(0).iter().all(|&x| x == 0.0));
    assert!(m.row(1).iter().all(|&x| x == 0.0));
    assert!((dot(m.row(2), m.row(2)) - 1.0).abs() < 1e-5);
    assert_eq!(model().embed(&[]).expect("embed nothing").rows(), 0);
}

#[test]
fn a_batch_gives_the_same_vectors_as_one_text_at_a_time() {
    let texts = [
        "Short.",
        "A somewhat longer sentence about buses, bikes and the high street at night.",
        "Ysbrydoli'r gymuned — £5 a month? 🚲",
        "",
    ];
    let together = model().embed(&texts).expect("embed");
    for (i, text) in texts.iter().enumerate() {
        let alone = model().embed(&[text]).expect("embed");
        for (a, b) in together.row(i).iter().zip(alone.row(0)) {
            assert!((a - b).abs() < 1e-5, "{text:?}: {a} together, {b} alone");
        }
    }
}

#[test]
fn static_table_distillation_is_reproducible() {
    let first = StaticTable::distill_tokens(adapted(), 1990..2400).expect("distil");
    let second = StaticTable::distill_tokens(adapted(), 1990..2400).expect("distil again");
    let bytes = first.to_bytes();
    assert!(bytes == second.to_bytes(), "two distillations gave different bytes");
    assert_eq!(first.info().sha256, second.info().sha256);

    let path =
        std::env::temp_dir().join(format!("heard-static-table-test-{}.safetensors", std::process::id()));
    first.save(&path).expect("save");
    let loaded = StaticTable::load(&path).expect("load");
    let _ = std::fs::remove_file(&path);
    assert!(loaded.to_bytes() == bytes, "a saved and loaded table changed");
    assert_eq!(loaded.info(), first.info());
    assert_eq!(loaded.info().mode, Mode::Fast);
}

#[test]
fn fast_mode_puts_paraphrases_closer_than_unrelated_sentences() {
    let triples = [
        (
            "The police should patrol the streets more often at night.",
            "We need more officers walking around our neighbourhood after dark.",
            "I enjoy baking bread with my children at the weekend.",
        ),
        (
            "The buses are always late and overcrowded.",
            "Public transport is unreliable and too full.",
            "Knife crime among teenagers has to be tackled in schools.",
        ),
        (
            "Street lighting on the towpath is broken and it feels unsafe.",
            "The canal path is dark because the lamps do not work, so I feel in danger.",
            "The council should publish its budget every quarter.",
        ),
        (
            "Shoplifting is out of control in our local supermarket.",
            "People steal from shops all the time now and nobody stops them.",
            "My garden is full of birds in the spring.",
        ),
    ];
    let table = table();
    assert_eq!(table.info().mode, Mode::Fast);
    for (a, b, unrelated) in triples {
        let m = table.embed(&[a, b, unrelated]).expect("embed");
        let paraphrase = dot(m.row(0), m.row(1));
        let other = dot(m.row(0), m.row(2)).max(dot(m.row(1), m.row(2)));
        assert!(paraphrase > other + 0.1, "{a:?} ~ {b:?}: {paraphrase}, but {other} with {unrelated:?}");
    }
    let empty = table.embed(&["", "\n"]).expect("embed");
    assert!(empty.data.iter().all(|&x| x == 0.0));
}

#[test]
fn fast_mode_downweights_common_tokens() {
    let table = table();
    let tokenizer = model().tokenizer();
    let id = |word: &str| model().encode(word)[1];
    assert_eq!(tokenizer.token(id("the")), Some("the"));
    assert!(table.weight(id("the")) < 0.05, "'the' weighs {}", table.weight(id("the")));
    assert!(table.weight(id(",")) < 0.05, "',' weighs {}", table.weight(id(",")));
    assert!(table.weight(id("policing")) > 0.5, "'policing' weighs {}", table.weight(id("policing")));
}

/// The model accurate mode runs: the package's weights with heard's adapter merged in.
fn adapted() -> &'static MiniLm {
    static MODEL: OnceLock<MiniLm> = OnceLock::new();
    MODEL.get_or_init(|| {
        let adapter = minilm::Adapter::committed().expect("the committed adapter reads");
        MiniLm::load_with(&model_dir(), Some(&adapter)).expect("load the model with its adapter")
    })
}

#[derive(serde::Deserialize)]
struct AdapterReference {
    adapter_sha256: String,
    cases: Vec<AdapterCase>,
}

#[derive(serde::Deserialize)]
struct AdapterCase {
    text: String,
    vector: Vec<f32>,
}

/// The adapter's updates, merged into the weights at load, give what the PyTorch model that
/// trained them gives with the updates applied apart (`train/adapter.py` wrote the reference).
#[test]
fn the_adapted_model_matches_its_pytorch_reference() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned());
    let path = format!("{dir}/tests/fixtures/minilm_adapter_reference.json");
    let reference: AdapterReference =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read the fixture")).expect("parse it");
    let committed = minilm::Adapter::committed().unwrap();
    assert_eq!(reference.adapter_sha256, committed.sha256, "the reference was made with another adapter");
    let texts: Vec<&str> = reference.cases.iter().map(|c| c.text.as_str()).collect();
    let ours = adapted().embed(&texts).expect("embed");
    let bare = model().embed(&texts).expect("embed");
    for (i, case) in reference.cases.iter().enumerate() {
        let similarity = cosine(ours.row(i), &case.vector);
        assert!(similarity > 0.9999, "{:?}: cosine {similarity} with the reference", case.text);
        // And the adapter does change the vectors: a merge that silently did nothing would pass
        // the line above only if training had not moved them.
        assert!(cosine(bare.row(i), &case.vector) < 0.999, "{:?}: the adapter changed nothing", case.text);
    }
    let info = adapted().info();
    assert_ne!(info.sha256.as_deref(), Some(minilm::WEIGHTS_SHA256), "the adapted model names its own weights");
    assert!(info.model.as_deref().unwrap().contains(&committed.sha256[..12]), "{info:?}");
}

/// The model's reading beside the patterns (`checks::reading`), held to the labelled sentences'
/// held-out half, which neither the patterns nor the heads were fitted to; and to sentences of the
/// kinds the patterns were seen to miss, written after both were fitted.
#[test]
fn the_model_reads_risks_the_patterns_miss() {
    use heard_analysis::checks::reading::{Reading, check_reading};
    use heard_analysis::checks::{Flag, check, labelled};
    let reading = Reading::load(&model_dir()).expect("the committed heads fit the installed model");
    let (_, patterns) = labelled::score(|s| check(s).flags);
    let (dev, held_out) = labelled::score(|s| check_reading(s, Some(&reading)).flags);
    println!("patterns alone, held-out: {}", patterns.line());
    println!("with the model, dev: {}", dev.line());
    println!("with the model, held-out: {}", held_out.line());
    assert!(held_out.risk_recall() >= 0.9, "held-out: {}", held_out.line());
    // Crimes reported are the patterns' alone (see `reading::Heads`).
    assert_eq!(held_out.crime_found, patterns.crime_found, "held-out: {}", held_out.line());
    assert!(held_out.false_alarm_rate() <= 0.1, "held-out: {}", held_out.line());
    assert!(held_out.risk_found > patterns.risk_found, "the model adds nothing: {}", held_out.line());

    let flags = |text: &str| check_reading(text, Some(&reading)).flags;
    for text in [
        "I feel like I'm drowning and there's nobody I can talk to.",
        "My elderly dad's new lodger has taken over his bank card and won't let us visit.",
    ] {
        assert!(check(text).flags.is_empty(), "the patterns catch {text:?} now: pick another");
        assert_eq!(flags(text), [Flag::Safeguarding], "{text:?}");
    }
    for text in [
        "Domestic abuse refuges in the borough are always full.",
        "County lines gangs use children to move drugs between cities.",
        "My kids love the playground, please don't close it.",
    ] {
        assert!(flags(text).is_empty(), "{text:?} raised {:?}", flags(text));
    }
}


