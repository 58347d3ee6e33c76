//! The key space of a template: every key it can produce, as a small regular language.
//!
//! A placeholder's value is never empty and never holds the delimiter `#` (see
//! [`KeyValueError`](crate::KeyValueError)), so a template such as `PET#<pet_id>#VAX#<n>` is the
//! language `PET#` · `[^#]+` · `#VAX#` · `[^#]+`. That is a deliberately generous reading (an
//! integer's encoding holds digits only), so two templates said to be disjoint here can never
//! produce one key, whatever the values: what the table schema's collision check and the
//! per-key checks of writes rely on.

use super::template::{Segment, Template};

/// One step of a template: a literal character, a placeholder (`[^#]+`), or a placeholder
/// whose values may hold the delimiter (`.+`, a [`RawKey`](crate::RawKey)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Char(char),
    Hole,
    Raw,
}

/// A template as steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeySpace(Vec<Step>);

/// A position in a template's automaton: before step `at`, or inside the placeholder at `at`
/// having read at least one character of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct State {
    at: usize,
    inside: bool,
}

/// A character, abstracted: one of the literal characters of the templates compared, or any
/// other character (which can only be read by a placeholder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Symbol {
    Char(char),
    Other,
}

impl KeySpace {
    /// The key space of `template`, every placeholder's value free of the delimiter.
    pub fn of(template: &Template) -> Self {
        KeySpace::with_raw(template, |_| false)
    }

    /// The key space of `template`, where the fields for which `raw` holds may hold the
    /// delimiter too (their type's [`KeyDomain`](crate::KeyDomain) is `Raw`).
    pub fn with_raw(template: &Template, raw: impl Fn(&str) -> bool) -> Self {
        let mut steps = Vec::with_capacity(template.text.len());
        for segment in template.segments {
            match segment {
                Segment::Literal(text) => steps.extend(text.chars().map(Step::Char)),
                Segment::Field(field, _) if raw(field) => steps.push(Step::Raw),
                Segment::Field(..) => steps.push(Step::Hole),
            }
        }
        KeySpace(steps)
    }

    /// The states reachable from `state` without reading: leaving a placeholder that has read
    /// something.
    fn close(&self, state: State) -> impl Iterator<Item = State> {
        let leave = state.inside.then_some(State {
            at: state.at + 1,
            inside: false,
        });
        std::iter::once(state).chain(leave)
    }

    /// The states after reading `symbol` in `state`.
    fn step(&self, state: State, symbol: Symbol) -> Option<State> {
        match (self.0.get(state.at)?, symbol) {
            (Step::Char(c), Symbol::Char(s)) if !state.inside && *c == s => Some(State {
                at: state.at + 1,
                inside: false,
            }),
            (Step::Hole, Symbol::Char('#')) => None,
            (Step::Hole | Step::Raw, _) => Some(State {
                at: state.at,
                inside: true,
            }),
            _ => None,
        }
    }

    fn accepts(&self, state: State) -> bool {
        self.close(state).any(|s| s.at == self.0.len() && !s.inside)
    }

    /// The states after reading `text` from the start.
    fn run(&self, text: &str) -> Vec<State> {
        let mut states = vec![State {
            at: 0,
            inside: false,
        }];
        for c in text.chars() {
            let mut next: Vec<State> = states
                .iter()
                .flat_map(|&s| self.close(s))
                .filter_map(|s| self.step(s, Symbol::Char(c)))
                .collect();
            next.sort();
            next.dedup();
            if next.is_empty() {
                return next;
            }
            states = next;
        }
        states
    }

    /// Whether the template can produce exactly `key`.
    pub fn matches(&self, key: &str) -> bool {
        self.run(key).into_iter().any(|s| self.accepts(s))
    }

    /// Whether the template can produce a key that starts with `prefix`.
    pub fn can_start_with(&self, prefix: &str) -> bool {
        !self.run(prefix).is_empty()
    }

