//! The register of responses from every channel, the count of respondents, and the bulk import.

use heard_store::response_import::{check_import, parse_response_csv};
use heard_store::*;

use crate::{day, police_plan};

crate::on_both_databases!(
    areas_are_the_operators_list_in_accounts_and_imports,
    people_who_responded_in_several_channels_count_once,
    the_register_lists_every_channel_newest_first_with_filters,
    an_import_is_written_whole,
    a_consultation_is_a_draft_until_published,
    a_nul_character_is_refused_by_name_on_both_databases,
);

fn letter(consultation_id: i64, email: Option<&str>, text: &str) -> NewResponse {
    NewResponse {
        consultation_id,
        channel: ResponseChannel::Post,
        source: ResponseSource::Staff,
        received_on: day("2025-01-10"),
        respondent_type: RespondentType::Individual,
        organisation: String::new(),
        borough: "Hackney".into(),
        user_id: None,
        email: email.map(str::to_owned),
        entered_by: None,
        texts: vec![ResponseText { question: String::new(), text: text.into() }],
        attachment: None,
    }
}

async fn people_who_responded_in_several_channels_count_once(store: Store) {
    let (discussion, _, _) = crate::discussion_with_comments(&store, 0).await;
    let consultation = store.consultation_by_slug("police-plan").await.unwrap().unwrap().summary.id;
    assert_eq!(store.respondent_count(consultation).await.unwrap(), 0);
    // Ada has an account, comments twice and also writes a letter from her address (in capitals).
    let ada = store
        .create_account(&NewAccount {
            display_name: "Ada".into(),
            email: "ada@example.org".into(),
            password_hash: "$argon2id$stand-in".into(),
            role: Role::Resident,
            borough: Some("Camden".into()),
            demographics: Demographics::default(),
            created_at: Timestamp(1_735_000_000),
            email_confirmed: true,
            special_category_consent: false,
        })
        .await
        .unwrap();
    for body in ["More lighting", "And more patrols"] {
        let comment = NewComment {
            discussion_id: discussion,
            parent_id: None,
            author_id: ada,
            body: body.into(),
            posted_at: Timestamp(1_735_000_000),
            source: CommentSource::Web,
            flags: vec![],
        };
        store.add_comment(&comment).await.unwrap();
    }
    // A host's reply is staff speaking, not a response.
    let host = store.create_user("Alex (host)", Role::Host, false).await.unwrap();
    let reply = NewComment {
        discussion_id: discussion,
        parent_id: None,
        author_id: host,
        body: "Thank you".into(),
        posted_at: Timestamp(1_735_000_100),
        source: CommentSource::Web,
        flags: vec![],
    };
    store.add_comment(&reply).await.unwrap();
    store.record_responses(&[letter(consultation, Some("ADA@example.org"), "Dear sir")]).await.unwrap();
    // Ben writes twice by email from the same address; two letters without an address are two people.
    let mut email = letter(consultation, Some("ben@example.org"), "First thoughts");
    email.channel = ResponseChannel::Email;
    let mut again = email.clone();
    again.texts[0].text = "Second thoughts".into();
    let organisation = NewResponse {
        respondent_type: RespondentType::Organisation,
        organisation: "Hackney Residents' Association".into(),
        ..letter(consultation, None, "Our members say")
    };
    store.record_responses(&[email, again, letter(consultation, None, "A"), organisation]).await.unwrap();
    assert_eq!(store.respondent_count(consultation).await.unwrap(), 4, "Ada, Ben, a letter, an organisation");
    let breakdown = store.register_breakdown(consultation).await.unwrap();
    assert_eq!(breakdown.total, Tally { responses: 7, respondents: 4 });
    assert_eq!(
        breakdown.by_channel,
        vec![
            (ResponseChannel::Online, Tally { responses: 2, respondents: 1 }),
            (ResponseChannel::Email, Tally { responses: 2, respondents: 1 }),
            (ResponseChannel::Post, Tally { responses: 3, respondents: 3 }),
        ]
    );
    assert_eq!(
        breakdown.by_respondent_type,
        vec![
            (RespondentType::Individual, Tally { responses: 6, respondents: 3 }),
            (RespondentType::Organisation, Tally { responses: 1, respondents: 1 }),
        ]
    );
    // Ada's comments are in her account's borough, her letter in the one she wrote from.
    assert_eq!(
        breakdown.by_borough,
        vec![
            ("Hackney".to_string(), Tally { responses: 5, respondents: 4 }),
            ("Camden".to_string(), Tally { responses: 2, respondents: 1 }),
        ]
    );
    assert_eq!(breakdown.synthetic, 0);
}

