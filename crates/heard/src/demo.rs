//! The demo: the Mayor's Police and Crime Plan 2025-29 consultation, told in our own words from the
//! seed pages, with its discussions imported from the saved pages when they are present (and
//! generated, marked synthetic, when they are not), plus an open and an upcoming consultation.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use heard_analysis::synth::{self, Topic};
use heard_store::*;

use crate::import::{DiscussionNaming, discussion_import, talk_london};

pub const POLICE_PLAN: &str = "police-and-crime-plan-2025-29";
pub const PARKS: &str = "parks-after-dark";
pub const TRANSPORT: &str = "local-transport-plan";

const HOSTS: [&str; 3] = ["Alex", "Chervonne", "Dionne"];
const HOST_ORGANISATION: &str = "MOPAC";

/// What the demo found and wrote.
#[derive(Debug, Default)]
pub struct DemoReport {
    pub created: bool,
    pub imported_pages: Vec<(String, usize)>,
    pub synthetic_discussions: usize,
    /// Synthetic submissions to the Police and Crime Plan survey.
    pub synthetic_survey_submissions: usize,
    /// Synthetic responses added to the register by email, post, phone and at events.
    pub synthetic_responses: usize,
    /// What ran the analysis behind the published results ("fast mode, ...").
    pub results_model: Option<String>,
}

/// How many people and organisations responded to the real Police and Crime Plan consultation.
pub const POLICE_PLAN_RESPONDENTS: i64 = 1622;

/// Where the seed pages are looked for when none is named: beside the current directory's parent
/// (a checkout next to `shared/`), then beside the source tree.
pub fn default_seeds_dir() -> Option<PathBuf> {
    let candidates = [
        PathBuf::from("../shared/seeds"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds"),
    ];
    candidates.into_iter().find(|p| p.is_dir())
}

/// Whether `prepare` would create the demo (its consultation is not in the store yet).
pub async fn is_new(store: &Store) -> Result<bool> {
    Ok(store.consultation_by_slug(POLICE_PLAN).await?.is_none())
}

/// Fills an empty store with the demo; a store that has it already is left as it is.
pub async fn prepare(
    store: &Store,
    seeds: Option<&Path>,
    today: Date,
    model_dir: &Path,
) -> Result<DemoReport> {
    let mut report = DemoReport::default();
    if store.consultation_by_slug(POLICE_PLAN).await?.is_some() {
        return Ok(report);
    }
    report.created = true;
    let pages = match seeds {
        Some(dir) => discussion_pages(dir)?,
        None => Vec::new(),
    };
    if pages.is_empty() {
        for (n, (title, slug, intro, questions, topic, count)) in
            synthetic_police_discussions().into_iter().enumerate()
        {
            let plan = police_plan();
            let comments = synthetic_comments(topic, count, 2024 + n as u64, plan.opens_on, plan.closes_on);
            let import = DiscussionImport {
                consultation: plan,
                discussion: police_discussion(title, slug, intro, questions),
                host_names: HOSTS.map(String::from).to_vec(),
                comments,
            };
            store.import_discussion(&import).await?;
            report.synthetic_discussions += 1;
        }
    } else {
        for (path, page) in pages {
            let (title, slug) = police_discussion_name(&page);
            let naming = DiscussionNaming {
                consultation_slug: Some(POLICE_PLAN.into()),
                discussion_title: Some(title.into()),
                discussion_slug: Some(slug.into()),
            };
            let mut import = discussion_import(&page, &naming).map_err(anyhow::Error::msg)?;
            import.consultation = police_plan();
            let outcome = store
                .import_discussion(&import)
                .await
                .with_context(|| format!("importing {}", path.display()))?;
            report.imported_pages.push((path.display().to_string(), outcome.comments));
        }
    }
    let survey = crate::demo_survey::police_plan_survey(store, POLICE_PLAN).await?;
    report.synthetic_survey_submissions = crate::demo_survey::add_synthetic_submissions(
        store,
        &survey,
        crate::demo_survey::POLICE_PLAN_SUBMISSIONS,
        2025,
    )
    .await?;
    let police = store.consultation_by_slug(POLICE_PLAN).await?.context("the demo consultation")?;
    report.synthetic_responses = fill_register(store, &police.summary, POLICE_PLAN_RESPONDENTS).await?;
    add_events(store, police.summary.id, &police_events()).await?;
    report.results_model =
        Some(crate::demo_results::publish_police_results(store, &police, model_dir).await?);
    let parks = open_consultation(store, today).await?;
    add_events(store, parks, &parks_events(today)).await?;
    crate::demo_survey::parks_survey(store, PARKS).await?;
    store.create_consultation(&upcoming_consultation(today)).await?;
    Ok(report)
}

/// Every saved discussion page in `dir` (pages of other kinds are passed over), in name order.
fn discussion_pages(dir: &Path) -> Result<Vec<(PathBuf, talk_london::TalkLondonPage)>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading the seed folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    let mut pages = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        if !text.contains("Join the conversation") {
            continue; // a press release or an older consultation page, not a discussion
        }
        let page = talk_london::parse(&text).with_context(|| format!("reading {}", path.display()))?;
        pages.push((path, page));
    }
    Ok(pages)
}

