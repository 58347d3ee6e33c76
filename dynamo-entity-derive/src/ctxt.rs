//! Collects every error found in one derive, so that one compile reports them all.

use std::fmt::Display;
use std::ops::Range;

use proc_macro2::Span;
use quote::ToTokens;
use syn::LitStr;

#[derive(Default)]
pub struct Errors(Vec<syn::Error>);

impl Errors {
    pub fn push(&mut self, error: syn::Error) {
        self.0.push(error);
    }

    pub fn at(&mut self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    /// An error marking all of `tokens` (first to last token: on stable Rust a single span
    /// cannot cover several tokens).
    pub fn spanned(&mut self, tokens: &dyn ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// All errors as one, in the order found.
    pub fn finish(self) -> Result<(), syn::Error> {
        let mut errors = self.0.into_iter();
        match errors.next() {
            None => Ok(()),
            Some(mut first) => {
                first.extend(errors);
                Err(first)
            }
        }
    }
}

/// The span of bytes `range` of a string literal's value where the compiler can give one, else
/// the whole literal. Stable Rust cannot point inside a literal (`subspan` returns `None`), which
/// is why every message also names the placeholder it is about.
pub fn span_within(lit: &LitStr, range: Range<usize>) -> Span {
    let token = lit.token();
    // Value bytes map one-to-one onto source bytes only for a plain literal without escapes.
    let plain = token.to_string().len() == lit.value().len() + 2;
    plain
        .then(|| token.subspan(range.start + 1..range.end + 1))
        .flatten()
        .unwrap_or_else(|| lit.span())
}

/// The candidate closest to `name`, if one is close enough to be a likely misspelling.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|&(distance, c)| distance <= (name.len().max(c.len()) / 3).max(1))
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, c)| c)
}

/// `"; did you mean `x`?"` or nothing.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    suggest(name, candidates)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let fields = ["user_id", "username", "email"];
        assert_eq!(suggest("user_i", fields), Some("user_id"));
        assert_eq!(suggest("usre_id", fields), Some("user_id"));
        assert_eq!(suggest("emial", fields), Some("email"));
        assert_eq!(suggest("pet_id", fields), None);
    }
}
