//! Accounts, sessions, posting, agreeing, reporting and moderating, on both databases.

use heard_store::*;

use crate::discussion_with_comments;

crate::on_both_databases!(
    accounts_are_unique_by_email_whatever_its_case,
    sessions_last_until_they_expire_or_end,
    an_edit_keeps_the_words_it_replaced_and_a_deletion_keeps_the_thread,
    agreeing_counts_once_per_person_and_sorts_the_threads,
    a_reply_to_a_reply_joins_its_thread,
    enough_reports_hold_a_comment_until_a_moderator_decides,
    the_queue_lists_reported_flagged_and_hidden_comments_by_discussion,
    blocks_roles_and_pins_are_logged,
    a_password_reset_link_works_once_and_signs_out_everywhere,
    rate_limits_count_per_window_and_lockouts_back_off,
    a_person_can_take_their_data_and_delete_their_account,
    writers_at_the_same_time_all_succeed,
);

fn account(name: &str, email: &str) -> NewAccount {
    NewAccount {
        display_name: name.into(),
        email: email.into(),
        password_hash: "$argon2id$stand-in".into(),
        role: Role::Resident,
        borough: None,
        demographics: Demographics::default(),
        created_at: Timestamp(1_735_000_000),
        email_confirmed: true,
        special_category_consent: false,
    }
}

async fn accounts_are_unique_by_email_whatever_its_case(store: Store) {
    let mut alice = account("Alice", "Alice@Example.org");
    alice.borough = Some("Hackney".into());
    alice.demographics.age_band = Some("25-34".into());
    alice.demographics.gender = Some(PREFER_NOT_TO_SAY.into());
    let id = store.create_account(&alice).await.unwrap();
    let err = store.create_account(&account("Other Alice", " alice@example.ORG ")).await.unwrap_err();
    assert!(matches!(err, StoreError::EmailTaken), "{err}");
    let found = store.account_by_email("ALICE@example.org").await.unwrap().expect("found in any case");
    assert_eq!(found.user.id, id);
    assert_eq!(found.email, "Alice@Example.org", "the address is kept as typed");
    assert_eq!(found.borough.as_deref(), Some("Hackney"));
    assert_eq!(found.demographics.gender.as_deref(), Some(PREFER_NOT_TO_SAY));
    assert_eq!(found.demographics.ethnic_group, None);
    assert_eq!(found.user.role, Role::Resident);
    let credentials = store.credentials("alice@example.org").await.unwrap().unwrap();
    assert_eq!((credentials.user_id, credentials.password_hash.as_str()), (id, "$argon2id$stand-in"));
    assert!(store.credentials("nobody@example.org").await.unwrap().is_none());

    let mut bad = account("Bob", "bob@example.org");
    bad.borough = Some("Gotham".into());
    let err = store.create_account(&bad).await.unwrap_err();
    assert!(err.to_string().contains("\"Gotham\" is not a London borough"), "{err}");
    for (name, email, expected) in [
        ("  ", "bob@example.org", "a display name cannot be empty"),
        ("Bob", "bob at example", "is not an email address"),
        (&"x".repeat(51), "bob@example.org", "at most 50 characters"),
    ] {
        let err = store.create_account(&account(name, email)).await.unwrap_err();
        assert!(err.to_string().contains(expected), "{err}");
    }
    assert_eq!(store.accounts(10).await.unwrap().len(), 1, "nothing half-written by the refusals");
    // Every borough and the City can be chosen.
    assert_eq!(LONDON_BOROUGHS.len(), 33);
    let mut city = account("City", "city@example.org");
    city.borough = Some("City of London".into());
    store.create_account(&city).await.unwrap();
}

async fn sessions_last_until_they_expire_or_end(store: Store) {
    let id = store.create_account(&account("Alice", "alice@example.org")).await.unwrap();
    let now = Timestamp(1_735_000_000);
    store.create_session(id, "hash-1", "csrf-1", now, Timestamp(now.0 + 3600)).await.unwrap();
    store.create_session(id, "hash-2", "csrf-2", now, Timestamp(now.0 + 3600)).await.unwrap();
    let session = store.session("hash-1", now).await.unwrap().expect("live");
    assert_eq!(session.account.user.id, id);
    assert_eq!(session.csrf_token, "csrf-1");
    assert!(store.session("hash-1", Timestamp(now.0 + 3600)).await.unwrap().is_none(), "expired");
    assert!(store.session("unknown", now).await.unwrap().is_none());
    store.delete_session("hash-1").await.unwrap();
    assert!(store.session("hash-1", now).await.unwrap().is_none(), "signed out");
    assert!(store.session("hash-2", now).await.unwrap().is_some(), "other devices stay signed in");
    store.delete_sessions_of(id).await.unwrap();
    assert!(store.session("hash-2", now).await.unwrap().is_none(), "signed out everywhere");
}