async fn the_register_lists_every_channel_newest_first_with_filters(store: Store) {
    let (_, _, comments) = crate::discussion_with_comments(&store, 2).await;
    let consultation = store.consultation_by_slug("police-plan").await.unwrap().unwrap().summary.id;
    let mut scanned = letter(consultation, None, "Line one\nLine two");
    scanned.received_on = day("2025-02-01");
    scanned.attachment = Some(NewAttachment {
        file_name: "letter.pdf".into(),
        media_type: "application/pdf".into(),
        content: b"%PDF-1.4 x".to_vec(),
    });
    let mut by_question = letter(consultation, None, "");
    by_question.channel = ResponseChannel::Event;
    by_question.received_on = day("2025-01-20");
    by_question.texts = vec![
        ResponseText { question: "What matters most?".into(), text: "Knife crime".into() },
        ResponseText { question: "Anything else?".into(), text: "Youth clubs".into() },
    ];
    store.record_responses(&[scanned, by_question]).await.unwrap();

    let all = store.register(consultation, RegisterFilter::default(), 1, 10).await.unwrap();
    assert_eq!(all.total, 4);
    let keys: Vec<&str> = all.entries.iter().map(|e| e.key.as_str()).collect();
    // The letter of 1 February, the event of 20 January, then the comments of December, newest first.
    assert_eq!(keys[..2], ["r1", "r2"]);
    assert_eq!(all.entries[0].texts[0].text, "Line one\nLine two", "multi-line text kept");
    let file = all.entries[0].attachment.clone().expect("the letter's scan is listed");
    assert_eq!(file.file_name, "letter.pdf");
    let (_, content) = store.attachment(consultation, file.id).await.unwrap().unwrap();
    assert_eq!(content, b"%PDF-1.4 x");
    assert!(
        store.attachment(consultation + 1, file.id).await.unwrap().is_none(),
        "only through its consultation"
    );
    assert_eq!(all.entries[1].texts.len(), 2);
    assert_eq!(all.entries[1].texts[1].question, "Anything else?");
    let comment_keys: Vec<String> = comments.iter().rev().map(|id| format!("c{id}")).collect();
    assert_eq!(keys[2..], comment_keys.iter().map(String::as_str).collect::<Vec<_>>()[..]);
    assert_eq!(all.entries[2].channel, ResponseChannel::Online);
    assert_eq!(all.entries[2].texts[0].question, "Safety", "a comment's question is its discussion");

    let events = RegisterFilter { channel: Some(ResponseChannel::Event), respondent_type: None };
    let page = store.register(consultation, events, 1, 10).await.unwrap();
    assert_eq!((page.total, page.entries.len()), (1, 1));
    let online = RegisterFilter { channel: Some(ResponseChannel::Online), respondent_type: None };
    assert_eq!(store.register(consultation, online, 1, 10).await.unwrap().total, 2);
    let organisations = RegisterFilter { channel: None, respondent_type: Some(RespondentType::Organisation) };
    assert_eq!(store.register(consultation, organisations, 1, 10).await.unwrap().total, 0);
    let second = store.register(consultation, RegisterFilter::default(), 2, 3).await.unwrap();
    assert_eq!(second.entries.len(), 1, "paging");
    assert_eq!(store.register_all(consultation).await.unwrap().len(), 4);
}

async fn an_import_is_written_whole(store: Store) {
    let consultation = store.create_consultation(&police_plan("police-plan")).await.unwrap();
    let (opens, closes) = (day("2024-12-18"), day("2025-02-12"));
    let good = "channel,received,respondent_type,organisation,borough,text,question\n\
                email,2025-01-02,individual,,hackney,\"Two\nlines\",Safety\n\
                post,2025-02-12,organisation,Age UK Camden,,Letter,\n";
    let rows = parse_response_csv(good.as_bytes(), &Areas::london()).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].borough, "Hackney", "boroughs are spelt as the site spells them");
    assert_eq!(rows[0].text, "Two\nlines");
    assert_eq!(rows[1].row, 3, "a quoted text over two lines is one row");
    // Entered weeks after closing, an email and a letter received by the closing day both count;
    // an email received the day after closing does not, and the problem says why.
    let after = day("2025-03-01");
    assert!(check_import(&rows, opens, closes, after).is_empty(), "received in time, entered late");
    let late = "channel,received,respondent_type,organisation,borough,text
                email,2025-02-13,individual,,,Too late
