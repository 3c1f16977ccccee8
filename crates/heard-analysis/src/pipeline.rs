//! The whole analysis: responses in; themes, mapping, stance, campaigns and evidence out.
//!
//! 1. Each response is cut into points (sentences, then clauses) so one response can raise
//!    several themes.
//! 2. Campaigns (template responses) are found first, so they count in full but weigh once in
//!    discovery.
//! 3. Discovery clusters a bounded sample of points (average linkage, the number of themes chosen
//!    by silhouette unless given); or the analyst's framework gives the themes.
//! 4. Every response is mapped to themes in parallel chunks, with thresholds calibrated on the
//!    corpus itself; responses nothing fits go to the "other" bucket.
//! 5. Stance, evidence, counts and quotes follow.

use std::collections::HashMap;

use crate::campaigns;
use crate::cluster::{self, average_linkage, centroid, normalise, silhouette};
use crate::embed::{EmbedError, Embedder, Matrix, ModelInfo, dot};
use crate::evidence;
use crate::framework::{CatchAll, Framework, theme_id};
use crate::input::{Diagnostic, Input, ResponseId};
use crate::label;
use crate::stance::{self, Position, Question};
use crate::stance_head::{self, StanceHead};
use crate::text;

/// At most this many points of one response are read for themes (a 50,000-word response still
/// counts once, and its opening is what it is mapped by).
const MAX_POINTS_PER_RESPONSE: usize = 48;

#[derive(Clone, Debug)]
pub struct Options {
    /// Discover exactly this many themes (besides "other").
    pub themes: Option<usize>,
    pub framework: Option<Framework>,
    /// The question the responses answer (overrides the input's).
    pub question: Option<String>,
    pub campaign_min_size: usize,
    pub quotes_per_theme: usize,
    /// How many points discovery clusters at most; the rest are mapped to what it found.
    pub discovery_sample: usize,
    pub threads: usize,
    /// Responses per mapping chunk (bounds memory: a chunk's vectors are dropped after use).
    pub chunk: usize,
    /// Blanks out personal data in quotes and campaign templates.
    pub redact: fn(&str) -> String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            themes: None,
            framework: None,
            question: None,
            campaign_min_size: 3,
            quotes_per_theme: 3,
            discovery_sample: 2000,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            chunk: 2048,
            redact: |t| t.to_string(),
        }
    }
}