/// The saved pages carry no discussion title; the two seed discussions are told apart by topic.
fn police_discussion_name(page: &talk_london::TalkLondonPage) -> (&'static str, &'static str) {
    if page.discussion.intro.to_lowercase().contains("preventing and reducing violence") {
        ("Preventing violence", "preventing-violence")
    } else {
        ("Safety in public spaces", "safety-in-public-spaces")
    }
}

fn day(iso: &str) -> Date {
    Date::parse_iso(iso).expect("demo dates are valid")
}

pub fn police_plan() -> NewConsultation {
    NewConsultation {
        slug: POLICE_PLAN.into(),
        title: "Mayor's Police and Crime Plan 2025-29".into(),
        summary: "The Mayor has published a draft Police and Crime Plan: his priorities for policing, crime and \
                  community safety in London for the four years from 2025 to 2029.\n\
                  The draft aims to make London safer for everyone: reducing and preventing violence, rebuilding \
                  public trust and confidence in the Metropolitan Police, and making sure victims of crime get the \
                  support they need. The police cannot do this alone, so the plan also sets out how the Mayor's \
                  Office for Policing and Crime (MOPAC), the Met and partners such as councils, health services, \
                  the criminal justice system and transport operators will work together.\n\
                  We asked Londoners and organisations what they thought of the draft, online and at events, \
                  by email and by post. What they told us shaped the final plan."
            .into(),
        organisation: "Mayor's Office for Policing and Crime (MOPAC)".into(),
        respondent_noun: "Londoners".into(),
        opens_on: day("2024-12-18"),
        closes_on: day("2025-02-12"),
        // The 1,622 come from the register, which the demo fills (see `fill_register`).
        recorded_responses: None,
        results_expected: Some("March 2025, with the final plan".into()),
        accessible_formats: "If you use assistive technology (such as a screen reader) and need a document in a \
                             more accessible format, email us and tell us which format you need and, if you can, \
                             which assistive technology you use. We will reply within 5 working days."
            .into(),
        objectives: vec![
            NewObjective {
                title: "Reducing violence and criminal exploitation".into(),
                summary: "Violence is London's most harmful crime; the plan treats it as preventable.".into(),
                commitments: vec![
                    "Tackle the causes of violence as a public health problem, and lead a city-wide effort to stop people being drawn into violent crime.".into(),
                    "Support and oversee firm enforcement and partnership work that cuts violent crime and protects people from exploitation.".into(),
                    "Work with criminal justice agencies and others to reduce reoffending by violent offenders.".into(),
                    "Take a public health approach to ending violence against women and girls.".into(),
                    "Stand with communities against hatred and extremism, and strengthen London's counter-terrorism work.".into(),
                ],
            },
            NewObjective {
                title: "Increasing trust and confidence in the Met".into(),
                summary: "Policing in London depends on Londoners' consent and co-operation.".into(),
                commitments: vec![
                    "Build trust through more transparency and accountability.".into(),
                    "Support the Met and build partnerships to make neighbourhoods safer.".into(),
                ],
            },
            NewObjective {
                title: "Improving the criminal justice system and supporting victims".into(),
                summary: "Victims should get a better service at every step, from reporting to court.".into(),
                commitments: vec![
                    "Support and oversee the Met to give victims of crime a better service.".into(),
                    "Support improvements to the criminal justice system in London.".into(),
                    "Work with criminal justice partners to reduce reoffending.".into(),
                    "Commission high-quality support services for victims.".into(),
                    "Support the work of London's Independent Victims' Commissioner.".into(),
                ],
            },
        ],
        timeline: vec![
            TimelineEntry { on_date: day("2024-12-18"), title: "The Mayor publishes his draft Police and Crime Plan".into(), detail: "The consultation opens.".into() },
            TimelineEntry { on_date: day("2025-01-15"), title: "Events for Londoners, online and in person".into(), detail: "MOPAC hosts events early in the new year.".into() },
            TimelineEntry { on_date: day("2025-02-12"), title: "The consultation closes".into(), detail: "1,622 Londoners responded.".into() },
            TimelineEntry { on_date: day("2025-03-31"), title: "The final plan is published".into(), detail: "Due in March 2025, shaped by what Londoners said.".into() },
        ],
        documents: vec![
            Document { title: "Draft Police and Crime Plan for London: consultation document".into(), url: "https://www.london.gov.uk/policecrimeplan".into(), format: "web page on london.gov.uk".into(), easy_read: false },
            Document { title: "Integrated Impact Assessment of the draft plan".into(), url: "https://www.london.gov.uk/policecrimeplan".into(), format: "web page on london.gov.uk".into(), easy_read: false },
            Document { title: "Easy read draft Police and Crime Plan".into(), url: "https://www.london.gov.uk/policecrimeplan".into(), format: "web page on london.gov.uk".into(), easy_read: true },
        ],
        channels: vec![
            Channel { kind: ChannelKind::Survey, title: "The survey".into(), detail: "Londoners aged 16 or over answered a survey on the draft plan on Talk London, City Hall's online community.".into(), address: String::new() },
            Channel { kind: ChannelKind::Events, title: "Events".into(), detail: "MOPAC hosted events online and in person early in the new year, with details published in the weeks after launch.".into(), address: String::new() },
            Channel { kind: ChannelKind::Email, title: "Email".into(), detail: "Send your views by email (this demo uses a placeholder address).".into(), address: "policecrimeplan@example.org".into() },
            Channel { kind: ChannelKind::Post, title: "Post".into(), detail: "Write \"Freepost MOPACPCP\" on your envelope. No stamp is needed.".into(), address: "Freepost MOPACPCP".into() },
        ],
    }
}

