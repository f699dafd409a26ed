//! Running an analyst's search: the query's clauses become index queries (names by exact word,
//! nickname, sound and typing errors; plates by mark, misread skeleton, one wrong character or a
//! pattern; dates at their precision and swapped; codes exactly), filters narrow them, and hits
//! come back ranked (BM25, nudged by how much is known of an entity) with highlights.

use crate::documents::Card;
use crate::index::SearchIndex;
use crate::schema::{Fields, kinds};
use chrono::{DateTime, Utc};
use orca_explore::analysis::{name_words, nickname_keys, phonetic_codes, plate_skeleton};
use orca_explore::highlight::allowed_distance;
use orca_explore::query::plain_words;
use orca_explore::{Clause, FieldKind, Highlight, Highlighter, ParsedQuery};
use std::ops::Bound;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur, PhraseQuery,
    Query, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, Order, Score, Searcher, SegmentReader, TantivyDocument, Term};

/// Deepest result reachable by paging.
pub const MAX_OFFSET: usize = 10_000;
/// Highlights per hit.
const HIGHLIGHTS: usize = 3;

/// What to search for.
#[derive(Clone, Debug, Default)]
pub struct SearchRequest {
    pub query: ParsedQuery,
    /// Document kinds (`person`, `vehicle`, `incident`, `group`); empty for all.
    pub kinds: Vec<&'static str>,
    pub force: Option<String>,
    pub retailer: Option<String>,
    /// An event type in lower case (`shoplifting`); only incidents have one.
    pub event_type: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub kind: String,
    pub id: String,
    pub score: f32,
    pub card: Card,
    /// `(field, highlight)`.
    pub highlights: Vec<(String, Highlight)>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchPage {
    pub hits: Vec<Hit>,
    pub total: usize,
}

fn term(field: Field, text: &str) -> Term {
    Term::from_field_text(field, text)
}

fn term_query(field: Field, text: &str) -> TermQuery {
    TermQuery::new(term(field, text), IndexRecordOption::WithFreqs)
}

/// How much the other ways a clause matched add to its best one: an exact name is not counted
/// again as its own sound-alike, nickname and typing error.
const TIE_BREAKER: f32 = 0.1;

/// Scores of the readings of a clause. Names, plates, dates and codes describe an entity: how
/// often a name recurs among a person's sightings says nothing about the match, so these readings
/// score a constant, their weight times the inverse document frequency of what matched (a rare
/// name tells more than `Smith`). Free text (narratives, goods, marks) keeps BM25.
struct Readings<'a> {
    searcher: &'a Searcher,
    documents: f32,
    readings: Vec<Box<dyn Query>>,
}

impl<'a> Readings<'a> {
    fn new(searcher: &'a Searcher) -> Self {
        Self { searcher, documents: searcher.num_docs().max(1) as f32, readings: Vec::new() }
    }

    /// BM25's inverse document frequency for a term found in `df` documents.
    fn idf(&self, df: u64) -> f32 {
        let df = df as f32;
        (1.0 + (self.documents - df + 0.5) / (df + 0.5)).ln()
    }

    fn df(&self, term: &Term) -> u64 {
        self.searcher.doc_freq(term).unwrap_or(0)
    }

    /// The term itself, scoring `weight` times its rarity.
    fn exact(&mut self, field: Field, text: &str, weight: f32) {
        let term = term(field, text);
        let df = self.df(&term);
        if df > 0 {
            let query = TermQuery::new(term, IndexRecordOption::Basic);
            self.readings.push(Box::new(ConstScoreQuery::new(Box::new(query), weight * self.idf(df))));
        }
    }

    /// Terms within `distance` edits, scoring as the term would (as a rare one if it is not known).
    fn fuzzy(&mut self, field: Field, text: &str, distance: u8, weight: f32) {
        if distance == 0 {
            return;
        }
        let term = term(field, text);
        let idf = self.idf(self.df(&term).max(1));
        let query = FuzzyTermQuery::new(term, distance, true);
        self.readings.push(Box::new(ConstScoreQuery::new(Box::new(query), weight * idf)));
    }