    /// Whether the two templates can produce one same key.
    pub fn intersects(&self, other: &KeySpace) -> bool {
        let mut alphabet: Vec<Symbol> = self
            .0
            .iter()
            .chain(&other.0)
            .filter_map(|step| match step {
                Step::Char(c) => Some(Symbol::Char(*c)),
                Step::Hole | Step::Raw => None,
            })
            .collect();
        // The delimiter always: a raw placeholder reads it, a plain one does not.
        alphabet.push(Symbol::Char('#'));
        alphabet.push(Symbol::Other);
        alphabet.sort_by_key(|symbol| match symbol {
            Symbol::Char(c) => Some(*c),
            Symbol::Other => None,
        });
        alphabet.dedup();
        let start = State {
            at: 0,
            inside: false,
        };
        let mut seen = std::collections::HashSet::new();
        let mut todo = vec![(start, start)];
        while let Some((a, b)) = todo.pop() {
            if !seen.insert((a, b)) {
                continue;
            }
            if self.accepts(a) && other.accepts(b) {
                return true;
            }
            for a in self.close(a) {
                for b in other.close(b) {
                    for &symbol in &alphabet {
                        if let (Some(a), Some(b)) = (self.step(a, symbol), other.step(b, symbol)) {
                            todo.push((a, b));
                        }
                    }
                }
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::KeySpace;
    use crate::model::template::tests::parse;

    /// The key space of a template's text.
    fn space(text: &str) -> KeySpace {
        KeySpace::of(&parse(Box::leak(text.to_owned().into_boxed_str())))
    }

    #[test]
    fn matches_keys_of_the_template_only() {
        let pet = space("PET#<pet_id>");
        assert!(pet.matches("PET#rex"));
        assert!(!pet.matches("PET#"));
        assert!(!pet.matches("PET#rex#VAX#1"));
        assert!(!pet.matches("MEMO#rex"));
        let literal = space("PROFILE");
        assert!(literal.matches("PROFILE"));
        assert!(!literal.matches("PROFILES"));
        let framed = space("V<n>X#<m>");
        assert!(framed.matches("V12X#a"));
        assert!(framed.matches("VXXX#a"));
        assert!(!framed.matches("VX#a"));
    }

    #[test]
    fn finds_templates_that_can_collide() {
        let collide = |a: &str, b: &str| space(a).intersects(&space(b));
        assert!(collide("NOTE#<id>", "NOTE#<other>"));
        assert!(collide("<id>", "PROFILE"));
        assert!(collide("A<x>", "<y>B"));
        assert!(collide("PET#<a>#X", "PET#<b>#<c>"));
        assert!(!collide("PET#<id>", "PET#<id>#VAX#<n>"));
        assert!(!collide("NOTE#<id>", "MEMO#<id>"));
        assert!(!collide("PROFILE", "PET#<id>"));
        assert!(!collide("<a>", "<b>#<c>"));
        assert!(!collide("A<x>", "B<y>"));
    }

    #[test]
    fn a_raw_placeholder_reads_the_delimiter_too() {
        let raw = |text: &'static str| KeySpace::with_raw(&parse(text), |field| field == "raw");
        assert!(raw("<raw>").matches("POST#p1#PIN"));
        assert!(raw("<raw>").can_start_with("POST#"));
        assert!(!space("<plain>").can_start_with("POST#"));
        assert!(raw("<raw>").intersects(&space("POST#<id>")));
        assert!(!space("<plain>").intersects(&space("POST#<id>")));
        // Intersection looks for the delimiter even where no literal holds one.
        assert!(raw("A<raw>").intersects(&raw("<raw>B")));
        assert!(
            raw("A<raw>").intersects(&space("<plain>")),
            "`Ax` is in both"
        );
        assert!(!raw("A<raw>").intersects(&space("B<plain>")));
    }

    #[test]
    fn knows_which_templates_share_a_prefix() {
        let vax = space("PET#<id>#VAX#<n>");
        assert!(vax.can_start_with("PET#"));
        assert!(vax.can_start_with("PET#rex#V"));
        assert!(!vax.can_start_with("PETS"));
        assert!(!vax.can_start_with("PET#rex#VAX#1#"));
        assert!(!space("<id>").can_start_with("PET#"));
        assert!(space("<id>").can_start_with("PET"));
    }

    /// Whether `template` can produce `key`, by plain backtracking (independent of the
    /// automaton above): literals match themselves, a placeholder one or more non-`#`.
    fn naive(template: &[char], key: &[char]) -> bool {
        match template.split_first() {
            None => key.is_empty(),
            Some(('<', rest)) => {
                let rest = &rest[rest.iter().position(|c| *c == '>').unwrap() + 1..];
                (1..=key.len())
                    .take_while(|&n| key[n - 1] != '#')
                    .any(|n| naive(rest, &key[n..]))
            }
            Some((c, rest)) => key.first() == Some(c) && naive(rest, &key[1..]),
        }
    }

    /// Every key of up to `len` characters over a small alphabet.
    fn keys(len: usize) -> Vec<String> {
        let mut all = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..len {
            last = last
                .iter()
                .flat_map(|k| ['A', 'B', '#', 'x'].map(|c| format!("{k}{c}")))
                .collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    fn template() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        proptest::collection::vec(prop_oneof!["A", "B", "#", "<v>"], 1..=4)
            .prop_map(|parts| parts.concat())
    }

    proptest::proptest! {
        /// The automaton agrees with backtracking on every short key, and two templates
        /// intersect exactly when some short key is produced by both (their keys are short
        /// enough for every shortest witness to be among them).
        #[test]
        fn agrees_with_brute_force(a in template(), b in template()) {
            let (space_a, space_b) = (space(&a), space(&b));
            let (chars_a, chars_b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            let mut witness = None;
            for key in keys(6) {
                let chars: Vec<char> = key.chars().collect();
                let (in_a, in_b) = (naive(&chars_a, &chars), naive(&chars_b, &chars));
                proptest::prop_assert_eq!(space_a.matches(&key), in_a, "{} {}", a, key);
                if in_a && in_b {
                    witness.get_or_insert(key);
                }
            }
            proptest::prop_assert_eq!(space_a.intersects(&space_b), witness.is_some(), "{} {} {:?}", a, b, witness);
        }
    }
}