async fn an_edit_keeps_the_words_it_replaced_and_a_deletion_keeps_the_thread(store: Store) {
    let (discussion, author, ids) = discussion_with_comments(&store, 1).await;
    let reply = NewComment {
        discussion_id: discussion,
        parent_id: Some(ids[0]),
        author_id: author,
        body: "a reply".into(),
        posted_at: Timestamp(1_735_100_000),
        source: CommentSource::Web,
        flags: vec![],
    };
    store.add_comment(&reply).await.unwrap();
    let at = Timestamp(1_735_000_300);
    store.edit_comment(ids[0], "comment 0, said better", &[], at).await.unwrap();
    let edited = store.comment(ids[0]).await.unwrap().unwrap();
    assert_eq!(edited.body, "comment 0, said better");
    assert_eq!(edited.edited_at, Some(at));
    assert_eq!(store.comment_revisions(ids[0]).await.unwrap(), ["comment 0"]);
    let err = store.edit_comment(ids[0], "   ", &[], at).await.unwrap_err();
    assert!(err.to_string().contains("cannot be empty"), "{err}");
    // Flags an edit raises join the ones the comment had, each once.
    store.edit_comment(ids[0], "said again", &[CheckFlag::IncidentReport], at).await.unwrap();
    store
        .edit_comment(ids[0], "and again", &[CheckFlag::Safeguarding, CheckFlag::IncidentReport], at)
        .await
        .unwrap();
    let flagged = store.comment(ids[0]).await.unwrap().unwrap();
    assert_eq!(flagged.flags, [CheckFlag::Safeguarding, CheckFlag::IncidentReport]);
    assert_eq!(
        store.comment_revisions(ids[0]).await.unwrap(),
        ["comment 0", "comment 0, said better", "said again"]
    );

    store.delete_comment(ids[0], Timestamp(1_735_000_400)).await.unwrap();
    let deleted = store.comment(ids[0]).await.unwrap().unwrap();
    assert!(deleted.deleted && deleted.body.is_empty() && !deleted.is_public());
    assert!(store.comment_revisions(ids[0]).await.unwrap().is_empty(), "its earlier words go too");
    let err = store.edit_comment(ids[0], "back again", &[], at).await.unwrap_err();
    assert!(err.to_string().contains("deleted comment cannot be edited"), "{err}");
    let page = store.comment_page(discussion, 1, 10, CommentSort::Newest).await.unwrap();
    assert_eq!(page.threads.len(), 1, "the thread stays");
    assert_eq!(page.threads[0].replies[0].body, "a reply");
    let summary = store.discussion_by_id(discussion).await.unwrap().unwrap().summary;
    assert_eq!(summary.comment_count, 1, "a deleted comment is not counted");
}

async fn agreeing_counts_once_per_person_and_sorts_the_threads(store: Store) {
    let (discussion, _, ids) = discussion_with_comments(&store, 3).await;
    let people: Vec<i64> = {
        let mut v = Vec::new();
        for n in 0..3 {
            v.push(
                store.create_account(&account(&format!("P{n}"), &format!("p{n}@example.org"))).await.unwrap(),
            );
        }
        v
    };
    let now = Timestamp(1_735_500_000);
    for person in &people {
        store.set_agreement(ids[0], *person, true, now).await.unwrap();
    }
    store.set_agreement(ids[0], people[0], true, now).await.unwrap();
    store.set_agreement(ids[1], people[0], true, now).await.unwrap();
    assert_eq!(store.comment(ids[0]).await.unwrap().unwrap().agree_count, 3, "once per person");
    store.set_agreement(ids[0], people[2], false, now).await.unwrap();
    assert_eq!(store.comment(ids[0]).await.unwrap().unwrap().agree_count, 2, "taken back");
    let mut mine = store.agreed_among(people[0], &ids).await.unwrap();
    mine.sort();
    assert_eq!(mine, [ids[0], ids[1]]);
    assert!(store.agreed_among(people[2], &ids).await.unwrap().is_empty());

    let order = |page: CommentPage| page.threads.iter().map(|t| t.comment.id).collect::<Vec<_>>();
    let agreed = store.comment_page(discussion, 1, 10, CommentSort::MostAgreed).await.unwrap();
    assert_eq!(order(agreed), [ids[0], ids[1], ids[2]]);
    let newest = store.comment_page(discussion, 1, 10, CommentSort::Newest).await.unwrap();
    assert_eq!(order(newest), [ids[2], ids[1], ids[0]]);
    let oldest = store.comment_page(discussion, 1, 10, CommentSort::Oldest).await.unwrap();
    assert_eq!(order(oldest), [ids[0], ids[1], ids[2]]);
    let second = store.comment_page(discussion, 2, 2, CommentSort::MostAgreed).await.unwrap();
    assert_eq!(order(second), [ids[2]], "paging follows the order");
}