    /// Terms matching a pattern, scoring `weight` times the rarity of a term found once in ten
    /// thousand documents.
    fn pattern(&mut self, field: Field, regex: &str, weight: f32) {
        if let Ok(query) = RegexQuery::from_pattern(regex, field) {
            let idf = self.idf((self.documents / 10_000.0).ceil() as u64);
            self.readings.push(Box::new(ConstScoreQuery::new(Box::new(query), weight * idf)));
        }
    }

    /// A BM25 reading (free text).
    fn text(&mut self, query: impl Query, boost: f32) {
        self.readings.push(Box::new(BoostQuery::new(Box::new(query), boost)));
    }

    fn into_query(self) -> Box<dyn Query> {
        Box::new(DisjunctionMaxQuery::with_tie_breaker(self.readings, TIE_BREAKER))
    }
}

/// The index query of one clause: its best-matching reading, plus a little for the others.
fn clause_query(searcher: &Searcher, fields: &Fields, clause: &Clause) -> Box<dyn Query> {
    let mut r = Readings::new(searcher);
    match clause {
        Clause::Word { word, fuzzy } => {
            let name = name_words(word).join("");
            if !name.is_empty() {
                r.exact(fields.name, &name, 4.0);
                r.fuzzy(fields.name, &name, allowed_distance(name.chars().count(), *fuzzy) as u8, 2.5);
                for code in phonetic_codes(&name) {
                    r.exact(fields.name_sound, &code, 2.0);
                }
                for key in nickname_keys(&name) {
                    r.exact(fields.nickname, &key, 3.0);
                }
            }
            for plain in plain_words(word) {
                for field in [fields.text, fields.marks, fields.vehicle_text] {
                    r.text(term_query(field, &plain), 1.0);
                    if *fuzzy && plain.chars().count() > 3 {
                        let distance = allowed_distance(plain.chars().count(), true) as u8;
                        r.text(FuzzyTermQuery::new(term(field, &plain), distance, true), 0.5);
                    }
                }
            }
        }
        Clause::Phrase(words) => {
            for field in [fields.text, fields.marks] {
                let terms: Vec<Term> = words.iter().map(|w| term(field, w)).collect();
                r.text(PhraseQuery::new(terms), 2.0);
            }
            let names: Vec<Term> = words.iter().flat_map(|w| name_words(w)).map(|w| term(fields.name, &w)).collect();
            if names.len() > 1 {
                r.text(PhraseQuery::new(names), 4.0);
            }
        }
        Clause::Plate(plate) => {
            r.exact(fields.vrm, plate, 6.0);
            r.exact(fields.vrm_skeleton, &plate_skeleton(plate), 3.0);
            r.fuzzy(fields.vrm, plate, 1, 2.0);
        }
        Clause::PlatePattern(pattern) => {
            let regex: String = pattern
                .chars()
                .map(|c| match c {
                    '?' => ".".to_owned(),
                    '*' => ".*".to_owned(),
                    c => c.to_string(),
                })
                .collect();
            r.pattern(fields.vrm, &regex, 5.0);
        }
        Clause::Date(date) => {
            let text = date.to_string();
            r.exact(fields.dob, &text, 5.0);
            if date.is_complete() {
                r.exact(fields.dob_swapped, &text, 2.0);
            }
        }
        Clause::Marker(code) => r.exact(fields.marker, code, 6.0),
        Clause::Reference(reference) => r.exact(fields.reference, reference, 6.0),
        Clause::Id(id) => r.exact(fields.id, id, 10.0),
    }
    r.into_query()
}

