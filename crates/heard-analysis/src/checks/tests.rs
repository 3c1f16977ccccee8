//! Tables of sentences and what the checks must find in them.

use super::FindingKind::*;
use super::*;

/// The findings in `text` as (kind, text) pairs, checking on the way that offsets and text agree.
fn found(text: &str) -> Vec<(FindingKind, String)> {
    let checks = check(text);
    checks
        .findings
        .iter()
        .map(|f| {
            assert_eq!(&text[f.start..f.end], f.text, "offsets of {f:?} in {text:?}");
            (f.kind, f.text.clone())
        })
        .collect()
}

fn expect_findings(cases: &[(&str, &[(FindingKind, &str)])]) {
    let mut failures = Vec::new();
    for (text, expected) in cases {
        let expected: Vec<(FindingKind, String)> =
            expected.iter().map(|(k, t)| (*k, (*t).to_owned())).collect();
        let got = found(text);
        if got != expected {
            failures.push(format!("{text:?}\n    expected {expected:?}\n    got      {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn expect_flags(cases: &[(&str, &[Flag])]) {
    let mut failures = Vec::new();
    for (text, expected) in cases {
        let got = check(text).flags;
        if got != *expected {
            failures.push(format!("{text:?}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn finds_each_kind_of_personal_data() {
    expect_findings(&[
        ("Email me at alex.smith+consult@example.co.uk.", &[(Email, "alex.smith+consult@example.co.uk")]),
        ("Ring 07700 900123 after six", &[(Phone, "07700 900123")]),
        ("Call (020) 7946 0958 or 020-7946-0958", &[(Phone, "(020) 7946 0958"), (Phone, "020-7946-0958")]),
        (
            "mobile +44 7700 900123, office +44 (0)161 496 0000",
            &[(Phone, "+44 7700 900123"), (Phone, "+44 (0)161 496 0000")],
        ),
        ("my number (07700 900123) is private", &[(Phone, "07700 900123")]),
        ("0300 123 4567 and 01632 960001", &[(Phone, "0300 123 4567"), (Phone, "01632 960001")]),
        (
            "I'm in SW1A 1AA, she's in e17 4qp and he's at N1 9GU",
            &[(Postcode, "SW1A 1AA"), (Postcode, "e17 4qp"), (Postcode, "N1 9GU")],
        ),
        ("postcode E174QP", &[(Postcode, "E174QP")]),
        ("I live at 42 Acacia Avenue, London", &[(Address, "42 Acacia Avenue")]),
        ("flat 3, 17 High Street is above the shop", &[(Address, "flat 3, 17 High Street")]),
        (
            "We are at 12-14 Mare Street and 1 St Mary's Road",
            &[(Address, "12-14 Mare Street"), (Address, "1 St Mary's Road")],
        ),
        ("I live at 3 Tower Hill", &[(Address, "3 Tower Hill")]),
        ("I live at 42 acacia avenue", &[(Address, "42 acacia avenue")]),
        ("Flat 2, Beech Court, 5 Long Road", &[(Address, "Flat 2, Beech Court, 5 Long Road")]),
        ("call 07700 900123/07700 900456", &[(Phone, "07700 900123"), (Phone, "07700 900456")]),
        (
            "The car was AB12 CDE, then a van ab51cde",
            &[(VehicleRegistration, "AB12 CDE"), (VehicleRegistration, "ab51cde")],
        ),
        ("NI number QQ 12 34 56 C", &[(NiNumber, "QQ 12 34 56 C")]),
        ("mine is AB123456C, his is JH 12 34 56", &[(NiNumber, "AB123456C"), (NiNumber, "JH 12 34 56")]),
        ("NHS number 943 476 5919, or 9434765919", &[(NhsNumber, "943 476 5919"), (NhsNumber, "9434765919")]),
        (
            "Mixed: 42 Acacia Avenue E17 4QP, a@b.org, 07700900123",
            &[
                (Address, "42 Acacia Avenue"),
                (Postcode, "E17 4QP"),
                (Email, "a@b.org"),
                (Phone, "07700900123"),
            ],
        ),
    ]);
}

#[test]
fn ordinary_figures_are_not_personal_data() {
    expect_findings(&[
        ("Call 999 in an emergency or 101 otherwise; 111 for the NHS.", &[]),
        ("The budget is £1.2bn for 2012/13, up 4.5% on 2011.", &[]),
        ("Congestion on the M25 and the A406 near E17 and SE1 is worse.", &[]),
        ("We need 24/7 policing; 1,622 people responded by 12 February 2025.", &[]),
        ("Meet at 07:30 on 01/02/2023 or 01.02.2023 or 01 02 2023 at 10am.", &[]),
        ("The project cost £1234567890 and reference 1234567890 failed its check.", &[]),
        ("NHS number 943 476 5918 has a wrong check digit.", &[]),
        ("Phone 0770 09 and 020 7946 09581 are not numbers.", &[]),
        ("Ring 0800 555 0100 or 0845 46 47 (not personal lines).", &[]),
        ("PM25 AND NO2 LEVELS ON THE A406 ARE TOO HIGH IN E17", &[]),
        ("There were 3 buses on the road and 5 people on the street.", &[]),
        ("Over 200 Oxford Street shops closed; the 38 Essex Road bus is late.", &[]),
        ("We had 3 Tower Hill meetings near Finsbury Park.", &[]),
        ("The M25 4th junction and the B2 3rd exit, at 5PM on the A1.", &[]),
        ("Since 2019 Oxford Street has changed; Zone 2 stations.", &[]),
        ("Knife crime in Tower Hamlets rose 12% in 2023-24, said the MOPAC report.", &[]),
        ("Contact @TalkLondon or visit london.gov.uk for 50 years of data", &[]),
        ("Phase 2 in NW1, SE15 and E1 is due in Q3 2025 at 9.30pm.", &[]),
        ("I rated it 10 out of 10 and 3 Stars; MP3 files; COVID19 was bad.", &[]),
        ("Croeso! Mae'r ymgynghoriad ar agor tan 12 Chwefror. 🙂🙂", &[]),
        ("", &[]),
    ]);
}

#[test]
fn nhs_number_checksum() {
    use super::personal::nhs_checksum_ok;
    assert!(nhs_checksum_ok(b"9434765919"));
    assert!(!nhs_checksum_ok(b"9434765918"), "last digit changed");
    assert!(!nhs_checksum_ok(b"9434765929"), "a middle digit changed");
    assert!(!nhs_checksum_ok(b"943476591"), "nine digits");
    // A remainder of 1 makes a check digit of 10, which no NHS number has.
    assert!(!nhs_checksum_ok(b"0000000010"));
    assert!(nhs_checksum_ok(b"4010232137"));
}

#[test]
fn overlapping_findings_keep_the_longer() {
    // The address's house number could start a phone-like run; the email holds a phone number.
    expect_findings(&[
        ("write to 07700900123@example.com", &[(Email, "07700900123@example.com")]),
        ("contact pat@e17.org today", &[(Email, "pat@e17.org")]),
    ]);
    let findings = vec![
        Finding { kind: Phone, start: 0, end: 11, text: "07700900123".into() },
        Finding { kind: NhsNumber, start: 1, end: 11, text: "7700900123".into() },
    ];
    assert_eq!(without_overlaps(findings).len(), 1);
}

#[test]
fn offsets_are_bytes_after_multibyte_text() {
    let text = "🙂 £5 café — email jo@example.org";
    let checks = check(text);
    assert_eq!(checks.findings.len(), 1);
    let f = &checks.findings[0];
    assert_eq!((f.start, f.end), (text.find("jo@").unwrap(), text.len()));
    assert_eq!(f.start, 25, "byte offset, not the character offset 18");
    assert_eq!(&text[f.start..f.end], "jo@example.org");
}

#[test]
fn redaction_names_each_kind() {
    let text =
        "Me: jo@example.org, 07700 900123, E17 4QP, 42 Acacia Avenue, AB12 CDE, QQ 12 34 56 C, 943 476 5919.";
    assert_eq!(
        check(text).redacted(text),
        "Me: [email removed], [phone number removed], [postcode removed], [address removed], \
         [vehicle registration removed], [National Insurance number removed], [NHS number removed]."
    );
    assert_eq!(redact("nothing here", &[]), "nothing here");
}

#[test]
fn redaction_skips_findings_it_cannot_trust() {
    let text = "a £ b";
    let bad = [
        Finding { kind: Email, start: 3, end: 4, text: String::new() }, // inside "£"
        Finding { kind: Email, start: 4, end: 99, text: String::new() }, // past the end
        Finding { kind: Phone, start: 0, end: 1, text: "a".into() },
        Finding { kind: Phone, start: 0, end: 3, text: "a £".into() }, // overlaps the one before
    ];
    assert_eq!(redact(text, &bad), "[phone number removed] £ b");
}

#[test]
fn serialises_with_snake_case_names() {
    let checks = check(
        "Reach me on ab12cde or QQ 12 34 56 C, I want to kill myself. Someone stole my bike this morning.",
    );
    let json = serde_json::to_value(&checks).unwrap();
    assert_eq!(json["findings"][0]["kind"], "vehicle_registration");
    assert_eq!(json["findings"][1]["kind"], "ni_number");
    assert_eq!(json["findings"][1]["text"], "QQ 12 34 56 C");
    assert_eq!(json["flags"], serde_json::json!(["safeguarding", "incident_report"]));
    let keys: Vec<&String> = json["findings"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 4);
}

#[test]
fn safeguarding_flags_disclosures() {
    use super::Flag::{IncidentReport as R, Safeguarding as S};
    expect_flags(&[
        ("I want to kill myself.", &[S]),
        ("Honestly I don't want to live any more", &[S]),
        ("I've been cutting myself again since the winter", &[S]),
        ("im thinking about ending my life", &[S]),
        ("Some days I just want to die", &[S]),
        ("I have been feeling really suicidal lately", &[S]),
        ("I self harm when it gets bad", &[S]),
        ("My partner hits me when he's been drinking", &[S]),
        ("He threatens me at home and takes my phone", &[S]),
        ("My husband won't let me see my friends", &[S]),
        ("I am being followed by a man I don't know", &[S, R]),
        ("I'm scared of my boyfriend", &[S]),
        ("I'm in an abusive relationship and can't leave", &[S]),
        ("I'm scared for my life", &[S]),
        ("There's someone following me right now, what do I do?", &[S, R]),
        ("my son keeps talking about killing himself", &[S]),
        // Threats are a crime as well as a risk.
        ("My ex keeps turning up at my door and threatening me", &[S, R]),
        ("I am 15 and my mum's boyfriend hurts me", &[S]),
        ("I took an overdose last month", &[S]),
        ("I just want it all to end", &[S]),
        ("Life isn't worth living anymore", &[S]),
        ("He said he will kill me if I tell anyone", &[S]),
        ("There is a man outside my house and I'm scared", &[S]),
        ("I don't feel safe at home with him", &[S]),
    ]);
}

#[test]
fn safeguarding_ignores_policy_talk() {
    expect_flags(&[
        ("Knife crime is rising and the violence against women and girls strategy is weak.", &[]),
        ("Domestic abuse services need funding.", &[]),
        ("I think suicide prevention should be a priority for young people.", &[]),
        ("I don't feel safe walking home at night in Hackney.", &[]),
        ("I don't want to live in a city where nobody helps.", &[]),
        ("There's no point living here if rents keep rising.", &[]),
        ("Crossing that road I take my life in my hands.", &[]),
        ("I fear for my life cycling round the Old Street roundabout.", &[]),
        ("Self-harm among teenagers has doubled, I read.", &[]),
        ("I hurt myself playing football in the park.", &[]),
        ("The council threatens us with higher charges every year.", &[]),
        ("I am in danger of losing my home to the redevelopment.", &[]),
        ("I'm worried for my life savings with these tax rises.", &[]),
        ("She hit me with the facts about funding cuts.", &[]),
        ("My brother beat me at chess.", &[]),
        ("I want to die on this hill: cycle lanes save lives.", &[]),
        ("My mum will kill me if she reads this, but the plan is rubbish.", &[]),
        ("London life isn't worth it any more for young families.", &[]),
    ]);
}

#[test]
fn incident_reports_are_flagged() {
    use super::Flag::IncidentReport as R;
    expect_flags(&[
        ("I want to report a burglary on my street", &[R]),
        ("I'd like to report my neighbour for selling drugs", &[R]),
        ("Last night someone broke into my car.", &[R]),
        ("I was mugged yesterday near the station", &[R]),
        ("Someone stole my bike this morning", &[R]),
        ("My neighbour is dealing drugs from his flat", &[R]),
        ("My front door was smashed in overnight", &[R]),
        ("I've just been robbed outside Tesco", &[R]),
        ("There are kids dealing outside my block every night", &[R]),
        ("I just saw two men steal a bike from the rack", &[R]),
        ("A man grabbed me on the tube this morning", &[R]),
        ("Kids on bikes keep stealing phones on our street", &[R]),
        ("There's a fight happening outside the pub right now", &[R]),
        ("Someone's just tried to snatch my bag on the high street", &[R]),
        ("How do I report a crime that happened to my mum?", &[R]),
        ("Someone keeps stealing parcels from our doorstep", &[R]),
    ]);
}

#[test]
fn incident_reports_ignore_policy_talk() {
    expect_flags(&[
        ("Knife crime is rising in my borough.", &[]),
        ("The police should report back to residents every quarter.", &[]),
        ("There are reports of anti-social behaviour in the park.", &[]),
        ("I was burgled in 2019 and the police never came.", &[]),
        ("We need the police to report crime figures by ward.", &[]),
        ("Today I want to talk about stolen bikes and e-scooters.", &[]),
        ("Yesterday I read that 300 phones were stolen on Oxford Street.", &[]),
        ("My neighbours are dealing with the council about the noise.", &[]),
        ("People are fighting for better youth services.", &[]),
        ("Thank you, I want to report that the event went well.", &[]),
        ("I have never been mugged but I know people who have.", &[]),
        ("Officers are dealing with too many mental health calls.", &[]),
        ("My son's friend was stabbed in 2022 and we still have no answers.", &[]),
    ]);
}

#[test]
fn both_flags_and_odd_input() {
    use super::Flag::{IncidentReport as R, Safeguarding as S};
    expect_flags(&[
        ("There's a man with a knife in my garden right now.", &[S, R]),
        ("My husband hit me again last night.", &[S, R]),
        ("", &[]),
        ("🙂🙂🙂", &[]),
        ("MAE'R HEDDLU YN DA. Diolch!", &[]),
    ]);
    let long = "The plan should fund youth services and more officers. ".repeat(4000);
    assert_eq!(check(&long), Checks::default());
}

/// The patterns' flags on the labelled set (`data/safeguarding/labelled.tsv`), each half on its
/// own: the dev half was read while the patterns were tuned, the held-out half only counted. The
/// dev half is held to recall 0.9 per kind and false alarms 0.1; the held-out half, where the
/// patterns alone fall well short of that (they miss most of the sentences written after them),
/// to floors just under what it measures, so that a change which loses ground fails. The target is
/// met with the model's reading beside the patterns: `tests/minilm.rs`,
/// `the_model_reads_risks_the_patterns_miss`.
#[test]
fn the_labelled_sentences_raise_their_flags() {
    let (dev, held_out) = labelled::score(|s| check(s).flags);
    println!("dev:      {}", dev.line());
    println!("held-out: {}", held_out.line());
    for miss in &dev.misses {
        println!("dev miss: {miss}");
    }
    let whole = labelled::Score {
        risk: dev.risk + held_out.risk,
        risk_found: dev.risk_found + held_out.risk_found,
        crime: dev.crime + held_out.crime,
        crime_found: dev.crime_found + held_out.crime_found,
        none: dev.none + held_out.none,
        false_alarms: dev.false_alarms + held_out.false_alarms,
        misses: Vec::new(),
    };
    println!("whole:    {}", whole.line());
    for (name, half) in [("dev", &dev), ("held-out", &held_out)] {
        assert!(half.risk >= 30 && half.crime >= 20 && half.none >= 30, "{name}: too few sentences");
    }
    assert!(dev.risk_recall() >= 0.9, "dev: {}", dev.line());
    assert!(dev.crime_recall() >= 0.9, "dev: {}", dev.line());
    assert!(dev.false_alarm_rate() <= 0.1, "dev: {}", dev.line());
    assert!(held_out.risk_recall() >= 0.7, "held-out: {}", held_out.line());
    assert!(held_out.crime_recall() >= 0.85, "held-out: {}", held_out.line());
    assert!(held_out.false_alarm_rate() <= 0.1, "held-out: {}", held_out.line());
}

#[test]
fn crimes_told_in_passing_and_risks_to_others_are_flagged() {
    use super::Flag::{IncidentReport as R, Safeguarding as S};
    expect_flags(&[
        ("A van has been going round our estate at night stealing catalytic converters", &[R]),
        ("a man selling drugs by the swings every night", &[R]),
        ("the little boy next door is left on his own all night", &[S]),
        ("her carer takes her pension every week", &[S]),
        ("older lads on our estate are paying my son to carry packages", &[S]),
    ]);
}