fn police_discussion(title: &str, slug: &str, intro: &str, questions: &[&str]) -> NewDiscussion {
    NewDiscussion {
        slug: slug.into(),
        title: title.into(),
        intro: intro.into(),
        opens_on: day("2024-12-18"),
        closes_on: day("2025-02-12"),
        questions: questions.iter().map(|q| (*q).to_owned()).collect(),
        hosts: vec![],
        host_organisation: HOST_ORGANISATION.into(),
    }
}

type SyntheticDiscussion =
    (&'static str, &'static str, &'static str, &'static [&'static str], &'static Topic, usize);

fn synthetic_police_discussions() -> [SyntheticDiscussion; 2] {
    [
        (
            "Safety in public spaces",
            "safety-in-public-spaces",
            "Besides tackling the most harmful crimes, the police, councils and other agencies work together to prevent offences such as theft and anti-social behaviour.",
            &[
                "What makes you feel safe in your neighbourhood and in public spaces?",
                "What makes you feel unsafe, and is that different by day and by night?",
                "How, if at all, could the police help you feel safe in public spaces?",
                "How well are the police and other agencies keeping your area safe, and what could be better?",
            ],
            &synth::PUBLIC_SAFETY,
            120,
        ),
        (
            "Preventing violence",
            "preventing-violence",
            "Preventing and reducing violence is the Mayor's first priority for safety in London. Violence has complex causes, closely linked with poverty, deprivation and lack of opportunity, so London takes a public health approach: it treats violence as preventable.",
            &[
                "What do you think of London's collaborative approach to preventing violence?",
                "What else would you like to see done to tackle violent crime?",
                "What can Londoners, families and communities do to help prevent violence in the long term?",
            ],
            &synth::VIOLENCE_PREVENTION,
            80,
        ),
    ]
}

/// Generated comments spread between `from` and `to`, newest last, marked synthetic.
pub fn synthetic_comments(
    topic: &Topic,
    count: usize,
    seed: u64,
    from: Date,
    to: Date,
) -> Vec<ImportedComment> {
    let (start, end) = (from.start().0, to.add_days(1).start().0 - 1);
    let step = ((end - start) / (count as i64 + 1)).max(1);
    synth::comments(topic, count, seed)
        .into_iter()
        .enumerate()
        .map(|(i, c)| ImportedComment {
            author: c.author,
            role: Role::Resident,
            body: c.text,
            posted_at: Timestamp(start + step * (i as i64 + 1)),
            source: CommentSource::Synthetic,
            reply_to: c.reply_to,
        })
        .collect()
}

async fn open_consultation(store: &Store, today: Date) -> Result<i64> {
    let consultation = NewConsultation {
        slug: PARKS.into(),
        title: "Parks after dark: lighting and safety in our green spaces".into(),
        summary: "Our parks close their gates at dusk, but many are crossed on foot and by bike long after. \
                  We have drafted a plan to light the main paths, add help points and keep toilets open later \
                  in summer. Before we spend the money, we want to know which parks and paths matter most to you, \
                  and what would make you feel safe using them."
            .into(),
        organisation: "Demo City Council, Parks and Open Spaces".into(),
        respondent_noun: "residents".into(),
        opens_on: today.add_days(-14),
        closes_on: today.add_days(42),
        recorded_responses: None,
        results_expected: Some("within three months of closing".into()),
        accessible_formats: "Email us to ask for the draft plan in large print, audio, Braille or easy read.".into(),
        objectives: vec![NewObjective {
            title: "Safer routes through parks after dark".into(),
            summary: String::new(),
            commitments: vec![
                "Light the busiest paths through the ten largest parks.".into(),
                "Install help points linked to the council's control room.".into(),
                "Keep park toilets open until 9pm from May to August.".into(),
            ],
        }],
        timeline: vec![
            TimelineEntry { on_date: today.add_days(-14), title: "Draft plan published; consultation opens".into(), detail: String::new() },
            TimelineEntry { on_date: today.add_days(42), title: "Consultation closes".into(), detail: String::new() },
            TimelineEntry { on_date: today.add_days(120), title: "Decision and results published".into(), detail: String::new() },
        ],
        documents: vec![],
        channels: vec![
            Channel { kind: ChannelKind::Events, title: "Events".into(), detail: "Walk the parks with us after dark, or join us online.".into(), address: String::new() },
            Channel { kind: ChannelKind::Email, title: "Email".into(), detail: "Send your views by email.".into(), address: "parks@example.org".into() },
            Channel { kind: ChannelKind::Post, title: "Post".into(), detail: "Write to us; no stamp is needed.".into(), address: "Freepost PARKS PLAN\nDemo City Council".into() },
        ],
    };
    let discussion = NewDiscussion {
        slug: "what-would-help".into(),
        title: "What would make our parks feel safer after dark?".into(),
        intro: "Tell us which parks and paths you use after dark, and what would help.".into(),
        opens_on: today.add_days(-14),
        closes_on: today.add_days(42),
        questions: vec![
            "Which park or path do you use after dark, and why?".into(),
            "What makes it feel unsafe, if anything?".into(),
            "Which of our proposals would help you most?".into(),
        ],
        hosts: vec![],
        host_organisation: "the Parks team".into(),
    };
    let comments = synthetic_comments(&synth::PUBLIC_SAFETY, 12, 7, today.add_days(-14), today.add_days(-1));
    let import = DiscussionImport { consultation, discussion, host_names: vec!["Priya".into()], comments };
    Ok(store.import_discussion(&import).await?.consultation_id)
}

async fn add_events(store: &Store, consultation_id: i64, events: &[NewEvent]) -> Result<()> {
    for event in events {
        store.create_event(consultation_id, event, None, Timestamp::now()).await?;
    }
    Ok(())
}

/// What a demo event says of itself: the seed pages say only that there were events online and in
/// person early in the new year, so these details are ours.
const INVENTED: &str = "This is a demo event: the consultation held events online and in person, and the \
                        details here are made up to show how they are listed.";

fn event(
    title: &str,
    format: EventFormat,
    (on_date, starts_at, ends_at): (Date, &str, &str),
    place: &str,
    accessibility: &str,
    capacity: i64,
    description: &str,
) -> NewEvent {
    let online = format == EventFormat::Online;
    NewEvent {
        title: title.into(),
        format,
        on_date,
        starts_at: starts_at.into(),
        ends_at: ends_at.into(),
        venue: if online { String::new() } else { place.into() },
        joining_link: if online { place.into() } else { String::new() },
        accessibility: accessibility.into(),
        capacity,
        description: format!("{description}\n{INVENTED}"),
    }
}

/// Events of the Police and Crime Plan consultation, in January and early February 2025, online and
/// in person.
fn police_events() -> Vec<NewEvent> {
    vec![
        event(
            "Online: have your say on the draft Police and Crime Plan",
            EventFormat::Online,
            (day("2025-01-15"), "18:00", "19:30"),
            "https://example.org/demo/police-plan-online",
            "Live captions. Ask questions out loud or in the chat. Ask for a British Sign Language interpreter at least a week before.",
            200,
            "The team behind the draft plan explains its three objectives, then listens: what would make you feel safer, and what should the police and their partners do first?",
        ),
        event(
            "In person: community meeting in south London",
            EventFormat::InPerson,
            (day("2025-01-18"), "11:00", "13:00"),
            "Demo Community Hall\n1 Example Road\nLondon SE1 0AA",
            "Step-free entrance, hearing loop and an accessible toilet. A quiet room is open throughout. Tea, coffee and a light lunch.",
            60,
            "Small table discussions on safety in public spaces and on preventing violence, with staff taking notes of what is said.",
        ),
        event(
            "In person: young Londoners' session",
            EventFormat::InPerson,
            (day("2025-01-29"), "16:30", "18:00"),
            "Demo Youth Centre\n20 Sample Street\nLondon E1 0ZZ",
            "Step-free throughout. Youth workers are on hand. Travel costs paid back on the day.",
            40,
            "For Londoners aged 16 to 24: what would make you feel safe, and how should the police earn your trust?",
        ),
        event(
            "Online: tackling violence against women and girls",
            EventFormat::Online,
            (day("2025-02-04"), "12:30", "13:30"),
            "https://example.org/demo/police-plan-vawg",
            "Live captions. Cameras and microphones can stay off: write in the chat if you prefer. Support services are listed at the start and end.",
            150,
            "A lunchtime session on the plan's commitments to women and girls, and what would help them feel safe day and night.",
        ),
    ]
}

/// Events of the open parks consultation, in the weeks ahead.
fn parks_events(today: Date) -> Vec<NewEvent> {
    vec![
        event(
            "Evening walk: the paths through Riverside Park after dark",
            EventFormat::InPerson,
            (today.add_days(7), "19:00", "20:30"),
            "Meet at the main gate, Riverside Park\nPark Lane\nDemo City DC1 2AB",
            "The route is level and step-free, about a mile. Wear warm clothes; torches provided. Tell us if you need a seat on the way.",
            25,
            "Walk the main paths with the Parks team and show us where lighting or a help point would make the difference.",
        ),
        event(
            "Online: questions about the parks plan",
            EventFormat::Online,
            (today.add_days(21), "18:30", "19:30"),
            "https://example.org/demo/parks-online",
            "Live captions. Questions by chat or out loud.",
            100,
            "A short look at the plan and a long time for your questions.",
        ),
    ]
}

fn upcoming_consultation(today: Date) -> NewConsultation {
    NewConsultation {
        slug: TRANSPORT.into(),
        title: "Draft Local Transport Plan".into(),
        summary: "How should buses, cycling, walking and road space change over the next ten years? \
                  The draft plan will be published when the consultation opens."
            .into(),
        organisation: "Demo City Council, Transport".into(),
        respondent_noun: "residents".into(),
        opens_on: today.add_days(30),
        closes_on: today.add_days(100),
        recorded_responses: None,
        results_expected: None,
        accessible_formats: "Email us to ask for the draft plan in another format.".into(),
        objectives: vec![],
        timeline: vec![TimelineEntry {
            on_date: today.add_days(30),
            title: "Consultation opens".into(),
            detail: String::new(),
        }],
        documents: vec![],
        channels: vec![],
    }
}

/// Adds synthetic responses by email, post, phone and at events (marked synthetic) until
/// `target` distinct people and organisations have responded to `consultation`, as they did to the
/// real one across its channels. A few people write twice from the same address, so the register
/// shows linking at work: they add responses but not respondents. Returns the responses added.
pub async fn fill_register(store: &Store, consultation: &ConsultationSummary, target: i64) -> Result<usize> {
    let missing = usize::try_from(target - store.respondent_count(consultation.id).await?).unwrap_or(0);
    if missing == 0 {
        return Ok(0);
    }
    let mut rng = crate::demo_text::seeded(77);
    let days = consultation.closes_on.days_since_epoch() - consultation.opens_on.days_since_epoch();
    let mut responses = Vec::with_capacity(missing + missing / 40);
    for n in 0..missing {
        // Fixed mixes by position, reproducible: most people emailed, then events, post, phone.
        let channel = match n % 20 {
            0..=10 => ResponseChannel::Email,
            11..=14 => ResponseChannel::Event,
            15..=18 => ResponseChannel::Post,
            _ => ResponseChannel::Phone,
        };
        let organisation = (n % 25 == 7).then(|| ORGANISATIONS[(n / 25) % ORGANISATIONS.len()]);
        let mut received_on = consultation.opens_on.add_days((n as i64 * 7919) % (days + 1));
        if channel == ResponseChannel::Post && n % 3 == 0 {
            received_on = consultation.closes_on; // letters pile up on the last day
        }
        let areas = store.areas().names();
        let borough = if n % 9 == 4 || areas.is_empty() {
            String::new()
        } else {
            areas[(n * 13) % areas.len()].clone()
        };
        // One in twenty emails is a local campaign's letter, which the analysis should find.
        let text = if n % 20 == 5 && organisation.is_none() {
            crate::demo_text::campaign_letter(&mut rng, "Brickfield")
        } else {
            crate::demo_text::response(&mut rng, &borough)
        };
        responses.push(NewResponse {
            consultation_id: consultation.id,
            channel,
            source: ResponseSource::Synthetic,
            received_on,
            respondent_type: if organisation.is_some() {
                RespondentType::Organisation
            } else {
                RespondentType::Individual
            },
            organisation: organisation.unwrap_or_default().to_owned(),
            borough,
            user_id: None,
            email: (channel == ResponseChannel::Email).then(|| format!("respondent{n}@example.org")),
            entered_by: None,
            texts: vec![ResponseText { question: String::new(), text }],
            attachment: None,
        });
    }
    // Second emails from people who had written already.
    let again: Vec<NewResponse> = responses
        .iter()
        .filter(|r| r.email.is_some())
        .step_by(40)
        .map(|r| NewResponse {
            texts: vec![ResponseText {
                question: String::new(),
                text: format!("Writing again to add: {}", crate::demo_text::response(&mut rng, &r.borough)),
            }],
            received_on: r.received_on.add_days(3).min(consultation.closes_on),
            ..r.clone()
        })
        .collect();
    responses.extend(again);
    store.record_responses(&responses).await?;
    Ok(responses.len())
}

/// Organisations that write in to a consultation like this one (made up for the demo).
const ORGANISATIONS: [&str; 8] = [
    "Northside Residents' Association",
    "Canal Ward Safer Neighbourhood Panel",
    "Riverside Youth Trust",
    "Oak Street Traders' Group",
    "Hillside Women's Network",
    "Market Lane Tenants' Association",
    "Brickfield Community Centre",
    "Garden Estate Neighbourhood Watch",
];
