//! `heard analyse` and `heard eval` as an analyst runs them: real files in, real files out, the
//! real embedding model where a mode needs one.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::heard;

fn gambling() -> PathBuf {
    crate::manifest_dir().join("../../../shared/data/themefinder-gambling-xs")
}

/// The model directory the test script installs; tests that need the model say so when absent.
fn model_dir() -> String {
    std::env::var("HEARD_MODEL_DIR").unwrap_or_else(|_| {
        panic!(
            "HEARD_MODEL_DIR is not set: run `heard model install --model-dir DIR` and \
             `heard model distill --model-dir DIR`, then set HEARD_MODEL_DIR=DIR (scripts/test does this)"
        )
    })
}

fn out_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("heard-analyse-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn analyse(args: &[&str]) -> std::process::Output {
    heard().arg("analyse").args(args).env("HEARD_LOG", "warn").output().expect("run heard analyse")
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn a_question_folder_gives_every_output_and_a_summary() {
    let out = out_dir("folder");
    let input = gambling().join("inputs/question_part_1");
    let result = analyse(&[input.to_str().unwrap(), "--mode", "lexical", "--out", out.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    assert!(stdout.contains("100 responses analysed") && stdout.contains("lexical mode"), "{stdout}");
    for file in [
        "themes.json",
        "mapping.jsonl",
        "sentiment.jsonl",
        "evidence.jsonl",
        "campaigns.json",
        "run.json",
        "report.html",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    let themes = read_json(&out.join("themes.json"));
    let themes = themes.as_array().unwrap();
    assert!(themes.len() >= 3);
    for t in themes {
        for field in ["topic_id", "topic_label", "topic_description", "count", "keywords", "quotes", "mode"] {
            assert!(t.get(field).is_some(), "theme without {field}: {t}");
        }
        assert_eq!(t["mode"], "lexical");
    }
    let mapping = read_jsonl(&out.join("mapping.jsonl"));
    assert_eq!(mapping.len(), 100, "every response is in the mapping once");
    assert!(mapping.iter().all(|m| !m["labels"].as_array().unwrap().is_empty()));
    // Counts add up: each theme's count is the number of mapping lines carrying its id.
    for t in themes {
        let id = t["topic_id"].as_str().unwrap();
        let carried =
            mapping.iter().filter(|m| m["labels"].as_array().unwrap().iter().any(|l| l == id)).count();
        assert_eq!(t["count"].as_u64().unwrap() as usize, carried, "count of theme {id}");
    }
    let positions = read_jsonl(&out.join("sentiment.jsonl"));
    assert!(
        positions.iter().all(|p| ["AGREE", "DISAGREE", "UNCLEAR"].contains(&p["position"].as_str().unwrap()))
    );
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("<svg") && report.contains("<table") && report.contains("lexical mode"));
    assert!(report.contains("Should gambling advertisements be completely banned"));
}

#[test]
fn without_a_model_accurate_mode_falls_back_and_says_how_to_install_one() {
    let out = out_dir("fallback");
    let input = gambling().join("inputs/question_part_2");
    let result = heard()
        .args([
            "analyse",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--model-dir",
            "/nonexistent/model",
        ])
        .env_remove("HEARD_MODEL_DIR")
        .output()
        .unwrap();
    assert!(result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("lexical mode instead") && stderr.contains("heard model install"), "{stderr}");
    let run = read_json(&out.join("run.json"));
    assert_eq!(run["mode"], "lexical");
    assert!(run["notes"].to_string().contains("heard model install"));
}

#[test]
fn odd_responses_are_counted_with_diagnostics_never_a_crash() {
    let dir = out_dir("odd-input");
    std::fs::create_dir_all(&dir).unwrap();
    let long = "The buses are late and the stops are dark. ".repeat(5_000); // 50,000 words
    let mut csv = String::from("id,text,channel\n");
    csv.push_str("a1,,email\n");
    csv.push_str(&format!("a2,\"{long}\",post\n"));
    csv.push_str("a3,\"Love the new cycle lanes 🚲👍 but the junctions scare me 😬\",online\n");
    csv.push_str("a4,\"Les pistes cyclables sont dangereuses la nuit.\",online\n");
    csv.push_str("a4,\"Duplicate id, but still a response that counts.\",online\n");
    csv.push_str("a5,\"Street lights on the towpath would help, ring me on 07700 900123.\",event\n");
    for i in 0..20 {
        csv.push_str(&format!(
            "b{i},\"More buses at night on route {i} would help shift workers get home.\",online\n"
        ));
    }
    let mut bytes = csv.into_bytes();
    bytes.extend_from_slice(b"a6,\"caf\xe9 culture on the high street is great\",online\n");
    let input = dir.join("odd.csv");
    std::fs::write(&input, bytes).unwrap();
    let out = dir.join("out");
    let result = analyse(&[input.to_str().unwrap(), "--mode", "lexical", "--out", out.to_str().unwrap()]);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let mapping = read_jsonl(&out.join("mapping.jsonl"));
    assert_eq!(mapping.len(), 27, "every row counted, the duplicate included");
    assert!(mapping.iter().any(|m| m["response_id"] == "a4#2"));
    let empty = mapping.iter().find(|m| m["response_id"] == "a1").unwrap();
    assert_eq!(empty["labels"], serde_json::json!(["XY"]), "an empty response gives no reason");
    let run = read_json(&out.join("run.json"));
    let diagnostics = run["diagnostics"].to_string();
    for expected in ["is empty", "duplicate id a4", "not valid UTF-8", "very long"] {
        assert!(diagnostics.contains(expected), "no diagnostic {expected:?} in {diagnostics}");
    }
    // Personal data never reaches a quote.
    let all_quotes = std::fs::read_to_string(out.join("themes.json")).unwrap();
    assert!(!all_quotes.contains("07700 900123"));
}

#[test]
fn malformed_files_are_errors_that_name_the_line() {
    let dir = out_dir("malformed");
    std::fs::create_dir_all(&dir).unwrap();
    let jsonl = dir.join("bad.jsonl");
    std::fs::write(
        &jsonl,
        "{\"id\": 1, \"text\": \"fine\"}\n{\"id\": 2, \"text\": \"fine\"}\n{\"id\": 3, \"text\": \n",
    )
    .unwrap();
    let result =
        analyse(&[jsonl.to_str().unwrap(), "--mode", "lexical", "--out", dir.join("o").to_str().unwrap()]);
    assert!(!result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("bad.jsonl line 3"), "{stderr}");
    assert!(!dir.join("o").join("themes.json").exists(), "nothing is written on error");
    let csv = dir.join("bad.csv");
    std::fs::write(&csv, "id,text\n1,fine\n2,\"unterminated, too, many\",x\n").unwrap();
    let result =
        analyse(&[csv.to_str().unwrap(), "--mode", "lexical", "--out", dir.join("o").to_str().unwrap()]);
    assert!(!result.status.success());
    assert!(String::from_utf8_lossy(&result.stderr).contains("line 3"));
}

#[test]
fn template_letters_are_one_campaign_counted_in_full() {
    let dir = out_dir("campaign");
    std::fs::create_dir_all(&dir).unwrap();
    let mut lines = Vec::new();
    let template = "I object to the closure of the Hillside police station. Our community needs officers it can reach quickly, and the next station is three miles away.";
    let names = ["Ann", "Bob", "Cat", "Dev", "Eve", "Fay", "Gus", "Hal", "Ivy", "Jo"];
    for (i, name) in names.iter().enumerate() {
        lines.push(serde_json::json!({"id": format!("t{i}"), "text": format!("Dear Mayor, {template} Yours, {name}")}));
    }
    let varied = [
        "Better lighting in Victoria Park would make the paths feel safer after dark.",
        "I want to see more officers on foot around the high street in the evenings.",
        "Youth clubs have closed and teenagers have nowhere to go at night.",
        "Phone snatching by people on e-bikes is my main worry walking home.",
        "The CCTV on our estate has been broken for months and nobody fixes it.",
        "Reporting a crime online felt pointless because nobody followed it up.",
    ];
    for (i, v) in varied.iter().enumerate() {
        lines.push(serde_json::json!({"id": format!("v{i}"), "text": v}));
    }
    let input = dir.join("letters.jsonl");
    std::fs::write(&input, lines.iter().map(|l| l.to_string() + "\n").collect::<String>()).unwrap();
    let out = dir.join("out");
    let result = analyse(&[input.to_str().unwrap(), "--mode", "lexical", "--out", out.to_str().unwrap()]);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let campaigns = read_json(&out.join("campaigns.json"));
    let groups = campaigns["campaigns"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{campaigns}");
    assert_eq!(groups[0]["size"], 10);
    assert!(groups[0]["template"].as_str().unwrap().contains("Hillside police station"));
    let mapping = read_jsonl(&out.join("mapping.jsonl"));
    assert_eq!(mapping.iter().filter(|m| m["campaign"] == "C1").count(), 10);
}

#[test]
fn framework_mode_maps_to_the_given_themes_with_the_model() {
    let model = model_dir();
    let out = out_dir("framework");
    let input = gambling().join("inputs/question_part_2");
    let framework = gambling().join("outputs/mapping/2025-07-22/question_part_2/themes.json");
    let result = analyse(&[
        input.to_str().unwrap(),
        "--framework",
        framework.to_str().unwrap(),
        "--model-dir",
        &model,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let run = read_json(&out.join("run.json"));
    assert_eq!(run["mode"], "accurate");
    assert!(run["model"].as_str().unwrap().contains("all-MiniLM-L6-v2"));
    let ids: Vec<String> = read_json(&framework)
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["topic_id"].as_str().unwrap().to_string())
        .collect();
    for m in read_jsonl(&out.join("mapping.jsonl")) {
        for l in m["labels"].as_array().unwrap() {
            assert!(ids.contains(&l.as_str().unwrap().to_string()), "label {l} is not in the framework");
        }
    }
}

/// Planted-theme F1 of `heard analyse` on `heard synth responses`, as `cargo xtask bench
/// analysis` scores it: found themes matched one-to-one to planted ones, sample-averaged F1.
fn planted_theme_f1(corpus: &Path, out: &Path) -> (f64, usize) {
    use heard_analysis::eval::{match_themes, sample_f1};
    use std::collections::{HashMap, HashSet};
    let strings = |v: &Value| -> Vec<String> {
        v.as_array().into_iter().flatten().filter_map(|x| x.as_str().map(str::to_owned)).collect()
    };
    let sidecar = read_json(&corpus.with_extension("planted.json"));
    let planted: HashMap<String, Vec<String>> = sidecar["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["response_id"].as_str().unwrap().to_owned(), strings(&r["themes"])))
        .collect();
    let discovered: HashSet<String> = read_json(&out.join("themes.json"))
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "discovered")
        .map(|t| t["topic_id"].as_str().unwrap().to_owned())
        .collect();
    let found: HashMap<String, Vec<String>> = read_jsonl(&out.join("mapping.jsonl"))
        .iter()
        .map(|m| {
            let labels = strings(&m["labels"]).into_iter().filter(|l| discovered.contains(l)).collect();
            (m["response_id"].as_str().unwrap().to_owned(), labels)
        })
        .collect();
    let matched = match_themes(&found, &planted);
    let relabelled: HashMap<String, Vec<String>> = found
        .iter()
        .map(|(id, labels)| (id.clone(), labels.iter().filter_map(|l| matched.get(l).cloned()).collect()))
        .collect();
    (f64::from(sample_f1(&relabelled, &planted)), discovered.len())
}

/// Issue 19: leaving greetings out of the points made fast mode find 40 themes on the bench's
/// corpus (planted F1 0.40, from 0.60) and nothing noticed, since the gambling set runs in accurate
/// mode. Every mode is held to a floor on the same corpus the bench uses (100,000 responses, seed
/// 1; accurate mode on its first 1,000), a little below what each measured after the fix.
#[test]
fn discovery_finds_the_planted_themes_in_every_mode() {
    let model = model_dir();
    let dir = out_dir("planted");
    std::fs::create_dir_all(&dir).unwrap();
    let corpus = dir.join("corpus.jsonl");
    let sample = dir.join("sample.jsonl");
    for (path, count) in [(&corpus, "100000"), (&sample, "1000")] {
        let made = crate::run(&[
            "synth",
            "responses",
            "--count",
            count,
            "--seed",
            "1",
            "--out",
            path.to_str().unwrap(),
        ]);
        assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    }
    let question = read_json(&corpus.with_extension("planted.json"))["question"].as_str().unwrap().to_owned();
    for (mode, input, floor) in
        [("fast", &corpus, 0.60), ("lexical", &corpus, 0.37), ("accurate", &sample, 0.55)]
    {
        let out = dir.join(mode);
        let ran = analyse(&[
            input.to_str().unwrap(),
            "--mode",
            mode,
            "--quiet",
            "--question",
            &question,
            "--model-dir",
            &model,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(ran.status.success(), "{mode}: {}", String::from_utf8_lossy(&ran.stderr));
        assert_eq!(read_json(&out.join("run.json"))["mode"], mode, "{mode} mode did not run as asked");
        let (f1, themes) = planted_theme_f1(input, &out);
        assert!(
            f1 >= floor,
            "{mode} mode: planted-theme F1 {f1:.3} with {themes} themes, below its floor {floor}"
        );
        assert!(themes <= 30, "{mode} mode found {themes} themes for 8 planted ones");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The figures on the gambling set, kept from slipping. They are below the targets (map
/// F1 0.75, discover F1 0.50); the closing note of the engine issue says where they stand.
#[test]
fn eval_on_the_gambling_set_holds_its_measured_quality() {
    for (mode, floors) in
        [("accurate", [0.56, 0.35, 0.84]), ("fast", [0.52, 0.34, 0.84]), ("lexical", [0.40, 0.22, 0.80])]
    {
        eval_holds_floors("themefinder", &gambling(), 2, mode, floors);
    }
}

/// Runs `heard eval LAYOUT DIR --json --mode MODE`, checks it ran in that mode over `sets` gold
/// sets, and holds its mean map F1, discover F1 and stance to their floors.
fn eval_holds_floors(layout: &str, dir: &Path, sets: usize, mode: &str, [map, discover, stance]: [f64; 3]) {
    let model = model_dir();
    let result = heard()
        .args(["eval", layout, dir.to_str().unwrap(), "--json", "--mode", mode, "--model-dir", &model])
        .output()
        .unwrap();
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let report: Value = serde_json::from_slice(&result.stdout).unwrap();
    assert_eq!(report["mode"], mode, "{report}");
    assert_eq!(report["questions"].as_array().unwrap().len(), sets);
    let figure = |name: &str| report["mean"][name].as_f64().unwrap();
    assert!(figure("map_f1") >= map, "{layout} {mode} map F1 {}", figure("map_f1"));
    assert!(figure("discover_f1") >= discover, "{layout} {mode} discover F1 {}", figure("discover_f1"));
    assert!(figure("stance_accuracy") >= stance, "{layout} {mode} stance {}", figure("stance_accuracy"));
}

fn argkp() -> PathBuf {
    crate::manifest_dir().join("../../../shared/data/argkp")
}

/// ArgKP's dev motions, which nothing in the engine was tuned or trained on: real arguments for
/// and against a motion. Stance there was 0.30 with cue words alone; the trained head lifts it.
/// heard's adapter lifted accurate mode's map F1 from 0.383 to 0.432 and discover F1 from 0.354 to
/// 0.416; the floors hold that.
#[test]
fn eval_on_argkp_dev_holds_its_measured_quality() {
    for (mode, floors) in
        [("accurate", [0.41, 0.39, 0.67]), ("fast", [0.37, 0.35, 0.58]), ("lexical", [0.28, 0.22, 0.35])]
    {
        eval_holds_floors("argkp", &argkp(), 4, mode, floors);
    }
}

/// `heard model train` makes the committed stance and safeguarding heads again from the packaged
/// model and the training data kept in the repository (to float rounding: another CPU's kernels may differ in
/// the last digits of a vector).
#[test]
fn model_train_remakes_the_committed_heads() {
    let model = model_dir();
    let out = out_dir("heads");
    let root = crate::manifest_dir().join("../..");
    let data = root.join("crates/heard-analysis/data/argkp/arguments_train.csv");
    let made = crate::run(&[
        "model",
        "train",
        "--model-dir",
        &model,
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    for mode in ["accurate", "fast"] {
        let name = format!("stance-{mode}.json");
        let fresh = read_json(&out.join(&name));
        let committed = read_json(&root.join("crates/heard-analysis/heads").join(&name));
        assert_eq!(fresh["model_sha256"], committed["model_sha256"], "{name} is for other weights");
        assert_eq!(fresh["examples"], committed["examples"]);
        let weights = |v: &Value| -> Vec<f64> {
            v["weights"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
        };
        let (a, b) = (weights(&fresh), weights(&committed));
        assert_eq!(a.len(), b.len());
        let largest = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
        assert!(largest < 1e-3, "{name}: a weight differs by {largest}");
    }
    // The safeguarding heads: each flag's weights and the threshold cross-validation chose.
    let name = "safeguarding-accurate.json";
    let fresh = read_json(&out.join(name));
    let committed = read_json(&root.join("crates/heard-analysis/heads").join(name));
    for flag in ["risk"] {
        let (f, c) = (&fresh[flag], &committed[flag]);
        assert_eq!(f["head"]["model_sha256"], c["head"]["model_sha256"], "{name} is for other weights");
        assert_eq!(f["head"]["examples"], c["head"]["examples"]);
        let numbers = |v: &Value| -> Vec<f64> {
            let mut out: Vec<f64> = v["head"]["weights"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
            out.push(v["head"]["bias"].as_f64().unwrap());
            out.push(v["threshold"].as_f64().unwrap());
            out
        };
        let (a, b) = (numbers(f), numbers(c));
        assert_eq!(a.len(), b.len());
        let largest = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
        assert!(largest < 1e-2, "{name} {flag}: a number differs by {largest}");
    }
    let bad = crate::run(&[
        "model",
        "train",
        "--model-dir",
        &model,
        "--data",
        "/nonexistent.csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("/nonexistent.csv"));
    let _ = std::fs::remove_dir_all(&out);
}