";
    let late = parse_response_csv(late.as_bytes(), &Areas::london()).unwrap();
    let problems: Vec<String> =
        check_import(&late, opens, closes, after).iter().map(|p| p.to_string()).collect();
    assert_eq!(
        problems,
        ["row 2: received: 13 February 2025 is after the consultation closed on 12 February 2025"]
    );
    assert!(check_import(&rows, opens, closes, day("2025-02-12")).is_empty());
    assert_eq!(store.import_responses(consultation, &rows, None).await.unwrap(), 2);
    assert_eq!(store.respondent_count(consultation).await.unwrap(), 2);

    let bad = "channel,received,respondent_type,organisation,borough,text\n\
               fax,2025-01-02,individual,,,Hello\n\
               email,02/01/2025,organisation,,Gotham,\n";
    let problems: Vec<String> = parse_response_csv(bad.as_bytes(), &Areas::london())
        .unwrap_err()
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(
        problems,
        [
            "row 2: channel: \"fax\" is not one of online, email, post, event, phone",
            "row 3: received: \"02/01/2025\" is not a date in the form YYYY-MM-DD",
            "row 3: organisation: an organisation's response needs the organisation's name",
            "row 3: borough: \"Gotham\" is not a London borough here (leave it empty when not known)",
            "row 3: text: is empty",
        ]
    );
    let missing = parse_response_csv(b"channel,text,colour\nemail,hi,red\n", &Areas::london()).unwrap_err();
    assert_eq!(
        missing[0].to_string(),
        "row 1: colour: unknown column; the columns are channel, received, respondent_type, organisation, borough, text and optionally question, email"
    );
    assert!(missing.iter().any(|p| p.to_string() == "row 1: received: this column is missing"));
    let invalid = parse_response_csv(b"channel,received,respondent_type,organisation,borough,text\nemail,2025-01-02,individual,,,caf\xe9\n", &Areas::london()).unwrap_err();
    assert_eq!(invalid[0].to_string(), "row 2: text: is not valid UTF-8 text (save the file as CSV UTF-8)");
    assert_eq!(parse_response_csv(b"", &Areas::london()).unwrap_err()[0].row, 1);
    assert_eq!(store.respondent_count(consultation).await.unwrap(), 2, "nothing written by refused files");
}

async fn a_consultation_is_a_draft_until_published(store: Store) {
    store.create_consultation(&police_plan("police-plan")).await.unwrap();
    let summary = store.consultation_by_slug("police-plan").await.unwrap().unwrap().summary;
    assert!(summary.published, "create_consultation publishes");
    assert_eq!(summary.stage(day("2024-12-01")), Stage::Scheduled);
    assert_eq!(summary.stage(day("2025-01-01")), Stage::Open);
    assert_eq!(summary.stage(day("2025-03-01")), Stage::Closed);
    assert_eq!(Stage::of(true, true, Status::Closed), Stage::ResultsPublished);
    assert_eq!(Stage::of(false, false, Status::Open), Stage::Draft);
}