async fn a_reply_to_a_reply_joins_its_thread(store: Store) {
    let (discussion, author, ids) = discussion_with_comments(&store, 1).await;
    let mut reply = NewComment {
        discussion_id: discussion,
        parent_id: Some(ids[0]),
        author_id: author,
        body: "first reply".into(),
        posted_at: Timestamp(1_735_100_000),
        source: CommentSource::Web,
        flags: vec![CheckFlag::IncidentReport],
    };
    let first = store.add_comment(&reply).await.unwrap();
    reply.parent_id = Some(first);
    reply.body = "reply to the reply".into();
    reply.flags = vec![];
    let second = store.add_comment(&reply).await.unwrap();
    let stored = store.comment(second).await.unwrap().unwrap();
    assert_eq!(stored.parent_id, Some(ids[0]), "replies are one level deep");
    assert_eq!(store.comment(first).await.unwrap().unwrap().flags, [CheckFlag::IncidentReport]);
    let page = store.comment_page(discussion, 1, 10, CommentSort::Newest).await.unwrap();
    let bodies: Vec<_> = page.threads[0].replies.iter().map(|r| r.body.as_str()).collect();
    assert_eq!(bodies, ["first reply", "reply to the reply"]);
}

async fn enough_reports_hold_a_comment_until_a_moderator_decides(store: Store) {
    let (_, _, ids) = discussion_with_comments(&store, 2).await;
    let mut reporters = Vec::new();
    for n in 0..4 {
        reporters.push(
            store.create_account(&account(&format!("R{n}"), &format!("r{n}@example.org"))).await.unwrap(),
        );
    }
    let moderator = store.create_user("Mo", Role::Moderator, false).await.unwrap();
    let now = Timestamp(1_735_600_000);
    let report = |who: usize, reason| store.report_comment(ids[0], reporters[who], reason, now, 3);
    assert_eq!(report(0, Guideline::Respectful).await.unwrap(), ReportOutcome::Reported);
    assert_eq!(report(0, Guideline::Safe).await.unwrap(), ReportOutcome::AlreadyReported);
    assert_eq!(report(1, Guideline::Respectful).await.unwrap(), ReportOutcome::Reported);
    assert_eq!(store.comment(ids[0]).await.unwrap().unwrap().visibility, Visibility::Visible);
    assert_eq!(report(2, Guideline::OnTopic).await.unwrap(), ReportOutcome::Held);
    assert_eq!(store.comment(ids[0]).await.unwrap().unwrap().visibility, Visibility::Held);
    assert_eq!(report(3, Guideline::Respectful).await.unwrap(), ReportOutcome::Reported, "held already");

    let queue = store.moderation_queue(QueueFilter::Reported, None, 50).await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].open_reports, [(Guideline::Respectful, 3), (Guideline::OnTopic, 1)]);

    // Restoring needs a reason; then the reports are dealt with and the queue is empty.
    let err = store.moderate(&[ids[0]], Decision::Restore, moderator, " ", now).await.unwrap_err();
    assert!(err.to_string().contains("say why"), "{err}");
    assert_eq!(
        store.moderate(&[ids[0]], Decision::Restore, moderator, "Fair criticism", now).await.unwrap(),
        1
    );
    assert_eq!(store.comment(ids[0]).await.unwrap().unwrap().visibility, Visibility::Visible);
    assert!(store.moderation_queue(QueueFilter::Reported, None, 50).await.unwrap().is_empty());

    // Hiding both at once with a guideline; doing it again changes nothing.
    let hidden =
        store.moderate(&ids, Decision::Hide(Guideline::Respectful), moderator, "Name-calling", now).await;
    assert_eq!(hidden.unwrap(), 2);
    let again = store.moderate(&ids, Decision::Hide(Guideline::Respectful), moderator, "", now).await;
    assert_eq!(again.unwrap(), 0);
    let comment = store.comment(ids[1]).await.unwrap().unwrap();
    assert_eq!(comment.visibility, Visibility::Hidden(Guideline::Respectful));
    assert_eq!(comment.body, "comment 1", "moderators never change the words");

    let log = store.moderation_log(10).await.unwrap();
    let lines: Vec<_> = log.iter().map(|e| (e.action, e.comment_id, e.reason.as_str())).collect();
    assert_eq!(
        lines,
        [
            (LogAction::Hide, Some(ids[1]), "Be respectful: Name-calling"),
            (LogAction::Hide, Some(ids[0]), "Be respectful: Name-calling"),
            (LogAction::Restore, Some(ids[0]), "Fair criticism"),
            (LogAction::Hold, Some(ids[0]), "3 reports, held until a moderator reviews it"),
        ]
    );
    assert!(log[3].actor.is_none(), "heard itself held it");
    assert_eq!(log[0].actor.as_ref().unwrap().display_name, "Mo");
    assert_eq!(log[0].at, now);
}

