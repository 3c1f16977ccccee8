//! `heard opinion-groups` on the three Polis conversations in `../shared/data/polis`, against the
//! opinion groups Polis itself computed (the `group-id` column of `participants-votes.csv`), and on
//! broken exports.
//!
//! Polis computes its groups incrementally as votes arrive, starting each update from the last
//! one's clusters; heard computes them once from all the votes. So the groups cannot be expected to
//! be identical, only close: the adjusted Rand index over the participants both group is held at
//! what was measured when this was written (rounded down), and the method follows Polis's published
//! one; nothing was tuned to these three conversations. (Polis also groups a few participants with
//! fewer than 7 votes, taken in while its conversation had fewer than 15 voters and kept since.)

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use heard_analysis::opinion::adjusted_rand_index;
use serde_json::Value;

use crate::{manifest_dir, run};

fn conversation(name: &str) -> PathBuf {
    manifest_dir().join("../../../shared/data/polis").join(name)
}

fn scratch(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("heard-opinion-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn groups_json(dir: &Path) -> Value {
    let out = run(&["opinion-groups", dir.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

/// participant id -> group id, from the command's JSON.
fn heard_groups(json: &Value) -> HashMap<String, usize> {
    let mut of = HashMap::new();
    for group in json["groups"].as_array().unwrap() {
        let id = group["id"].as_u64().unwrap() as usize;
        for p in group["participants"].as_array().unwrap() {
            assert!(of.insert(p.to_string(), id).is_none(), "participant {p} is in two groups");
        }
    }
    of
}

/// participant id -> Polis's group id, for the participants Polis grouped.
fn polis_groups(dir: &Path) -> HashMap<String, usize> {
    let mut reader = csv::Reader::from_path(dir.join("participants-votes.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (participant, group) = (column("participant"), column("group-id"));
    reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| !r[group].is_empty())
        .map(|r| (r[participant].to_owned(), r[group].parse().unwrap()))
        .collect()
}

/// The adjusted Rand index of heard's groups against Polis's, over the participants both group,
/// and how many those are.
fn agreement_with_polis(name: &str) -> (f64, usize, usize) {
    let dir = conversation(name);
    let ours = heard_groups(&groups_json(&dir));
    let polis = polis_groups(&dir);
    let pairs: Vec<(usize, usize)> =
        polis.iter().filter_map(|(p, &g)| ours.get(p).map(|&h| (g, h))).collect();
    (adjusted_rand_index(&pairs), pairs.len(), polis.len())
}

fn check_against_polis(name: &str, floor: f64) {
    let (ari, both, polis) = agreement_with_polis(name);
    eprintln!("{name}: adjusted Rand index {ari:.3} over {both} participants ({polis} grouped by Polis)");
    // Nearly everyone Polis grouped is grouped here too (the same vote threshold).
    assert!(both as f64 >= 0.9 * polis as f64, "{name}: only {both} of Polis's {polis} grouped");
    assert!(ari >= floor, "{name}: adjusted Rand index {ari:.3} is below its floor {floor}");
}

// Measured 1.000 (138 participants, the same two groups).
#[test]
fn opinion_groups_match_polis_on_15_per_hour_seattle() {
    check_against_polis("15-per-hour-seattle", 0.99);
}

// Measured 0.677 (189 participants): below the 0.80 aimed for. heard's silhouettes choose three
// groups (0.41 against 0.39 for two) where Polis kept two: Polis starts a conversation at two groups
// and changes k only once another k has won four updates in a row (its `group-k-buffer`), a history
// that one computation from the final votes does not have. Forced to two groups this set would
// score 0.876; that is not done, since it would fit the method to the set.
#[test]
fn opinion_groups_match_polis_on_brexit_consensus() {
    check_against_polis("brexit-consensus", 0.67);
}

// Measured 0.930 (281 participants).
#[test]
fn opinion_groups_match_polis_on_canadian_electoral_reform() {
    check_against_polis("canadian-electoral-reform", 0.92);
}

#[test]
fn opinion_groups_json_has_exactly_the_documented_shape() {
    let dir = conversation("brexit-consensus");
    let json = groups_json(&dir);
    let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["consensus", "divisive", "groups"]);
    let comment_ids = comment_ids(&dir);
    for (i, group) in json["groups"].as_array().unwrap().iter().enumerate() {
        let mut keys: Vec<&str> = group.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["id", "participants", "representative"]);
        assert_eq!(group["id"], i);
        // Ids are the export's: numbers, as Polis writes them.
        assert!(group["participants"].as_array().unwrap().iter().all(Value::is_u64));
        let representative = group["representative"].as_array().unwrap();
        assert!(!representative.is_empty() && representative.len() <= 5, "{group}");
        assert!(representative.iter().all(|c| comment_ids.contains_key(&c.to_string())));
    }
    for list in ["consensus", "divisive"] {
        assert!(json[list].as_array().unwrap().iter().all(|c| comment_ids.contains_key(&c.to_string())));
    }
}

/// comment id -> moderated, from comments.csv.
fn comment_ids(dir: &Path) -> HashMap<String, String> {
    let mut reader = csv::Reader::from_path(dir.join("comments.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id, moderated) = (column("comment-id"), column("moderated"));
    reader.records().map(|r| r.unwrap()).map(|r| (r[id].to_owned(), r[moderated].to_owned())).collect()
}

#[test]
fn opinion_groups_leave_out_statements_moderated_out() {
    let dir = conversation("canadian-electoral-reform");
    let moderated = comment_ids(&dir);
    let json = groups_json(&dir);
    let mut named: Vec<String> = Vec::new();
    for group in json["groups"].as_array().unwrap() {
        named.extend(group["representative"].as_array().unwrap().iter().map(Value::to_string));
    }
    named.extend(json["consensus"].as_array().unwrap().iter().map(Value::to_string));
    named.extend(json["divisive"].as_array().unwrap().iter().map(Value::to_string));
    assert!(moderated.values().any(|m| m == "-1"), "the set has statements moderated out");
    for id in named {
        assert_ne!(moderated[&id], "-1", "statement {id} was moderated out");
    }
}

#[test]
fn opinion_groups_read_participants_votes_when_there_is_no_votes_csv() {
    let full = conversation("15-per-hour-seattle");
    let dir = scratch("participants-votes");
    for file in ["comments.csv", "participants-votes.csv"] {
        std::fs::copy(full.join(file), dir.join(file)).unwrap();
    }
    // The matrix holds each voter's last vote, which is what votes.csv comes to: the same groups.
    assert_eq!(groups_json(&dir), groups_json(&full));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn opinion_groups_summary_names_the_groups_and_their_statements() {
    let dir = conversation("brexit-consensus");
    let out = run(&["opinion-groups", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("204 participants") && text.contains("Group A (") && text.contains("Group B ("),
        "{text}"
    );
    assert!(text.contains("Consensus") && text.contains("Divisive"), "{text}");
    // A statement's words, not only its id.
    assert!(text.contains("Brexit"), "{text}");
}

#[test]
fn opinion_groups_refuse_a_missing_folder_and_bad_rows_naming_the_file_and_line() {
    let missing = run(&["opinion-groups", "/nonexistent/polis-export"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/polis-export is not a folder"));

    let dir = scratch("bad");
    let empty = run(&["opinion-groups", dir.to_str().unwrap()]);
    assert!(!empty.status.success());
    assert!(String::from_utf8_lossy(&empty.stderr).contains("neither votes.csv nor participants-votes.csv"));

    let header = "timestamp,datetime,comment-id,voter-id,vote\n";
    let cases = [
        (format!("{header}1,x,0,0,1\n2,x,0,1,2\n"), "votes.csv line 3", "the vote is \"2\""),
        (format!("{header}1,x,0,0,1\n2,x,0\n"), "votes.csv line 3", "3 fields"),
        (format!("{header}1,x,0,0,1\nsoon,x,0,1,1\n"), "votes.csv line 3", "timestamp"),
        ("when,who,what\n1,2,3\n".to_owned(), "votes.csv line 1", "\"comment-id\""),
    ];
    for (votes, place, what) in cases {
        std::fs::write(dir.join("votes.csv"), votes).unwrap();
        let out = run(&["opinion-groups", dir.to_str().unwrap(), "--json"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && out.stdout.is_empty());
        assert!(stderr.contains(place) && stderr.contains(what), "{stderr}");
    }
    std::fs::write(dir.join("votes.csv"), format!("{header}1,x,0,0,1\n")).unwrap();
    std::fs::write(dir.join("comments.csv"), "comment-id,moderated\n0,maybe\n").unwrap();
    let out = run(&["opinion-groups", dir.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("comments.csv line 2"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn opinion_groups_count_a_voters_last_vote_by_timestamp() {
    // Two camps of ten on eight statements; voter 0 first votes with camp B, then (later
    // timestamps, written earlier in the file) with camp A, their own.
    let dir = scratch("last-vote");
    let mut rows = vec!["timestamp,datetime,comment-id,voter-id,vote".to_owned()];
    for s in 0..8 {
        rows.push(format!("{},x,{s},0,{}", 2000 + s, if s % 2 == 0 { 1 } else { -1 }));
    }
    for p in 0..20 {
        for s in 0..8 {
            let camp_a = p < 10;
            let vote = if (s % 2 == 0) == camp_a { 1 } else { -1 };
            let vote = if p == 0 { -vote } else { vote };
            rows.push(format!("{},x,{s},{p},{vote}", 1000 + p * 10 + s));
        }
    }
    std::fs::write(dir.join("votes.csv"), rows.join("\n") + "\n").unwrap();
    let of = heard_groups(&groups_json(&dir));
    assert_eq!(of["0"], of["1"], "voter 0's later votes are camp A's");
    assert_ne!(of["0"], of["10"]);
    let _ = std::fs::remove_dir_all(&dir);
}