/// Reports progress: a stage name, and work done out of a total.
pub trait Progress: Sync {
    fn update(&self, stage: &'static str, done: usize, total: usize);
}

impl Progress for () {
    fn update(&self, _: &'static str, _: usize, _: usize) {}
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ThemeKind {
    Discovered,
    Framework,
    /// Responses that raise nothing the other themes cover.
    Other,
    /// Empty or content-free responses.
    NoReason,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Quote {
    pub response_id: ResponseId,
    pub text: String,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Positions {
    pub agree: usize,
    pub disagree: usize,
    pub unclear: usize,
}

impl Positions {
    fn add(&mut self, p: Position) {
        match p {
            Position::Agree => self.agree += 1,
            Position::Disagree => self.disagree += 1,
            Position::Unclear => self.unclear += 1,
        }
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Theme {
    pub topic_id: String,
    pub topic_label: String,
    pub topic_description: String,
    pub kind: ThemeKind,
    /// Responses that raise this theme (a response may raise several).
    pub count: usize,
    /// count / all responses.
    pub share: f32,
    /// Of `count`, how many belong to a campaign.
    pub campaign_responses: usize,
    pub keywords: Vec<String>,
    pub quotes: Vec<Quote>,
    pub positions: Positions,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Mapped {
    pub response_id: ResponseId,
    pub labels: Vec<String>,
    pub position: Position,
    pub evidence_rich: bool,
    pub evidence: Vec<&'static str>,
    pub campaign: Option<String>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Campaign {
    pub campaign_id: String,
    pub size: usize,
    pub template: String,
    pub labels: Vec<String>,
    pub response_ids: Vec<ResponseId>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Analysis {
    pub model: ModelInfo,
    /// The trained stance head that read stance, by what it was trained on (none for an open
    /// question, lexical mode, or a model no head was trained for).
    pub stance_head: Option<String>,
    pub notes: Vec<String>,
    pub question: Option<String>,
    pub framework: bool,
    pub responses: usize,
    pub themes: Vec<Theme>,
    pub mapping: Vec<Mapped>,
    pub campaigns: Vec<Campaign>,
    pub diagnostics: Vec<Diagnostic>,
}

/// One point of a response: a byte range of its text.
#[derive(Clone, Copy, Debug)]
struct Point {
    response: usize,
    start: usize,
    end: usize,
    /// The whole response, read besides its parts; discovery skips it (its parts are there).
    whole: bool,
    /// Says nothing of any subject (`text::says_nothing_of_substance`): read for stance, but
    /// neither a theme's seed nor a reason to map the response to one, unless the response says
    /// nothing else.
    generic: bool,
}

pub fn analyse(
    input: &Input,
    embedder: &dyn Embedder,
    options: &Options,
    progress: &dyn Progress,
) -> Result<Analysis, EmbedError> {
    let responses = &input.responses;
    let n = responses.len();
    let mut diagnostics = input.diagnostics.clone();
    let mut notes = Vec::new();
    let question_text = options.question.clone().or_else(|| input.question.clone());
    let question = Question::read(question_text.as_deref());
    // Which head ran is `Analysis::stance_head`, which every output names.
    let stance_head = stance_head_for(&question, embedder.info());

    progress.update("reading", 0, n);
    let points = points(input, options.threads, &mut diagnostics);
    let mut points_of: Vec<std::ops::Range<usize>> = vec![0..0; n];
    {
        let mut i = 0;
        while i < points.len() {
            let r = points[i].response;
            let start = i;
            while i < points.len() && points[i].response == r {
                i += 1;
            }
            points_of[r] = start..i;
        }
    }
    let point_text = |p: &Point| text_of(responses, p);
    let empty: Vec<bool> = points_of.iter().map(|r| r.is_empty()).collect();

    progress.update("campaigns", 0, n);
    let texts: Vec<&str> = responses.iter().map(|r| r.text.as_str()).collect();
    let groups = campaigns::find(&texts, options.campaign_min_size, options.threads);
    let mut campaign_of: Vec<Option<usize>> = vec![None; n];
    for (g, group) in groups.iter().enumerate() {
        for &m in &group.members {
            campaign_of[m] = Some(g);
        }
    }
    // Discovery sees each campaign once, through its representative.
    let distinct = |r: usize| campaign_of[r].is_none_or(|g| groups[g].representative == r);

    // Themes: from the framework, or discovered.
    let mut themes: Vec<ThemeModel>;
    let catch_alls: Vec<(CatchAll, String, String, String)>;
    let known: Known;
    if let Some(framework) = &options.framework {
        progress.update("embedding themes", 0, framework.themes.len());
        let regular: Vec<_> = framework.themes.iter().filter(|t| t.catch_all().is_none()).collect();
        // Each theme is read three ways (label with description, label, description) and the
        // three vectors summed: labels are short and descriptions long, and each catches
        // responses the other misses.
        let mut descriptions: Vec<String> = Vec::new();
        for t in &regular {
            descriptions.push(format!("{}: {}", t.label, t.description));
            descriptions.push(t.label.clone());
            descriptions.push(if t.description.is_empty() { t.label.clone() } else { t.description.clone() });
        }
        let refs: Vec<&str> = descriptions.iter().map(String::as_str).collect();
        let embedded = embedder.embed(&refs)?;
        let mut vectors = Matrix::with_capacity(embedded.dim, regular.len());
        for i in 0..regular.len() {
            let sum: Vec<f32> = (0..embedded.dim)
                .map(|d| embedded.row(3 * i)[d] + embedded.row(3 * i + 1)[d] + embedded.row(3 * i + 2)[d])
                .collect();
            vectors.push_normalised(&sum);
        }
        themes = regular
            .iter()
            .enumerate()
            .map(|(i, t)| ThemeModel {
                id: t.id.clone(),
                label: t.label.clone(),
                description: t.description.clone(),
                kind: ThemeKind::Framework,
                vector: vectors.row(i).to_vec(),
                keywords: vec![],
            })
            .collect();
        catch_alls = framework
            .themes
            .iter()
            .filter_map(|t| t.catch_all().map(|c| (c, t.id.clone(), t.label.clone(), t.description.clone())))
            .collect();
        known = Known::default();
    } else {
        let sample = discovery_sample(&points, &points_of, &distinct, options.discovery_sample);
        progress.update("embedding sample", 0, sample.len());
        let sample_texts: Vec<&str> = sample.iter().map(|&p| point_text(&points[p])).collect();
        let vectors = embed_in_batches(embedder, &sample_texts, &|done| {
            progress.update("embedding sample", done, sample.len())
        })?;
        progress.update("discovering themes", 0, 1);
        themes = discover(
            &vectors,
            &sample_texts,
            options.themes,
            options.redact,
            question_text.as_deref(),
            options.threads,
        );
        catch_alls = vec![];
        // Mapping reads every point again; the sample's are not run through the model twice.
        known = Known { rows: sample.iter().enumerate().map(|(row, &p)| (p, row)).collect(), vectors };
    }
    if themes.is_empty() {
        notes.push("no themes: there was too little text to find any".into());
    }

    // Map every response, chunk by chunk, in parallel.
    let k = themes.len();
    let mut theme_vectors = Matrix::with_capacity(embedder.dim(), themes.len());
    for t in &themes {
        theme_vectors.data.extend_from_slice(&t.vector);
    }
    let mut scores = vec![0f32; n * k];
    let keep_vectors = n <= 5000;
    let mut response_vectors = Matrix::with_capacity(embedder.dim(), if keep_vectors { n } else { 0 });
    let mut best_point = vec![(usize::MAX, 0f32); n * k];
    let mut favour = vec![0f32; n];
    let chunk = options.chunk.max(1);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Result<ChunkScores, EmbedError>> = {
        let ranges: Vec<std::ops::Range<usize>> =
            (0..n).step_by(chunk).map(|s| s..(s + chunk).min(n)).collect();
        // The model already spreads one batch over every core; a second caller only makes them
        // fight over the caches. The static table and lexical mode do use the threads.
        let callers = if embedder.info().mode == crate::embed::Mode::Accurate { 1 } else { options.threads };
        let threads = callers.clamp(1, ranges.len().max(1));
        let next = std::sync::atomic::AtomicUsize::new(0);
        let slots: Vec<std::sync::Mutex<Option<Result<ChunkScores, EmbedError>>>> =
            ranges.iter().map(|_| std::sync::Mutex::new(None)).collect();
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    loop {
                        let c = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(range) = ranges.get(c) else { break };
                        let result = score_chunk(
                            embedder,
                            &known,
                            &points,
                            &points_of,
                            range.clone(),
                            &theme_vectors,
                            responses,
                            keep_vectors,
                            stance_head.as_ref(),
                        );
                        *slots[c].lock().unwrap() = Some(result);
                        let so_far =
                            done.fetch_add(range.len(), std::sync::atomic::Ordering::Relaxed) + range.len();
                        progress.update("mapping responses", so_far, n);
                    }
                });
            }
        });
        slots.into_iter().map(|s| s.into_inner().unwrap().expect("every chunk is scored")).collect()
    };
    for result in results {
        let chunk = result?;
        let range = chunk.range.clone();
        scores[range.start * k..range.end * k].copy_from_slice(&chunk.scores);
        best_point[range.start * k..range.end * k].copy_from_slice(&chunk.best_point);
        if !chunk.favour.is_empty() {
            favour[range.clone()].copy_from_slice(&chunk.favour);
        }
        if keep_vectors {
            response_vectors.extend(&chunk.vectors);
        }
    }

    // Words shared with a theme's own text are a second, independent signal: embeddings blur
    // the specific terms ("employment", "tobacco") that often decide a theme.
    let lexicon = lexical_overlap(responses, &themes, options.threads);

    progress.update("deciding themes", 0, n);
    let mut labels_idx = decide_labels(&scores, &lexicon, None, &empty, n, k, options.threads);
    // A second reading: each theme also as respondents put it, the mean of the responses that
    // raised it first. Theme texts are short and worded by analysts; respondents say the same
    // things in their own words, and this lets those words count.
    if keep_vectors && k > 1 {
        let dim = response_vectors.dim;
        let mut sums = vec![0f32; k * dim];
        for (r, labels) in labels_idx.iter().enumerate() {
            if let Some(&t) = labels.first() {
                sums[t * dim..(t + 1) * dim]
                    .iter_mut()
                    .zip(response_vectors.row(r))
                    .for_each(|(s, x)| *s += x);
            }
        }
        let mut centroids = Matrix::with_capacity(dim, k);
        for sum in sums.chunks_exact(dim) {
            centroids.push_normalised(sum);
        }
        let near = cluster::dots(&response_vectors, &centroids);
        labels_idx =
            decide_labels(&scores, &lexicon, Some((&near, CENTROID_WEIGHT)), &empty, n, k, options.threads);
    }

    // Stance.
    let cue_scores: Vec<stance::Cues> =
        parallel_map(responses, options.threads, |r| stance::cues(&question, &r.text));
    let raw: Vec<f32> = cue_scores.iter().map(|c| c.score).collect();
    let neighbours = keep_vectors.then(|| nearest(&response_vectors, &empty, 5));
    let neighbour_scores = match &neighbours {
        Some(neighbours) => stance::smooth(&raw, neighbours),
        None => theme_mean_scores(&raw, &labels_idx, k),
    };
    // The head's lean, toward the proposal, with its neighbours' (the same argument is usually
    // made from the same side).
    let reading: Vec<f32> = match (&stance_head, &neighbours) {
        (None, _) => vec![0.0; n],
        (Some(_), neighbours) => {
            let toward = stance_head::direction(&question);
            let near = neighbours.as_ref().map(|nb| stance::smooth(&favour, nb));
            (0..n).map(|r| toward * (favour[r] + near.as_ref().map_or(0.0, |v| v[r]))).collect()
        }
    };
    let positions: Vec<Position> = (0..n)
        .map(|r| stance::decide(&question, cue_scores[r], neighbour_scores[r], reading[r], empty[r]))
        .collect();

    // Assemble themes, counts, quotes.
    let other_id = catch_alls
        .iter()
        .find(|c| c.0 == CatchAll::NoneOfTheAbove)
        .map(|c| c.1.clone())
        .unwrap_or_else(|| "XX".to_string());
    let no_reason_id = catch_alls
        .iter()
        .find(|c| c.0 == CatchAll::NoReason)
        .map(|c| c.1.clone())
        .unwrap_or_else(|| "XY".to_string());
    let mut evidence_of: Vec<(bool, Vec<&'static str>)> = parallel_map(responses, options.threads, |r| {
        let found = evidence::detect(&r.text);
        (found.rich(text::word_count(&r.text)), found.kinds())
    });
    let mut mapping = Vec::with_capacity(n);
    let mut counts = vec![0usize; k];
    let mut campaign_counts = vec![0usize; k];
    let mut theme_positions = vec![Positions::default(); k];
    let (mut other, mut no_reason) = (Bucket::default(), Bucket::default());
    for r in 0..n {
        let labels: Vec<String> = if empty[r] {
            no_reason.add(r, positions[r], campaign_of[r].is_some());
            vec![no_reason_id.clone()]
        } else if labels_idx[r].is_empty() {
            other.add(r, positions[r], campaign_of[r].is_some());
            vec![other_id.clone()]
        } else {
            labels_idx[r]
                .iter()
                .map(|&t| {
                    counts[t] += 1;
                    theme_positions[t].add(positions[r]);
                    if campaign_of[r].is_some() {
                        campaign_counts[t] += 1;
                    }
                    themes[t].id.clone()
                })
                .collect()
        };
        let (evidence_rich, evidence) = std::mem::take(&mut evidence_of[r]);
        mapping.push(Mapped {
            response_id: responses[r].id.clone(),
            labels,
            position: positions[r],
            evidence_rich,
            evidence,
            campaign: campaign_of[r].map(|g| format!("C{}", g + 1)),
        });
    }

    // Key phrases for framework themes come from what respondents wrote under them.
    if options.framework.is_some() && k > 0 {
        let mut classes: Vec<Vec<&str>> = vec![Vec::new(); k];
        for r in 0..n {
            for &t in &labels_idx[r] {
                let (p, _) = best_point[r * k + t];
                if p != usize::MAX && distinct(r) {
                    classes[t].push(point_text(&points[p]));
                }
            }
        }
        for (t, phrases) in
            label::key_phrases(&classes, 6, question_text.as_deref().unwrap_or("")).into_iter().enumerate()
        {
            themes[t].keywords = phrases.into_iter().map(|p| p.phrase).collect();
        }
    }

    let share = |c: usize| if n == 0 { 0.0 } else { c as f32 / n as f32 };
    let mut out_themes: Vec<Theme> = themes
        .iter()
        .enumerate()
        .map(|(t, model)| Theme {
            topic_id: model.id.clone(),
            topic_label: model.label.clone(),
            topic_description: model.description.clone(),
            kind: model.kind,
            count: counts[t],
            share: share(counts[t]),
            campaign_responses: campaign_counts[t],
            keywords: model.keywords.clone(),
            quotes: quotes(
                t,
                &labels_idx,
                &best_point,
                k,
                &points,
                &|r| distinct(r) && campaign_of[r].is_none(),
                responses,
                options,
            ),
            positions: theme_positions[t].clone(),
        })
        .collect();
    if options.framework.is_none() {
        // Discovered themes read best largest first; ids follow that order.
        let mut order: Vec<usize> = (0..out_themes.len()).collect();
        order.sort_by(|&a, &b| out_themes[b].count.cmp(&out_themes[a].count).then(a.cmp(&b)));
        let renamed: HashMap<String, String> =
            order.iter().enumerate().map(|(i, &t)| (out_themes[t].topic_id.clone(), theme_id(i))).collect();
        let mut sorted: Vec<Theme> = order.iter().map(|&t| out_themes[t].clone()).collect();
        for theme in &mut sorted {
            theme.topic_id = renamed[&theme.topic_id].clone();
        }
        for m in &mut mapping {
            for l in &mut m.labels {
                if let Some(new) = renamed.get(l) {
                    *l = new.clone();
                }
            }
        }
        out_themes = sorted;
    }
    let catch_all_label = |kind: CatchAll, default_label: &str, default_description: &str| {
        catch_alls
            .iter()
            .find(|c| c.0 == kind)
            .map(|c| (c.2.clone(), c.3.clone()))
            .unwrap_or_else(|| (default_label.to_string(), default_description.to_string()))
    };
    if other.count > 0 || catch_alls.iter().any(|c| c.0 == CatchAll::NoneOfTheAbove) {
        let (l, d) = catch_all_label(
            CatchAll::NoneOfTheAbove,
            "Other points",
            "Responses that raise points none of the themes above cover; read them individually.",
        );
        out_themes.push(other.theme(other_id, l, d, ThemeKind::Other, n, responses, options));
    }
    if no_reason.count > 0 || catch_alls.iter().any(|c| c.0 == CatchAll::NoReason) {
        let (l, d) = catch_all_label(
            CatchAll::NoReason,
            "No reason given",
            "Empty responses, or ones without any words to read.",
        );
        out_themes.push(no_reason.theme(no_reason_id, l, d, ThemeKind::NoReason, n, responses, options));
    }

    let campaigns_out = groups
        .iter()
        .enumerate()
        .map(|(g, group)| {
            let rep = group.representative;
            Campaign {
                campaign_id: format!("C{}", g + 1),
                size: group.members.len(),
                template: (options.redact)(&responses[rep].text),
                labels: mapping[rep].labels.clone(),
                response_ids: group.members.iter().map(|&m| responses[m].id.clone()).collect(),
            }
        })
        .collect();
    progress.update("done", n, n);
    Ok(Analysis {
        model: embedder.info().clone(),
        stance_head: stance_head.map(|h| h.trained_on),
        notes,
        question: question_text,
        framework: options.framework.is_some(),
        responses: n,
        themes: out_themes,
        mapping,
        campaigns: campaigns_out,
        diagnostics,
    })
}

struct ThemeModel {
    id: String,
    label: String,
    description: String,
    kind: ThemeKind,
    /// What responses are compared with.
    vector: Vec<f32>,
    keywords: Vec<String>,
}

#[derive(Default)]
struct Bucket {
    count: usize,
    members: Vec<usize>,
    positions: Positions,
    campaign: usize,
}

impl Bucket {
    fn add(&mut self, r: usize, p: Position, in_campaign: bool) {
        self.count += 1;
        self.members.push(r);
        self.positions.add(p);
        if in_campaign {
            self.campaign += 1;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn theme(
        self,
        id: String,
        label: String,
        description: String,
        kind: ThemeKind,
        n: usize,
        responses: &[crate::input::Response],
        options: &Options,
    ) -> Theme {
        let quotes = if kind == ThemeKind::Other {
            self.members
                .iter()
                .take(options.quotes_per_theme)
                .map(|&r| Quote {
                    response_id: responses[r].id.clone(),
                    text: (options.redact)(&text::shorten(&responses[r].text, 45)),
                })
                .collect()
        } else {
            vec![]
        };
        Theme {
            topic_id: id,
            topic_label: label,
            topic_description: description,
            kind,
            count: self.count,
            share: if n == 0 { 0.0 } else { self.count as f32 / n as f32 },
            campaign_responses: self.campaign,
            keywords: vec![],
            quotes,
            positions: self.positions,
        }
    }
}

/// The trained reading of stance, for the model that is running, when the question proposes an
/// action. The head reads whether a response speaks well of its subject; in "Do you support the
/// plan?" the subject of most responses is the problem the plan is about, and a response that
/// deplores violence supports a plan to reduce it. A question that proposes nothing has no stance.
fn stance_head_for(question: &Question, model: &crate::embed::ModelInfo) -> Option<StanceHead> {
    if question.closed && !question.actions.is_empty() { StanceHead::for_model(model) } else { None }
}

fn text_of<'a>(responses: &'a [crate::input::Response], p: &Point) -> &'a str {
    &responses[p.response].text[p.start..p.end]
}

/// Cuts each response into points. Very short pieces join their neighbour so that each point
/// says something on its own.
fn points(input: &Input, threads: usize, diagnostics: &mut Vec<Diagnostic>) -> Vec<Point> {
    let cut = parallel_map(&input.responses, threads, |response| cut_into_points(&response.text));
    let mut out = Vec::with_capacity(cut.iter().map(|(pieces, _)| pieces.len()).sum());
    for (r, (mut pieces, read_whole)) in cut.into_iter().enumerate() {
        if pieces.len() > MAX_POINTS_PER_RESPONSE {
            diagnostics.push(Diagnostic {
                line: None,
                message: format!(
                    "response {} is very long ({} points); its first {MAX_POINTS_PER_RESPONSE} were read for themes",
                    input.responses[r].id,
                    pieces.len()
                ),
            });
            pieces.truncate(MAX_POINTS_PER_RESPONSE);
        }
        let parts = pieces.len();
        let text = &input.responses[r].text;
        out.extend(pieces.into_iter().enumerate().map(|(i, (start, end))| {
            let whole = read_whole && i + 1 == parts;
            Point {
                response: r,
                start,
                end,
                whole,
                generic: !whole && text::says_nothing_of_substance(&text[start..end]),
            }
        }));
    }
    out
}

/// One response's points as byte ranges, and whether the last is the whole response read again.
fn cut_into_points(text: &str) -> (Vec<(usize, usize)>, bool) {
    let base = text.as_ptr() as usize;
    let mut pieces: Vec<(usize, usize)> = Vec::new();
    for sentence in text::sentences(text) {
        for clause in text::clauses(sentence, 4) {
            let start = clause.as_ptr() as usize - base;
            pieces.push((start, start + clause.len()));
        }
    }
    // Greetings, sign-offs and introductions are not points about the proposal, unless they are
    // all a response says (it still needs a point to be read by).
    if pieces.iter().any(|&(s, e)| !text::is_framing(&text[s..e])) {
        pieces.retain(|&(s, e)| !text::is_framing(&text[s..e]));
    }
    // Merge pieces with fewer than three words into the one before (or after).
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(pieces.len() + 1);
    for (s, e) in pieces {
        let words = text::word_count(&text[s..e]);
        if words == 0 {
            continue;
        }
        match merged.last_mut() {
            Some(last) if words < 3 || text::word_count(&text[last.0..last.1]) < 3 => last.1 = e,
            _ => merged.push((s, e)),
        }
    }
    // A response of a few points is also read whole: some themes live in how the points
    // combine rather than in any one of them.
    let read_whole = (2..=6).contains(&merged.len());
    if read_whole {
        let (first, last) = (merged[0].0, merged[merged.len() - 1].1);
        merged.push((first, last));
    }
    (merged, read_whole)
}

/// A spread of points from distinct responses, the same every run.
fn discovery_sample(
    points: &[Point],
    points_of: &[std::ops::Range<usize>],
    distinct: &dyn Fn(usize) -> bool,
    max: usize,
) -> Vec<usize> {
    let eligible: Vec<usize> = (0..points_of.len())
        .filter(|&r| distinct(r))
        .flat_map(|r| points_of[r].clone())
        .filter(|&p| !points[p].whole && !points[p].generic)
        .collect();
    if eligible.len() <= max {
        return eligible;
    }
    // A fixed-seed shuffle, then the first `max`: unbiased, and reproducible.
    let mut order = eligible;
    let mut state = 0x9e3779b97f4a7c15u64;
    for i in (1..order.len()).rev() {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let j = ((state >> 33) as usize) % (i + 1);
        order.swap(i, j);
    }
    order.truncate(max);
    order.sort_unstable();
    order
}

pub(crate) fn embed_in_batches(
    embedder: &dyn Embedder,
    texts: &[&str],
    progress: &dyn Fn(usize),
) -> Result<Matrix, EmbedError> {
    let mut out = Matrix::with_capacity(embedder.dim(), texts.len());
    for (i, batch) in texts.chunks(256).enumerate() {
        out.extend(&embedder.embed(batch)?);
        progress((i * 256 + batch.len()).min(texts.len()));
    }
    Ok(out)
}

/// Clusters the sample and turns each large enough cluster into a theme.
fn discover(
    vectors: &Matrix,
    texts: &[&str],
    wanted: Option<usize>,
    redact: fn(&str) -> String,
    question: Option<&str>,
    threads: usize,
) -> Vec<ThemeModel> {
    let m = vectors.rows();
    if m < 3 {
        return vec![];
    }
    let distances = cluster::Distances::new(vectors);
    let dendrogram = average_linkage(&distances);
    // A theme needs a few respondents; smaller clusters are outliers for "other".
    let min_size = ((m as f32 * 0.015).ceil() as usize).max(3);
    let labels = match wanted {
        Some(k) => cut_to_themes(&dendrogram, k, min_size),
        None => {
            // Silhouette alone favours a handful of broad groups; analysts want themes they can
            // act on, so the search starts at about half the square root of the points.
            let root = (m as f32).sqrt();
            let min_k = (root * 0.5).round().clamp(2.0, 12.0) as usize;
            let max_k = (root * 1.5).round().clamp(min_k as f32, 40.0) as usize;
            let ks: Vec<usize> = (min_k..=max_k.min(m - 1)).collect();
            let cuts = parallel_map(&ks, threads, |&k| {
                let cut = cut_to_themes(&dendrogram, k, min_size);
                (silhouette(&distances, &cut), cut)
            });
            fewest_near_best(cuts).unwrap_or_else(|| dendrogram.cut(min_k))
        }
    };
    let k = labels.iter().filter(|&&l| l != usize::MAX).max().map_or(0, |m| m + 1);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (i, &l) in labels.iter().enumerate() {
        if l != usize::MAX {
            members[l].push(i);
        }
    }
    let mut classes: Vec<Vec<&str>> =
        members.iter().map(|ms| ms.iter().map(|&i| texts[i]).collect()).collect();
    // The outliers take part as a class of their own, so phrases common to everything lose out.
    classes
        .push(labels.iter().enumerate().filter(|(_, l)| **l == usize::MAX).map(|(i, _)| texts[i]).collect());
    let phrases = label::key_phrases(&classes, 6, question.unwrap_or(""));
    let mut themes: Vec<ThemeModel> = members
        .iter()
        .enumerate()
        .map(|(c, ms)| {
            let vector = centroid(vectors, ms.iter().copied());
            let central = ms
                .iter()
                .copied()
                .filter(|&i| text::word_count(texts[i]) <= 30)
                .max_by(|&a, &b| dot(vectors.row(a), &vector).total_cmp(&dot(vectors.row(b), &vector)))
                .or_else(|| ms.first().copied());
            let keywords: Vec<String> = phrases[c].iter().map(|p| p.phrase.clone()).collect();
            // A claim one of its central points makes reads better than two key phrases joined.
            let mut by_closeness: Vec<usize> = ms.clone();
            by_closeness
                .sort_by(|&a, &b| dot(vectors.row(b), &vector).total_cmp(&dot(vectors.row(a), &vector)));
            let central_points = || by_closeness.iter().take(15);
            let claim = central_points()
                .find_map(|&i| label::claim(texts[i]))
                .or_else(|| central_points().find_map(|&i| label::opening_claim(texts[i])));
            // The description is one whole sentence of the theme's, the closest to its centre
            // that reads on its own; a list of its key phrases only when none does.
            let sentence = central_points()
                .find(|&&i| text::reads_alone(texts[i]) && text::word_count(texts[i]) <= 30)
                .map(|&i| redact(texts[i]).trim().to_string());
            ThemeModel {
                id: theme_id(c),
                label: claim.unwrap_or_else(|| label::title(&phrases[c])),
                description: sentence
                    .unwrap_or_else(|| describe(&keywords, central.map(|i| redact(texts[i])).as_deref())),
                kind: ThemeKind::Discovered,
                vector,
                keywords,
            }
        })
        .collect();
    let mut titles: Vec<String> = themes.iter().map(|t| t.label.clone()).collect();
    label::make_distinct(&mut titles, &phrases[..themes.len()]);
    for (theme, title) in themes.iter_mut().zip(titles) {
        theme.label = title;
    }
    themes
}

/// The cut with the fewest themes among those whose silhouette is within a tenth of the best
/// (`cuts` in order of theme count). Silhouette does not fall away after the natural number of
/// themes: it dips, then creeps up again as clusters split into near-identical phrasings, and a
/// peak there can edge out the natural one by a hair (fast mode's 40 themes against 15, issue 19).
/// Fewer themes read better, so a near tie goes to the coarser cut.
fn fewest_near_best(cuts: Vec<(f32, Vec<usize>)>) -> Option<Vec<usize>> {
    let best = cuts.iter().map(|(s, _)| *s).fold(f32::NEG_INFINITY, f32::max);
    let floor = best - NEAR_BEST_SILHOUETTE * best.abs();
    cuts.into_iter().find(|(s, _)| *s >= floor).map(|(_, cut)| cut)
}

/// How close to the best silhouette a coarser cut must come to be preferred (a tenth: chosen on
/// the synthetic bench corpus and gambling-xs; see `fewest_near_best`).
const NEAR_BEST_SILHOUETTE: f32 = 0.1;

/// Cuts the tree so that `k` clusters of at least `min_size` remain, the rest marked outliers
/// (`usize::MAX`). Cutting finer finds more small clusters, so it searches for the right cut.
fn cut_to_themes(dendrogram: &cluster::Dendrogram, k: usize, min_size: usize) -> Vec<usize> {
    let n = dendrogram.leaves;
    let mut chosen = None;
    for cut_at in k..=n {
        let labels = dendrogram.cut(cut_at);
        let mut sizes: HashMap<usize, usize> = HashMap::new();
        for &l in &labels {
            *sizes.entry(l).or_default() += 1;
        }
        let big = sizes.values().filter(|&&s| s >= min_size).count();
        if big >= k {
            chosen = Some((labels, sizes));
            break;
        }
        if cut_at > k * 4 {
            break;
        }
    }
    let Some((labels, sizes)) = chosen else {
        return dendrogram.cut(k);
    };
    // Keep the k largest clusters, renumbered in order of first appearance.
    let mut by_size: Vec<(usize, usize)> = sizes.into_iter().collect();
    by_size.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let kept: std::collections::HashSet<usize> = by_size.iter().take(k).map(|(l, _)| *l).collect();
    let mut names = HashMap::new();
    labels
        .iter()
        .map(|l| {
            if kept.contains(l) {
                let next = names.len();
                *names.entry(*l).or_insert(next)
            } else {
                usize::MAX
            }
        })
        .collect()
}

/// A one-line description for a theme none of whose central sentences reads on its own: what the
/// responses talk about, and a typical point in their words.
fn describe(keywords: &[String], central: Option<&str>) -> String {
    let topics = match keywords.len() {
        0 => String::new(),
        1 => keywords[0].clone(),
        _ => {
            let shown: Vec<&str> = keywords.iter().take(3).map(String::as_str).collect();
            format!("{} and {}", shown[..shown.len() - 1].join(", "), shown[shown.len() - 1])
        }
    };
    match (topics.is_empty(), central) {
        (false, Some(c)) => format!("Responses about {topics}; typically: “{}”", text::shorten(c.trim(), 25)),
        (false, None) => format!("Responses about {topics}."),
        (true, Some(c)) => format!("Typically: “{}”", text::shorten(c.trim(), 25)),
        (true, None) => String::new(),
    }
}

struct ChunkScores {
    range: std::ops::Range<usize>,
    /// (responses in range) x k: each response's best point similarity per theme.
    scores: Vec<f32>,
    /// The point achieving it, and that similarity.
    best_point: Vec<(usize, f32)>,
    /// Mean point vector per response (when kept).
    vectors: Matrix,
    /// The stance head's logit per response (empty without a head).
    favour: Vec<f32>,
}

/// Points already embedded (the discovery sample): point index to row of `vectors`.
#[derive(Default)]
struct Known {
    rows: HashMap<usize, usize>,
    vectors: Matrix,
}

fn score_chunk(
    embedder: &dyn Embedder,
    known: &Known,
    points: &[Point],
    points_of: &[std::ops::Range<usize>],
    range: std::ops::Range<usize>,
    themes: &Matrix,
    responses: &[crate::input::Response],
    keep_vectors: bool,
    stance_head: Option<&StanceHead>,
) -> Result<ChunkScores, EmbedError> {
    let k = themes.rows();
    let first_point = points_of[range.clone()].iter().find(|r| !r.is_empty()).map_or(0, |r| r.start);
    let last_point = points_of[range.clone()].iter().rev().find(|r| !r.is_empty()).map_or(0, |r| r.end);
    let span = first_point..last_point.max(first_point);
    // A response read whole as well as in parts is not run through the model again: its vector is
    // the mean of its parts' (the model's own pooling is a mean too), which halves the tokens the
    // accurate mode reads for most responses.
    let texts: Vec<&str> = span
        .clone()
        .filter(|&p| !points[p].whole && !known.rows.contains_key(&p))
        .map(|p| text_of(responses, &points[p]))
        .collect();
    let parts = embed_in_batches(embedder, &texts, &|_| ())?;
    let mut vectors = Matrix::with_capacity(embedder.dim(), span.len());
    let mut next_part = 0;
    let mut sum = vec![0f32; embedder.dim()];
    for p in span.clone() {
        if points[p].whole {
            let r = points[p].response;
            sum.iter_mut().for_each(|x| *x = 0.0);
            let parts = points_of[r].clone().filter(|&q| q != p);
            let substantive = parts.clone().any(|q| !points[q].generic);
            for q in parts.filter(|&q| !substantive || !points[q].generic) {
                sum.iter_mut().zip(vectors.row(q - first_point)).for_each(|(s, x)| *s += x);
            }
            vectors.push_normalised(&sum);
        } else if let Some(&row) = known.rows.get(&p) {
            vectors.push_normalised(known.vectors.row(row));
        } else {
            vectors.push_normalised(parts.row(next_part));
            next_part += 1;
        }
    }
    // Every point against every theme in one matrix product.
    let similarities = cluster::dots(&vectors, themes);
    let mut scores = vec![0f32; range.len() * k];
    let mut best_point = vec![(usize::MAX, 0f32); range.len() * k];
    let mut means = Matrix::with_capacity(embedder.dim(), if keep_vectors { range.len() } else { 0 });
    let mut mean = vec![0f32; embedder.dim()];
    let mut favour = Vec::with_capacity(if stance_head.is_some() { range.len() } else { 0 });
    let need_mean = keep_vectors || stance_head.is_some();
    for (offset, r) in range.clone().enumerate() {
        mean.iter_mut().for_each(|x| *x = 0.0);
        let substantive = points_of[r].clone().any(|p| !points[p].generic);
        for p in points_of[r].clone() {
            let v = vectors.row(p - first_point);
            if need_mean {
                mean.iter_mut().zip(v).for_each(|(m, x)| *m += x);
            }
            if substantive && points[p].generic {
                continue;
            }
            for t in 0..k {
                let s = similarities[(p - first_point) * k + t];
                let slot = offset * k + t;
                if best_point[slot].0 == usize::MAX || s > scores[slot] {
                    scores[slot] = s;
                    best_point[slot] = (p, s);
                }
            }
        }
        if need_mean {
            normalise(&mut mean);
        }
        if keep_vectors {
            means.data.extend_from_slice(&mean);
        }
        if let Some(head) = stance_head {
            favour.push(if points_of[r].is_empty() { 0.0 } else { head.favour(&mean) });
        }
    }
    Ok(ChunkScores { range, scores, best_point, vectors: means, favour })
}

/// Labels per response. Each theme's scores are standardised over the corpus (a theme whose text
/// happens to sit close to everything does not win everywhere), embedding and word-overlap
/// evidence are added, and a response takes its best theme plus up to two more that stand out
/// nearly as much. A response whose best theme is a standard deviation below that theme's
/// average raises none of them: it goes to "other".
fn decide_labels(
    scores: &[f32],
    lexicon: &[f32],
    centroid: Option<(&[f32], f32)>,
    empty: &[bool],
    n: usize,
    k: usize,
    threads: usize,
) -> Vec<Vec<usize>> {
    if k == 0 {
        return vec![vec![]; n];
    }
    let z_embedding = standardise(scores, empty, n, k);
    let z_words = standardise(lexicon, empty, n, k);
    let z_centroid = centroid.map(|(c, w)| (standardise(c, empty, n, k), w));
    let rows: Vec<usize> = (0..n).collect();
    parallel_map(&rows, threads, |&r| {
        if empty[r] {
            return vec![];
        }
        let combined: Vec<f32> = (0..k)
            .map(|t| {
                z_embedding[r * k + t]
                    + WORD_WEIGHT * z_words[r * k + t]
                    + z_centroid.as_ref().map_or(0.0, |(z, w)| w * z[r * k + t])
            })
            .collect();
        let mut order: Vec<usize> = (0..k).collect();
        order.sort_by(|&a, &b| combined[b].total_cmp(&combined[a]).then(a.cmp(&b)));
        let best = order[0];
        if combined[best] < BEST_THEME_FLOOR {
            return vec![];
        }
        let mut chosen = vec![best];
        for &t in order.iter().skip(1).take(2) {
            if combined[t] >= EXTRA_THEME_FLOOR && combined[t] >= combined[best] - EXTRA_THEME_MARGIN {
                chosen.push(t);
            }
        }
        chosen
    })
}

/// How much word overlap counts beside the embedding, in standard deviations.
const WORD_WEIGHT: f32 = 0.3;
/// How much closeness to a theme's respondents (the second reading) counts. On the gambling set,
/// 0.3 to 1.0 all helped (map F1 0.539 to 0.549-0.552, discover 0.357 to 0.363-0.389); 2.0 hurt.
const CENTROID_WEIGHT: f32 = 0.5;
/// Below this (in standard deviations) even a response's best theme does not fit it.
const BEST_THEME_FLOOR: f32 = -1.0;
/// A second or third theme must stand this many standard deviations above its average...
const EXTRA_THEME_FLOOR: f32 = 0.3;
/// ...and be within this many of the response's best theme. (Tuned on the gambling set's two
/// questions, where the choice moved F1 by about 0.02; see the engine issue's closing note.)
const EXTRA_THEME_MARGIN: f32 = 1.5;

/// Each column of an n x k matrix as z-scores over the non-empty rows.
fn standardise(values: &[f32], empty: &[bool], n: usize, k: usize) -> Vec<f32> {
    let live: Vec<usize> = (0..n).filter(|&r| !empty[r]).collect();
    let mut out = vec![0f32; n * k];
    for t in 0..k {
        let count = live.len().max(1) as f32;
        let mean = live.iter().map(|&r| values[r * k + t]).sum::<f32>() / count;
        let var = live.iter().map(|&r| (values[r * k + t] - mean).powi(2)).sum::<f32>() / count;
        let sd = var.sqrt().max(1e-6);
        for &r in &live {
            out[r * k + t] = (values[r * k + t] - mean) / sd;
        }
    }
    out
}

/// Word overlap of each response with each theme's text (label and description, or key
/// phrases), weighted by rarity across the responses. Words are cut to their first five letters,
/// a crude stem that makes "economically" meet "economic" and "employ" meet "employment".
fn lexical_overlap(responses: &[crate::input::Response], themes: &[ThemeModel], threads: usize) -> Vec<f32> {
    let k = themes.len();
    let n = responses.len();
    if k == 0 {
        return vec![0.0; n * k];
    }
    let theme_words: Vec<Vec<String>> = themes
        .iter()
        .map(|t| {
            let source = if t.kind == ThemeKind::Framework {
                format!("{} {}", t.label, t.description)
            } else {
                t.keywords.join(" ")
            };
            prefixes(&source)
        })
        .collect();
    // Only the themes' words matter: each response is read down to the ones it shares with
    // any theme, as indexes into `vocabulary`, in the sorted order of the words.
    let mut vocabulary: Vec<&str> = theme_words.iter().flatten().map(String::as_str).collect();
    vocabulary.sort_unstable();
    vocabulary.dedup();
    let index: HashMap<&str, u32> = vocabulary.iter().enumerate().map(|(i, w)| (*w, i as u32)).collect();
    let shared: Vec<Vec<u32>> = parallel_map(responses, threads, |r| {
        // The vocabulary is sorted, so sorted indexes are the words in sorted order.
        let mut ids: Vec<u32> = Vec::new();
        for_each_prefix(&r.text, |w| ids.extend(index.get(w)));
        ids.sort_unstable();
        ids.dedup();
        ids
    });
    let mut df = vec![0u32; vocabulary.len()];
    for d in &shared {
        for &w in d {
            df[w as usize] += 1;
        }
    }
    let idf: Vec<f32> = df.iter().map(|&d| ((n as f32 + 1.0) / (d as f32 + 1.0)).ln() + 1.0).collect();
    // Which themes hold each word.
    let mut holders: Vec<Vec<u32>> = vec![Vec::new(); vocabulary.len()];
    for (t, ws) in theme_words.iter().enumerate() {
        for w in ws {
            holders[index[w.as_str()] as usize].push(t as u32);
        }
    }
    let norms: Vec<f32> = theme_words
        .iter()
        .map(|ws| ws.iter().map(|w| idf[index[w.as_str()] as usize].powi(2)).sum::<f32>().sqrt().max(1e-6))
        .collect();
    let mut out = vec![0f32; n * k];
    for (r, d) in shared.iter().enumerate() {
        // Words in sorted order, so each theme's sum adds the same terms in the same order as
        // walking the theme's own sorted words would.
        for &w in d {
            for &t in &holders[w as usize] {
                out[r * k + t as usize] += idf[w as usize];
            }
        }
        for t in 0..k {
            out[r * k + t] /= norms[t];
        }
    }
    out
}

/// A text's distinct content words cut to their first five letters, sorted.
fn prefixes(text: &str) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for_each_prefix(text, |w| v.push(w.to_string()));
    v.sort_unstable();
    v.dedup();
    v
}

/// Calls `f` with the first five letters of each content word of `text`, in order.
fn for_each_prefix(text: &str, mut f: impl FnMut(&str)) {
    text::for_each_word(text, |w| {
        if w.chars().nth(2).is_some() && !text::is_stop_word(w) {
            let cut = w.char_indices().nth(5).map_or(w.len(), |(i, _)| i);
            f(&w[..cut]);
        }
    });
}

/// `f` of each item, in order, computed on up to `threads` threads in contiguous chunks.
pub(crate) fn parallel_map<T: Sync, U: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> U + Sync,
) -> Vec<U> {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let size = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(size)
            .map(|chunk| scope.spawn(move || chunk.iter().map(f).collect::<Vec<U>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a worker thread panicked")).collect()
    })
}

/// Each response's nearest neighbours by cosine, for smoothing stance. The similarities come a
/// block of rows at a time, each block one matrix product against all rows, so memory stays at
/// `NEAREST_BLOCK` x n.
fn nearest(vectors: &Matrix, empty: &[bool], k: usize) -> Vec<Vec<(usize, f32)>> {
    let n = vectors.rows();
    let mut out = Vec::with_capacity(n);
    for start in (0..n).step_by(NEAREST_BLOCK) {
        let end = (start + NEAREST_BLOCK).min(n);
        let block =
            Matrix { dim: vectors.dim, data: vectors.data[start * vectors.dim..end * vectors.dim].to_vec() };
        let similarities = cluster::dots(&block, vectors);
        for i in start..end {
            if empty[i] {
                out.push(vec![]);
                continue;
            }
            let row = &similarities[(i - start) * n..(i - start + 1) * n];
            let mut sims: Vec<(usize, f32)> =
                (0..n).filter(|&j| j != i && !empty[j]).map(|j| (j, row[j])).collect();
            let take = k.min(sims.len());
            if take == 0 {
                out.push(vec![]);
                continue;
            }
            sims.select_nth_unstable_by(take - 1, |a, b| b.1.total_cmp(&a.1));
            sims.truncate(take);
            out.push(sims);
        }
    }
    out
}

const NEAREST_BLOCK: usize = 512;

fn theme_mean_scores(raw: &[f32], labels: &[Vec<usize>], k: usize) -> Vec<f32> {
    let mut sum = vec![0f32; k];
    let mut count = vec![0f32; k];
    for (r, ls) in labels.iter().enumerate() {
        if let Some(&t) = ls.first() {
            sum[t] += raw[r].clamp(-3.0, 3.0);
            count[t] += 1.0;
        }
    }
    labels
        .iter()
        .enumerate()
        .map(|(r, ls)| match ls.first() {
            Some(&t) if count[t] > 1.0 => (sum[t] - raw[r].clamp(-3.0, 3.0)) / (count[t] - 1.0),
            _ => 0.0,
        })
        .collect()
}

/// Representative and diverse quotes: the best-matching points, each from a different response,
/// skipping ones too like a quote already chosen (maximal marginal relevance on words).
#[allow(clippy::too_many_arguments)]
fn quotes(
    t: usize,
    labels: &[Vec<usize>],
    best_point: &[(usize, f32)],
    k: usize,
    points: &[Point],
    quotable: &dyn Fn(usize) -> bool,
    responses: &[crate::input::Response],
    options: &Options,
) -> Vec<Quote> {
    let mut candidates: Vec<(usize, usize, f32)> = labels
        .iter()
        .enumerate()
        .filter(|(r, ls)| ls.contains(&t) && quotable(*r))
        .filter_map(|(r, _)| {
            let (p, s) = best_point[r * k + t];
            (p != usize::MAX).then_some((r, p, s))
        })
        .collect();
    candidates.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    // A quote is the response's own sentences with greetings and self-introductions left out,
    // or, for a long one, the sentence that makes the theme's point. Those that read on their own
    // come first: "No. Its use is increasing" answers someone else.
    let mut shaped: Vec<(usize, String, bool)> = candidates
        .into_iter()
        .take(200)
        .map(|(r, p, _)| {
            let shown = quote_text(&responses[r].text, &points[p]);
            let alone = text::reads_alone(&shown);
            (r, shown, alone)
        })
        .collect();
    shaped.sort_by_key(|&(_, _, alone)| !alone);
    let mut chosen: Vec<(usize, String, std::collections::HashSet<String>)> = Vec::new();
    for (r, shown, _) in shaped {
        let stems: std::collections::HashSet<String> = text::content_stems(&shown).into_iter().collect();
        let too_alike = chosen.iter().any(|(_, _, other)| {
            let shared = stems.intersection(other).count() as f32;
            shared / (stems.len().min(other.len()).max(1) as f32) > 0.6
        });
        if !too_alike {
            chosen.push((r, shown, stems));
        }
        if chosen.len() >= options.quotes_per_theme {
            break;
        }
    }
    chosen
        .into_iter()
        .map(|(r, shown, _)| Quote { response_id: responses[r].id.clone(), text: (options.redact)(&shown) })
        .collect()
}

/// What to show of a response as a quote of the theme its point `p` raises: the sentence that
/// point is in, or, when the response raised it as a whole, its sentences less greetings and
/// self-introductions. A response that says three things is quoted for the one that is the theme's.
fn quote_text(whole: &str, p: &Point) -> String {
    if p.whole {
        let kept: Vec<&str> =
            text::sentences(whole).into_iter().filter(|s| !text::is_framing(s)).map(str::trim).collect();
        let joined = kept.join(" ");
        if !kept.is_empty() && text::word_count(&joined) <= 45 {
            return joined;
        }
    }
    // The sentences the point is in (a point may be a clause of one, or join short ones),
    // shortened if need be.
    let base = whole.as_ptr() as usize;
    let spans: Vec<(usize, usize)> = text::sentences(whole)
        .into_iter()
        .map(|s| (s.as_ptr() as usize - base, s.as_ptr() as usize - base + s.len()))
        .collect();
    let last = p.end.saturating_sub(1).max(p.start);
    let start = spans.iter().find(|&&(s, e)| s <= p.start && p.start < e).map_or(p.start, |&(s, _)| s);
    let end = spans.iter().find(|&&(s, e)| s <= last && last < e).map_or(p.end, |&(_, e)| e).max(start);
    // Whole sentences up to 45 words, so a quote ends where its writer ended a thought; a first
    // sentence longer than that is cut.
    let mut cut = start;
    for &(s, e) in spans.iter().filter(|&&(s, e)| s >= start && e <= end) {
        if cut > start && text::word_count(&whole[start..e]) > 45 {
            break;
        }
        cut = e.max(s);
    }
    if cut == start {
        cut = end;
    }
    text::shorten(whole[start..cut].trim(), 45)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::lexical::Lexical;
    use crate::input::Response;

    fn input(texts: &[&str]) -> Input {
        Input {
            question: Some("What would make parks feel safer after dark?".into()),
            responses: texts
                .iter()
                .enumerate()
                .map(|(i, t)| Response::new(ResponseId::Number(i as i64 + 1), *t))
                .collect(),
            diagnostics: vec![],
        }
    }

    #[test]
    fn a_near_tie_in_silhouette_goes_to_the_fewer_themes() {
        // Silhouettes of cuts into 12, 13, ... themes: a peak at 15, then a creep up past it.
        let cuts: Vec<(f32, Vec<usize>)> = [0.11, 0.12, 0.14, 0.189, 0.09, 0.15, 0.1996]
            .iter()
            .enumerate()
            .map(|(i, &s)| (s, vec![i]))
            .collect();
        assert_eq!(fewest_near_best(cuts), Some(vec![3]));
        // A clear best wins however many themes it has.
        let cuts: Vec<(f32, Vec<usize>)> =
            [0.05, 0.08, 0.20].iter().enumerate().map(|(i, &s)| (s, vec![i])).collect();
        assert_eq!(fewest_near_best(cuts), Some(vec![2]));
        assert_eq!(fewest_near_best(vec![]), None);
    }

    #[test]
    fn the_stance_head_reads_only_questions_that_propose_an_action() {
        let minilm = crate::embed::ModelInfo {
            mode: crate::embed::Mode::Accurate,
            model: Some("all-MiniLM-L6-v2".into()),
            sha256: Some(crate::embed::minilm::model_sha256()),
        };
        let head = |q: &str| stance_head_for(&Question::read(Some(q)), &minilm).is_some();
        assert!(head("Should the council ban cars from the high street?"));
        assert!(head("Do you agree that the council should close the park gates at dusk?"));
        // Complaints about crime support a crime plan; the head would read them as against it.
        assert!(!head("Do you support the plan?"));
        assert!(!head("What would make parks feel safer after dark?"));
        let other_weights = crate::embed::ModelInfo { sha256: Some("0".repeat(64)), ..minilm.clone() };
        assert!(stance_head_for(&Question::read(Some("Should we ban cars?")), &other_weights).is_none());
    }

    #[test]
    fn who_is_writing_is_not_a_point() {
        let text = "As a carer in Westminster, this matters to me. The Victim Care service helped me a lot \
                    when my case went to court.";
        let (pieces, _) = cut_into_points(text);
        assert!(!pieces.is_empty());
        for (s, e) in pieces {
            assert!(!text[s..e].contains("carer"), "{:?}", &text[s..e]);
        }
        // Unless it is all the response says.
        let alone = "As a pensioner in London, this matters to me.";
        assert_eq!(cut_into_points(alone).0.len(), 1);
    }

    #[test]
    fn an_opinion_of_the_whole_proposal_is_not_a_theme() {
        let subjects = [
            [
                "The street lighting on the paths is broken",
                "More street lighting by the paths please",
                "Street lighting is too dim along the paths",
                "Fix the broken street lighting near the paths",
            ],
            [
                "Police patrols on foot would help",
                "We need more police patrols on foot",
                "Police patrols on foot make people feel safe",
                "Bring back police patrols on foot",
            ],
            [
                "Lock the park gates at closing time",
                "The park gates should be locked at closing time",
                "Nobody locks the park gates at closing time",
                "Park gates left open after closing time",
            ],
        ];
        let opinions =
            ["Overall I support the plan.", "Good luck with it.", "I have mixed feelings about this."];
        // Subject and opinion vary independently: response i is on subject i % 3.
        let texts: Vec<String> = (0..36)
            .map(|i| format!("{} {}.", opinions[(i / 12) % 3], subjects[i % 3][(i / 3) % 4]))
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let lexical = Lexical::fit(refs.iter().copied());
        let analysis = analyse(&input(&refs), &lexical, &Options::default(), &()).unwrap();
        let discovered: Vec<&Theme> =
            analysis.themes.iter().filter(|t| t.kind == ThemeKind::Discovered).collect();
        assert!(discovered.len() >= 3, "{:#?}", analysis.themes);
        // Every theme is one subject's: none gathers the responses that share an opinion.
        for theme in discovered {
            let members: Vec<usize> = analysis
                .mapping
                .iter()
                .enumerate()
                .filter(|(_, m)| m.labels.contains(&theme.topic_id))
                .map(|(i, _)| i)
                .collect();
            assert!(
                members.iter().all(|i| i % 3 == members[0] % 3),
                "{} mixes subjects: {members:?}",
                theme.topic_label
            );
        }
    }

    #[test]
    fn every_response_is_counted_once_in_the_mapping() {
        let lighting = [
            "The street lighting on the paths is broken",
            "More street lighting by the paths please",
            "Street lighting is too dim along the paths",
            "Fix the broken street lighting near the paths",
        ];
        let patrols = [
            "Police patrols on foot would help",
            "We need more police patrols on foot",
            "Police patrols on foot make people feel safe",
            "Bring back police patrols on foot",
        ];
        let gates = [
            "Lock the park gates at closing time",
            "The park gates should be locked at closing time",
            "Nobody locks the park gates at closing time",
            "Park gates left open after closing time",
        ];
        let extra =
            ["in winter", "every evening", "this year", "at weekends", "near the pond", "by the cafe"];
        let mut texts = Vec::new();
        for i in 0..12 {
            let e = extra[i % extra.len()];
            texts.push(format!("{} {e}.", lighting[i % 4]));
            texts.push(format!("{} {e}.", patrols[i % 4]));
            texts.push(format!("{} {e}.", gates[i % 4]));
        }
        texts.push(String::new());
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let input = input(&refs);
        let lexical = Lexical::fit(refs.iter().copied());
        let chosen = analyse(&input, &lexical, &Options::default(), &()).unwrap();
        assert_eq!(chosen.mapping.len(), texts.len());
        let total: usize =
            chosen.themes.iter().filter(|t| t.kind != ThemeKind::Discovered).map(|t| t.count).sum::<usize>()
                + chosen.mapping.iter().filter(|m| m.labels.iter().all(|l| l != "XX" && l != "XY")).count();
        assert_eq!(total, texts.len(), "every response is in a theme, in other, or in no reason");
        let analysis =
            analyse(&input, &lexical, &Options { themes: Some(3), ..Options::default() }, &()).unwrap();
        assert_eq!(analysis.mapping.len(), texts.len());
        assert!(analysis.mapping.iter().all(|m| !m.labels.is_empty()));
        assert_eq!(analysis.mapping.last().unwrap().labels, ["XY"]);
        let themed: Vec<&Theme> =
            analysis.themes.iter().filter(|t| t.kind == ThemeKind::Discovered).collect();
        assert!(themed.len() >= 3, "{:#?}", analysis.themes);
        // Responses on one subject share a theme, and the three subjects get three themes.
        let main_theme = |offset: usize| {
            let mut counts: HashMap<&str, usize> = HashMap::new();
            for m in analysis.mapping.iter().skip(offset).step_by(3).take(12) {
                for l in &m.labels {
                    *counts.entry(l.as_str()).or_default() += 1;
                }
            }
            counts.into_iter().max_by_key(|(_, c)| *c).unwrap()
        };
        let (lighting, patrols, gates) = (main_theme(0), main_theme(1), main_theme(2));
        for (theme, count) in [lighting, patrols, gates] {
            assert!(count >= 10, "{theme} covers only {count} of 12: {:#?}", analysis.mapping);
        }
        assert!(lighting.0 != patrols.0 && patrols.0 != gates.0 && lighting.0 != gates.0);
    }

    #[test]
    fn a_theme_is_described_by_one_of_its_own_sentences() {
        let lighting = [
            "The street lighting on the canal path is broken again.",
            "Please put more street lighting along the canal path.",
            "Street lighting on the canal path is far too dim.",
        ];
        let buses = [
            "The night buses from the station are always late.",
            "We need more night buses running from the station.",
            "Night buses from the station never come on time.",
        ];
        let mut texts = Vec::new();
        for i in 0..10 {
            texts.push(lighting[i % 3].to_string());
            texts.push(buses[i % 3].to_string());
        }
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let lexical = Lexical::fit(refs.iter().copied());
        let analysis =
            analyse(&input(&refs), &lexical, &Options { themes: Some(2), ..Options::default() }, &())
                .unwrap();
        let discovered: Vec<&Theme> =
            analysis.themes.iter().filter(|t| t.kind == ThemeKind::Discovered).collect();
        assert_eq!(discovered.len(), 2, "{:#?}", analysis.themes);
        for theme in discovered {
            assert!(
                lighting.contains(&theme.topic_description.as_str())
                    || buses.contains(&theme.topic_description.as_str()),
                "{:?} is not one of its responses' sentences",
                theme.topic_description
            );
        }
        // Fragments that do not read as sentences leave the key phrases to describe the theme.
        let fragments: Vec<&str> = ["canal path lighting", "night buses late"].repeat(10);
        let lexical = Lexical::fit(fragments.iter().copied());
        let analysis =
            analyse(&input(&fragments), &lexical, &Options { themes: Some(2), ..Options::default() }, &())
                .unwrap();
        for theme in analysis.themes.iter().filter(|t| t.kind == ThemeKind::Discovered) {
            assert!(theme.topic_description.starts_with("Responses about"), "{:?}", theme.topic_description);
        }
    }
}