async fn the_queue_lists_reported_flagged_and_hidden_comments_by_discussion(store: Store) {
    let (discussion, author, ids) = discussion_with_comments(&store, 3).await;
    let consultation = store.list_consultations().await.unwrap()[0].id;
    let other = NewDiscussion {
        slug: "other".into(),
        title: "Other".into(),
        intro: "i".into(),
        opens_on: Date::parse_iso("2024-12-18").unwrap(),
        closes_on: Date::parse_iso("2025-02-12").unwrap(),
        questions: vec![],
        hosts: vec![],
        host_organisation: String::new(),
    };
    let other = store.create_discussion(consultation, &other).await.unwrap();
    let flagged = NewComment {
        discussion_id: other,
        parent_id: None,
        author_id: author,
        body: "I am not safe at home".into(),
        posted_at: Timestamp(1_735_700_000),
        source: CommentSource::Web,
        flags: vec![CheckFlag::Safeguarding],
    };
    let flagged = store.add_comment(&flagged).await.unwrap();
    let reporter = store.create_account(&account("R", "r@example.org")).await.unwrap();
    let moderator = store.create_user("Mo", Role::Moderator, false).await.unwrap();
    let now = Timestamp(1_735_800_000);
    store.report_comment(ids[1], reporter, Guideline::Safe, now, 3).await.unwrap();
    store.moderate(&[ids[2]], Decision::Hide(Guideline::OnTopic), moderator, "", now).await.unwrap();
    let listed = |filter, discussion| {
        let store = store.clone();
        async move {
            let items = store.moderation_queue(filter, discussion, 50).await.unwrap();
            items.iter().map(|i| i.comment.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(listed(QueueFilter::Reported, None).await, [ids[1]]);
    assert_eq!(listed(QueueFilter::Flagged, None).await, [flagged]);
    assert_eq!(listed(QueueFilter::Hidden, None).await, [ids[2]]);
    assert_eq!(listed(QueueFilter::All, Some(discussion)).await, [ids[2], ids[1], ids[0]]);
    assert_eq!(listed(QueueFilter::All, Some(other)).await, [flagged]);
    let item = &store.moderation_queue(QueueFilter::Flagged, None, 50).await.unwrap()[0];
    assert_eq!((item.discussion_slug.as_str(), item.consultation_slug.as_str()), ("other", "police-plan"));
    let titles = store.discussion_titles().await.unwrap();
    assert_eq!(titles.len(), 2);
    assert_eq!(titles[0].1, "Police and Crime Plan: Safety");
}

async fn blocks_roles_and_pins_are_logged(store: Store) {
    let (_, _, ids) = discussion_with_comments(&store, 1).await;
    let resident = store.create_account(&account("Rae", "rae@example.org")).await.unwrap();
    let admin = store.create_user("Ada", Role::Admin, false).await.unwrap();
    let now = Timestamp(1_735_900_000);
    let err = store.set_blocked(resident, true, "", admin, now).await.unwrap_err();
    assert!(err.to_string().contains("say why"));
    store.set_blocked(resident, true, "Repeated abuse", admin, now).await.unwrap();
    let blocked = store.account(resident).await.unwrap().unwrap().blocked.expect("blocked");
    assert_eq!((blocked.at, blocked.reason.as_str()), (now, "Repeated abuse"));
    store.set_blocked(resident, false, "Appeal upheld", admin, now).await.unwrap();
    assert!(store.account(resident).await.unwrap().unwrap().blocked.is_none());
    store.set_role(resident, Role::Host, admin, now).await.unwrap();
    assert_eq!(store.account(resident).await.unwrap().unwrap().user.role, Role::Host);
    store.set_pinned(ids[0], resident, true, now).await.unwrap();
    store.set_pinned(ids[0], resident, true, now).await.unwrap();
    assert!(store.comment(ids[0]).await.unwrap().unwrap().pinned);
    assert_eq!(
        store
            .pinned_comments(store.comment(ids[0]).await.unwrap().unwrap().discussion_id)
            .await
            .unwrap()
            .len(),
        1
    );
    store.set_pinned(ids[0], resident, false, now).await.unwrap();
    let log = store.moderation_log(10).await.unwrap();
    let lines: Vec<_> = log.iter().map(|e| (e.action, e.reason.as_str())).collect();
    assert_eq!(
        lines,
        [
            (LogAction::Unpin, ""),
            (LogAction::Pin, ""),
            (LogAction::SetRole, "from resident to host"),
            (LogAction::Unblock, "Appeal upheld"),
            (LogAction::Block, "Repeated abuse"),
        ],
        "pinning twice logs once"
    );
    assert_eq!(log[4].subject.as_ref().unwrap().display_name, "Rae");
}

async fn a_password_reset_link_works_once_and_signs_out_everywhere(store: Store) {
    let id = store.create_account(&account("Alice", "alice@example.org")).await.unwrap();
    let now = Timestamp(1_736_000_000);
    store.create_session(id, "session", "csrf", now, Timestamp(now.0 + 3600)).await.unwrap();
    store.create_password_reset(id, "reset", now, Timestamp(now.0 + 3600)).await.unwrap();
    store.create_password_reset(id, "old", Timestamp(now.0 - 7200), Timestamp(now.0 - 3600)).await.unwrap();
    assert_eq!(store.password_reset_user("reset", now).await.unwrap(), Some(id));
    assert_eq!(store.password_reset_user("old", now).await.unwrap(), None, "out of date");
    assert_eq!(store.complete_password_reset("old", "new-hash", now).await.unwrap(), None);
    assert_eq!(store.complete_password_reset("reset", "new-hash", now).await.unwrap(), Some(id));
    assert_eq!(store.credentials("alice@example.org").await.unwrap().unwrap().password_hash, "new-hash");
    assert!(store.session("session", now).await.unwrap().is_none(), "signed out everywhere");
    assert_eq!(store.complete_password_reset("reset", "again", now).await.unwrap(), None, "once only");
    assert_eq!(store.credentials("alice@example.org").await.unwrap().unwrap().password_hash, "new-hash");
}

async fn rate_limits_count_per_window_and_lockouts_back_off(store: Store) {
    let t = |s: i64| Timestamp(1_736_000_000 + s);
    for n in 0..3 {
        assert_eq!(store.rate_limit("post:1", t(n), 60, 3).await.unwrap(), RateLimit::Allowed);
    }
    assert_eq!(
        store.rate_limit("post:1", t(10), 60, 3).await.unwrap(),
        RateLimit::Limited { retry_after: 50 }
    );
    assert_eq!(store.rate_limit("post:2", t(10), 60, 3).await.unwrap(), RateLimit::Allowed, "per bucket");
    assert_eq!(store.rate_limit("post:1", t(60), 60, 3).await.unwrap(), RateLimit::Allowed, "a new window");
    // Several buckets at once, each against its own limit.
    let both = [("post:3", 1), ("post:1", 2)];
    assert_eq!(store.rate_limits(&both, t(61), 60).await.unwrap(), [RateLimit::Allowed, RateLimit::Allowed]);
    assert_eq!(
        store.rate_limits(&both, t(62), 60).await.unwrap(),
        [RateLimit::Limited { retry_after: 59 }, RateLimit::Limited { retry_after: 58 }]
    );
    assert!(store.rate_limits(&[("post:4", 1), ("post:4", 1)], t(62), 60).await.is_err());

    let policy = LockoutPolicy { free_failures: 3, base_secs: 60, max_secs: 300, forget_after_secs: 3600 };
    for n in 0..3 {
        assert_eq!(store.record_failure("login:a", t(n), &policy).await.unwrap(), None);
    }
    assert_eq!(store.locked_for("login:a", t(3)).await.unwrap(), None);
    assert_eq!(store.record_failure("login:a", t(3), &policy).await.unwrap(), Some(60));
    assert_eq!(store.locked_for("login:a", t(13)).await.unwrap(), Some(50));
    assert_eq!(store.record_failure("login:a", t(70), &policy).await.unwrap(), Some(120), "doubles");
    assert_eq!(store.record_failure("login:a", t(200), &policy).await.unwrap(), Some(240));
    assert_eq!(store.record_failure("login:a", t(500), &policy).await.unwrap(), Some(300), "up to the most");
    assert_eq!(store.locked_for("login:a", t(801)).await.unwrap(), None);
    store.clear_failures("login:a").await.unwrap();
    assert_eq!(store.record_failure("login:a", t(900), &policy).await.unwrap(), None, "a success forgets");
    // Failures long ago are forgotten.
    for n in 0..3 {
        store.record_failure("login:b", t(n), &policy).await.unwrap();
    }
    assert_eq!(store.record_failure("login:b", t(5000), &policy).await.unwrap(), None);
    store.prune_counters(t(100_000)).await.unwrap();
    assert_eq!(store.rate_limit("post:1", t(100_001), 60, 1).await.unwrap(), RateLimit::Allowed);
}

async fn a_person_can_take_their_data_and_delete_their_account(store: Store) {
    let (discussion, _, ids) = discussion_with_comments(&store, 1).await;
    let mut new = account("Alice", "alice@example.org");
    new.borough = Some("Camden".into());
    let alice = store.create_account(&new).await.unwrap();
    let post = |body: &str, parent| NewComment {
        discussion_id: discussion,
        parent_id: parent,
        author_id: alice,
        body: body.into(),
        posted_at: Timestamp(1_736_000_000),
        source: CommentSource::Web,
        flags: vec![],
    };
    let mine = store.add_comment(&post("My first thought", None)).await.unwrap();
    let reply = store.add_comment(&post("A reply of mine", Some(ids[0]))).await.unwrap();
    store.edit_comment(mine, "My first thought, edited", &[], Timestamp(1_736_000_100)).await.unwrap();
    store.set_agreement(ids[0], alice, true, Timestamp(1_736_000_200)).await.unwrap();
    store.report_comment(ids[0], alice, Guideline::OnTopic, Timestamp(1_736_000_300), 3).await.unwrap();
    store.create_session(alice, "s", "c", Timestamp(1_736_000_000), Timestamp(1_736_900_000)).await.unwrap();

    let export = store.account_export(alice).await.unwrap().expect("exported");
    assert_eq!(export.account.email, "alice@example.org");
    assert_eq!(export.account.borough.as_deref(), Some("Camden"));
    let bodies: Vec<_> = export.comments.iter().map(|c| c.body.as_str()).collect();
    assert_eq!(bodies, ["My first thought, edited", "A reply of mine"]);
    assert_eq!(export.comments[0].earlier_versions, ["My first thought"]);
    assert_eq!(export.comments[1].reply_to, Some(ids[0]));
    assert_eq!(export.comments[0].discussion, "safety");
    assert_eq!(export.agreed_with, [ids[0]]);
    assert_eq!(export.reports[0].reason, Guideline::OnTopic);
    let json = serde_json::to_value(&export).unwrap();
    assert_eq!(json["comments"][0]["visibility"]["state"], "visible");

    // Deleting keeps the comments under "Former member" ...
    store.delete_account(alice, &AccountDeletion::default(), Timestamp(1_736_001_000)).await.unwrap();
    let kept = store.comment(mine).await.unwrap().unwrap();
    assert_eq!(kept.author.display_name, FORMER_MEMBER);
    assert_eq!(kept.body, "My first thought, edited");
    assert!(store.account(alice).await.unwrap().is_none());
    assert!(store.credentials("alice@example.org").await.unwrap().is_none());
    assert!(store.session("s", Timestamp(1_736_001_000)).await.unwrap().is_none());
    assert_eq!(store.comment(ids[0]).await.unwrap().unwrap().agree_count, 0);
    // ... and the address can sign up again, as a new person.
    let again = store.create_account(&account("Alice again", "ALICE@example.org")).await.unwrap();
    assert_ne!(again, alice);

    // Deleting with "remove my comments" wipes them.
    let bob = store.create_account(&account("Bob", "bob@example.org")).await.unwrap();
    let mut bobs = post("Bob's view", None);
    bobs.author_id = bob;
    let bobs = store.add_comment(&bobs).await.unwrap();
    store
        .delete_account(
            bob,
            &AccountDeletion { remove_comments: true, ..Default::default() },
            Timestamp(1_736_002_000),
        )
        .await
        .unwrap();
    let gone = store.comment(bobs).await.unwrap().unwrap();
    assert!(gone.deleted && gone.body.is_empty());
    assert_eq!(store.comment(reply).await.unwrap().unwrap().body, "A reply of mine", "others' choices stand");
}

/// The moderation log refuses changes even from a program that bypasses the store.
async fn moderation_log_cannot_be_changed(backend: Backend) {
    let (store, url) = heard_store::testing::fresh_store(backend).await;
    let (_, _, ids) = discussion_with_comments(&store, 1).await;
    let moderator = store.create_user("Mo", Role::Moderator, false).await.unwrap();
    store.moderate(&ids, Decision::Hide(Guideline::Lawful), moderator, "", Timestamp(1)).await.unwrap();
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await.unwrap();
    for sql in ["UPDATE moderation_log SET reason = 'nothing to see'", "DELETE FROM moderation_log"] {
        let err = sqlx::query(sql).execute(&mut conn).await.expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let log = store.moderation_log(10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].reason, "Keep within the law");
}

#[tokio::test]
async fn moderation_log_cannot_be_changed_on_sqlite() {
    moderation_log_cannot_be_changed(Backend::Sqlite).await;
}

#[tokio::test]
async fn moderation_log_cannot_be_changed_on_postgres() {
    moderation_log_cannot_be_changed(Backend::Postgres).await;
}

/// Transactions that read before they write, many at once: on SQLite each takes the write lock
/// when it begins, so none fails with "database is locked" when another wrote in between.
async fn writers_at_the_same_time_all_succeed(store: Store) {
    let (_, _, ids) = discussion_with_comments(&store, 1).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..32 {
        let store = store.clone();
        let comment = ids[0];
        tasks.spawn(async move {
            let email = format!("writer-{i}@example.org");
            store.create_account(&account(&format!("Writer {i}"), &email)).await?;
            store.edit_comment(comment, &format!("edited by writer {i}"), &[], Timestamp(1_735_000_300)).await
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("the task ran").expect("the writes succeeded");
    }
    assert_eq!(store.comment_revisions(ids[0]).await.unwrap().len(), 32);
}

/// Steady writing keeps SQLite's WAL file small: the automatic checkpoint runs after each write
/// that returns a row, as it does after any other (it did not, once, and the file grew by hundreds
/// of megabytes a minute under load).
#[tokio::test]
async fn the_wal_file_stays_small_under_steady_writes() {
    let (store, url) = heard_store::testing::fresh_store(Backend::Sqlite).await;
    let path = url.trim_start_matches("sqlite://").split('?').next().unwrap().to_owned();
    let (discussion, author, _) = discussion_with_comments(&store, 1).await;
    for i in 0..3000 {
        store
            .rate_limit(&format!("bucket-{}", i % 300), Timestamp(1_735_000_000 + i), 60, 1_000_000)
            .await
            .unwrap();
        if i % 3 == 0 {
            let new = NewComment {
                discussion_id: discussion,
                parent_id: None,
                author_id: author,
                body: format!("comment {i}"),
                posted_at: Timestamp(1_735_000_000 + i),
                source: CommentSource::Web,
                flags: vec![],
            };
            store.add_comment(&new).await.unwrap();
        }
    }
    let wal = std::fs::metadata(format!("{path}-wal")).map(|m| m.len()).unwrap_or(0);
    // The checkpoint starts the file again after 1,000 pages (4 MB); without it, this is 20 MB.
    assert!(wal < 8 * 1024 * 1024, "the WAL file is {wal} bytes");
}
