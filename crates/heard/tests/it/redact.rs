//! `heard redact`: one text on standard input, the findings, flags and redacted text out.

use std::io::Write;
use std::process::{Output, Stdio};

use serde_json::json;

use crate::heard;

/// Runs `heard redact ARGS` with `input` on standard input.
fn redact(args: &[&str], input: &[u8]) -> Output {
    let mut child = heard()
        .arg("redact")
        .args(args)
        .env("HEARD_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start heard redact");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input).unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

fn json_of(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

#[test]
fn prints_findings_flags_and_redacted_text_as_json() {
    let text = "£5 🙂 Email jo@example.org or ring 07700 900123.\nLast night someone broke into my car on 42 Acacia Avenue.\n";
    let out = redact(&["--json"], text.as_bytes());
    let email = text.find("jo@").unwrap();
    let phone = text.find("07700").unwrap();
    let address = text.find("42 Acacia").unwrap();
    assert_eq!(
        json_of(&out),
        json!({
            "findings": [
                {"kind": "email", "start": email, "end": email + 14, "text": "jo@example.org"},
                {"kind": "phone", "start": phone, "end": phone + 12, "text": "07700 900123"},
                {"kind": "address", "start": address, "end": address + 16, "text": "42 Acacia Avenue"},
            ],
            "flags": ["incident_report"],
            "redacted": "£5 🙂 Email [email removed] or ring [phone number removed].\nLast night someone broke into my car on [address removed].\n",
        })
    );
}

#[test]
fn json_keys_come_in_the_documented_order() {
    let out = redact(&["--json"], b"I want to kill myself");
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout,
        "{\"findings\":[],\"flags\":[\"safeguarding\"],\"redacted\":\"I want to kill myself\"}\n"
    );
}

#[test]
fn empty_input_is_an_empty_report() {
    assert_eq!(json_of(&redact(&["--json"], b"")), json!({"findings": [], "flags": [], "redacted": ""}));
}

#[test]
fn the_summary_explains_findings_and_flags() {
    let out = redact(&[], "My partner hits me. Write to me at SW1A 1AA.".as_bytes());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("postcode") && stdout.contains("SW1A 1AA"), "{stdout}");
    assert!(stdout.contains("/support") && stdout.contains("moderators"), "{stdout}");
    assert!(stdout.contains("My partner hits me. Write to me at [postcode removed]."), "{stdout}");

    let out = redact(&[], b"Someone stole my bike this morning");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("999") && stdout.contains("101"), "{stdout}");
}

#[test]
fn refuses_input_that_is_not_utf8_naming_the_offset() {
    let out = redact(&["--json"], b"caf\xc3\xa9 \xff rest");
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "nothing printed on stdout");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not valid UTF-8") && stderr.contains("offset 6"), "{stderr}");
}