/// PostgreSQL cannot store U+0000 in text and SQLite can: the store refuses it on both, naming what
/// held it, and the import names the row and column before anything is written.
async fn a_nul_character_is_refused_by_name_on_both_databases(store: Store) {
    let (discussion, author, _) = crate::discussion_with_comments(&store, 0).await;
    let consultation = store.consultation_by_slug("police-plan").await.unwrap().unwrap().summary.id;
    let comment = NewComment {
        discussion_id: discussion,
        parent_id: None,
        author_id: author,
        body: "Pasted\0 from a PDF".into(),
        posted_at: Timestamp(1_735_000_000),
        source: CommentSource::Web,
        flags: vec![],
    };
    let refused = store.add_comment(&comment).await.unwrap_err().to_string();
    assert!(refused.starts_with("The comment contains a NUL character (U+0000"), "{refused}");
    assert!(store.add_held_comment(&comment).await.is_err());
    let id = store.add_comment(&NewComment { body: "Pasted from a PDF".into(), ..comment }).await.unwrap();
    let edit = store.edit_comment(id, "Edited\0", &[], Timestamp(1_735_000_100)).await.unwrap_err();
    assert!(matches!(edit, StoreError::Invalid(_)), "{edit}");
    assert_eq!(store.comment(id).await.unwrap().unwrap().body, "Pasted from a PDF");

    let letters = [letter(consultation, None, "Fine"), letter(consultation, None, "Dear\0 Sir")];
    let refused = store.record_responses(&letters).await.unwrap_err().to_string();
    assert!(refused.starts_with("The response's text contains a NUL character"), "{refused}");
    assert!(
        store.register_all(consultation).await.unwrap().iter().all(|e| e.channel != ResponseChannel::Post),
        "all or none"
    );

    let file = "channel,received,respondent_type,organisation,borough,text\n\
                email,2025-01-02,individual,,,Fine\n\
                post,2025-01-03,organisation,Age\0 UK,,Dear\0 Sir\n";
    let problems: Vec<String> =
        parse_response_csv(file.as_bytes(), store.areas()).unwrap_err().iter().map(|p| p.to_string()).collect();
    assert_eq!(
        problems,
        [
            "row 3: organisation: contains a NUL character (U+0000, an invisible control character): remove it and import the file again",
            "row 3: text: contains a NUL character (U+0000, an invisible control character): remove it and import the file again",
        ]
    );
    // A letter has a size limit, as a comment has.
    let long = "x".repeat(response_import::MAX_RESPONSE_TEXT_CHARS + 1);
    let file = format!(
        "channel,received,respondent_type,organisation,borough,text\npost,2025-01-03,individual,,,{long}\n"
    );
    let problems = parse_response_csv(file.as_bytes(), store.areas()).unwrap_err();
    assert_eq!(
        problems[0].to_string(),
        "row 2: text: is 100001 characters long; the most a response may have is 100000"
    );
}

/// The operator's list of areas: read from its file (comments skipped, a name twice refused by its
/// line), matched in any case in an import, and nothing else taken, by row; an install with none
/// takes no area at all.
async fn areas_are_the_operators_list_in_accounts_and_imports(store: Store) {
    let err = Areas::parse("Riverside\n# the east\nriverside\n", "ward").unwrap_err();
    assert_eq!(err.to_string(), "line 3: \"riverside\" is already listed as \"Riverside\"");
    let wards = Areas::parse("\u{feff}Riverside\n\n# the east\nOld Town\n", "ward").unwrap();
    assert_eq!(wards.names(), ["Riverside", "Old Town"]);
    assert_eq!((wards.noun(), wards.label()), ("ward", "Ward".to_owned()));
    assert_eq!(wards.find(" old town "), Some("Old Town"));
    let store = store.with_areas(wards.clone());

    let csv = "channel,received,respondent_type,organisation,borough,text\n\
               post,2025-01-10,individual,,old TOWN,More bins.\n\
               post,2025-01-11,individual,,Camden,More trees.\n\
               post,2025-01-12,individual,,,No area given.\n";
    let problems: Vec<String> = parse_response_csv(csv.as_bytes(), store.areas())
        .unwrap_err()
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(problems, ["row 3: borough: \"Camden\" is not a ward here (leave it empty when not known)"]);
    let fixed = csv.replace("Camden", "Riverside");
    let rows = parse_response_csv(fixed.as_bytes(), store.areas()).unwrap();
    let boroughs: Vec<&str> = rows.iter().map(|r| r.borough.as_str()).collect();
    assert_eq!(boroughs, ["Old Town", "Riverside", ""], "spelt as the list spells them");

    let resident = |borough: &str| NewAccount {
        display_name: "Rita".into(),
        email: "rita@example.org".into(),
        password_hash: "$argon2id$stand-in".into(),
        role: Role::Resident,
        borough: Some(borough.into()),
        demographics: Demographics::default(),
        created_at: Timestamp(1_735_000_000),
        email_confirmed: true,
        special_category_consent: false,
    };
    let err = store.create_account(&resident("Hackney")).await.unwrap_err();
    assert!(err.to_string().contains("\"Hackney\" is not a ward here"), "{err}");
    store.create_account(&resident("Old Town")).await.unwrap();

    // An install without areas takes none.
    let none = store.clone().with_areas(Areas::none());
    let problems = parse_response_csv(csv.as_bytes(), none.areas()).unwrap_err();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].to_string().contains("this site lists no areas, so leave the column empty"));
}
