//! Campaigns: responses sent from a template, word for word or lightly edited. Found with
//! one-permutation MinHash over word 3-grams and banded locality-sensitive hashing, so a million
//! responses cost one pass; candidate pairs are confirmed by their estimated Jaccard similarity.

use std::collections::HashMap;

use crate::text;

const BINS: usize = 64;
const BANDS: usize = 16;
const ROWS: usize = BINS / BANDS;
/// Estimated Jaccard similarity of word 3-grams above which two responses share a template.
const SIMILAR: f32 = 0.6;
/// Fewer words than this and two responses can agree by chance ("I agree with the plan").
const MIN_WORDS: usize = 8;
/// A campaign is a letter: a few people writing the same two or three common sentences is a
/// coincidence (in the demo, 9 "campaigns" of 3 or 4 texts of 22 to 29 words; its real campaign
/// letter has 72), so a group of shorter texts needs `MANY_SENDERS` members to count as one.
const LETTER_WORDS: usize = 40;
const MANY_SENDERS: usize = 10;

/// A group of responses sharing one template. `members` are indexes into the input, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub members: Vec<usize>,
    /// The member closest to all the others: the text to show once.
    pub representative: usize,
}

/// Groups of at least `min_size` near-duplicate texts, largest first. Signatures are made on up
/// to `threads` threads.
pub fn find(texts: &[&str], min_size: usize, threads: usize) -> Vec<Group> {
    let signatures: Vec<Option<[u32; BINS]>> =
        crate::pipeline::parallel_map(texts, threads, |t| signature(t));
    let mut parent: Vec<usize> = (0..texts.len()).collect();
    fn find_root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for band in 0..BANDS {
        // Texts whose band hashes alike, by sorting on the hash: each is compared with the first
        // (lowest-numbered) text of its bucket.
        let mut keys: Vec<(u64, u32)> = signatures
            .iter()
            .enumerate()
            .filter_map(|(i, sig)| {
                sig.as_ref().map(|s| (band_key(&s[band * ROWS..(band + 1) * ROWS], band), i as u32))
            })
            .collect();
        keys.sort_unstable();
        for bucket in keys.chunk_by(|a, b| a.0 == b.0) {
            let first = bucket[0].1 as usize;
            for &(_, i) in &bucket[1..] {
                let i = i as usize;
                let (ri, rf) = (find_root(&mut parent, i), find_root(&mut parent, first));
                let (Some(a), Some(b)) = (&signatures[i], &signatures[first]) else { continue };
                if ri != rf && similarity(a, b) >= SIMILAR {
                    parent[ri] = rf;
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, sig) in signatures.iter().enumerate() {
        if sig.is_some() {
            let root = find_root(&mut parent, i);
            groups.entry(root).or_default().push(i);
        }
    }
    let mut out: Vec<Group> = groups
        .into_values()
        .filter(|members| members.len() >= min_size.max(2))
        .map(|members| {
            let representative = representative(&members, &signatures);
            Group { members, representative }
        })
        .filter(|group| {
            group.members.len() >= MANY_SENDERS
                || text::word_count(texts[group.representative]) >= LETTER_WORDS
        })
        .collect();
    out.sort_by(|a, b| b.members.len().cmp(&a.members.len()).then(a.members[0].cmp(&b.members[0])));
    out
}

fn representative(members: &[usize], signatures: &[Option<[u32; BINS]>]) -> usize {
    // Comparing against a bounded sample keeps huge campaigns linear.
    let sample: Vec<usize> = members.iter().copied().step_by((members.len() / 50).max(1)).collect();
    *members
        .iter()
        .take(200)
        .max_by(|&&a, &&b| {
            let score = |x: usize| -> f32 {
                sample
                    .iter()
                    .map(|&s| similarity(signatures[x].as_ref().unwrap(), signatures[s].as_ref().unwrap()))
                    .sum()
            };
            score(a).total_cmp(&score(b)).then(b.cmp(&a))
        })
        .unwrap()
}

fn signature(text: &str) -> Option<[u32; BINS]> {
    // The words, lower-cased, one after another in one buffer.
    let mut buffer = String::with_capacity(text.len());
    let mut ends: Vec<usize> = Vec::with_capacity(text.len() / 4);
    text::for_each_word(text, |w| {
        buffer.push_str(w);
        ends.push(buffer.len());
    });
    if ends.len() < MIN_WORDS {
        return None;
    }
    let word = |i: usize| &buffer.as_bytes()[if i == 0 { 0 } else { ends[i - 1] }..ends[i]];
    let mut bins = [u32::MAX; BINS];
    for start in 0..ends.len() - 2 {
        let mut h: u64 = 0xcbf29ce484222325;
        for w in start..start + 3 {
            for &b in word(w) {
                h ^= b as u64;
                h = h.wrapping_mul(0x100000001b3);
            }
            h ^= 0xff;
            h = h.wrapping_mul(0x100000001b3);
        }
        let h = mix(h);
        let bin = (h % BINS as u64) as usize;
        let value = (h >> 32) as u32;
        bins[bin] = bins[bin].min(value);
    }
    // Densify: an empty bin borrows from the next filled one, so short texts still compare.
    for i in 0..BINS {
        if bins[i] == u32::MAX {
            for step in 1..BINS {
                let j = (i + step) % BINS;
                if bins[j] != u32::MAX {
                    bins[i] = bins[j] ^ (step as u32).wrapping_mul(0x9e3779b9);
                    break;
                }
            }
        }
    }
    Some(bins)
}

fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ceb9fe1a85ec53);
    x ^ (x >> 33)
}

fn band_key(rows: &[u32], band: usize) -> u64 {
    rows.iter().fold(band as u64, |h, &r| mix(h ^ r as u64))
}

fn similarity(a: &[u32; BINS], b: &[u32; BINS]) -> f32 {
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f32 / BINS as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_letters_group_and_ordinary_responses_do_not() {
        let template = "I am writing to object to the closure of the Hillside police station. \
                        Our community needs officers it can reach, and the nearest station is too far. \
                        Older residents cannot travel three miles to report a crime, and the buses \
                        stop running early in the evening.";
        let texts = [
            template.to_string(),
            template.replace("Hillside", "Hillside Road"),
            format!("{template} Please listen."),
            format!("Dear Mayor, {template}"),
            "More police on the buses at night would make me feel safer on the way home.".to_string(),
            "I agree with the plan".to_string(),
            "I agree with the plan".to_string(),
            "Street lighting in the park is poor and the paths feel unsafe after dark in winter.".to_string(),
        ];
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let groups = find(&refs, 3, 2);
        assert_eq!(groups.len(), 1, "{groups:?}");
        assert_eq!(groups[0].members, [0, 1, 2, 3]);
        assert!(groups[0].members.contains(&groups[0].representative));
    }

    #[test]
    fn a_short_sentence_a_few_people_wrote_alike_is_no_campaign() {
        let short = "Better street lighting would make the park feel much safer at night. \
                     Trust has to be earned by officers day by day, not set as a target in a plan.";
        let few: Vec<&str> = vec![short; 4];
        assert!(find(&few, 3, 2).is_empty(), "four people may write the same two common sentences");
        let many: Vec<&str> = vec![short; MANY_SENDERS];
        assert_eq!(find(&many, 3, 2).len(), 1, "ten who do are a campaign");
    }
}