fn filters(fields: &Fields, request: &SearchRequest) -> Vec<(Occur, Box<dyn Query>)> {
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let kinds: Vec<&str> = if request.kinds.is_empty() {
        vec![kinds::PERSON, kinds::VEHICLE, kinds::INCIDENT, kinds::GROUP]
    } else {
        request.kinds.clone()
    };
    let any_kind: Vec<(Occur, Box<dyn Query>)> =
        kinds.iter().map(|k| (Occur::Should, Box::new(term_query(fields.kind, k)) as Box<dyn Query>)).collect();
    must.push((Occur::Must, Box::new(BooleanQuery::new(any_kind))));
    for (field, value) in
        [(fields.force, &request.force), (fields.retailer, &request.retailer), (fields.event_type, &request.event_type)]
    {
        if let Some(value) = value {
            must.push((Occur::Must, Box::new(term_query(field, value))));
        }
    }
    if let Some(from) = request.from {
        let lower = Bound::Included(Term::from_field_i64(fields.last_seen, from.timestamp()));
        must.push((Occur::Must, Box::new(RangeQuery::new(lower, Bound::Unbounded))));
    }
    if let Some(to) = request.to {
        let upper = Bound::Included(Term::from_field_i64(fields.first_seen, to.timestamp()));
        must.push((Occur::Must, Box::new(RangeQuery::new(Bound::Unbounded, upper))));
    }
    must
}

impl SearchIndex {
    /// Runs a search; hits are ranked by relevance, or by when last seen for an empty query.
    pub fn search(&self, request: &SearchRequest) -> tantivy::Result<SearchPage> {
        let fields = &self.fields;
        let searcher = self.reader.searcher();
        let mut parts = filters(fields, request);
        let ranked = !request.query.is_empty();
        if ranked {
            let any: Vec<(Occur, Box<dyn Query>)> =
                request.query.clauses.iter().map(|c| (Occur::Should, clause_query(&searcher, fields, c))).collect();
            parts.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        } else {
            parts.push((Occur::Must, Box::new(AllQuery)));
        }
        let query = BooleanQuery::new(parts);
        let limit = request.limit.max(1);
        let offset = request.offset.min(MAX_OFFSET);
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let (addresses, total): (Vec<(f32, DocAddress)>, usize) = if ranked {
            let nudged = top.tweak_score(|segment: &SegmentReader| {
                let weight = segment.fast_fields().f64("weight").ok();
                // Ties (the same name on several persons) go to the one seen more often.
                move |doc: tantivy::DocId, score: Score| {
                    let w = weight.as_ref().and_then(|c| c.first(doc)).unwrap_or(0.0);
                    score + 0.01 * w as f32
                }
            });
            searcher.search(&query, &(nudged, Count))?
        } else {
            let (docs, total) =
                searcher.search(&query, &(top.order_by_fast_field::<i64>("last_seen", Order::Desc), Count))?;
            (docs.into_iter().map(|(_, address)| (0.0, address)).collect(), total)
        };
        let highlighter = Highlighter::new(&request.query);
        let mut hits = Vec::with_capacity(addresses.len());
        for (score, address) in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            let key = doc.get_first(fields.key).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            let card: Card = doc
                .get_first(fields.card)
                .and_then(|v| v.as_str())
                .and_then(|json| serde_json::from_str(json).ok())
                .unwrap_or_default();
            let (prefix, id) = key.split_once(':').unwrap_or(("", &key));
            let kind = match prefix {
                "P" => kinds::PERSON,
                "V" => kinds::VEHICLE,
                "I" => kinds::INCIDENT,
                _ => kinds::GROUP,
            };
            let highlights = if ranked { highlights(&highlighter, &card) } else { Vec::new() };
            hits.push(Hit { kind: kind.to_owned(), id: id.to_owned(), score, card, highlights });
        }
        Ok(SearchPage { hits, total })
    }
}

/// Up to [`HIGHLIGHTS`] marked fragments of a hit's card.
fn highlights(highlighter: &Highlighter, card: &Card) -> Vec<(String, Highlight)> {
    let names = card.names.iter().map(|n| ("names", FieldKind::Name, n.as_str()));
    let plates = card.plates.iter().map(|p| ("vrm", FieldKind::Plate, p.as_str()));
    let codes = card.codes.iter().map(|(f, c)| (f.as_str(), FieldKind::Code, c.as_str()));
    let texts = card.texts.iter().map(|(f, t)| (f.as_str(), FieldKind::Text, t.as_str()));
    names
        .chain(plates)
        .chain(codes)
        .chain(texts)
        .filter_map(|(field, kind, text)| highlighter.highlight(kind, text).map(|h| (field.to_owned(), h)))
        .take(HIGHLIGHTS)
        .collect()
}
