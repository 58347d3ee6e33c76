//! The state behind the generated typestate queries (`PetQuery<STAGE>`,
//! `MatchByTournamentQuery<STAGE>`): the query and the key fixed so far. The generated methods
//! are one-line calls to these, so that each entity adds names and types, not code.

use aws_sdk_dynamodb::types::AttributeValue;

use super::key_condition::{sort_key_range, KeyPart, RangeOp, SortKeyCondition};
use super::query::Query;
use crate::codec::format::KeyFormat;
use crate::codec::key_value::KeyArg;
use crate::codec::limits::key_attribute_problem;
use crate::error::{Error, InvalidRequestKind, Result};
use crate::model::build::{key_arg, write_placeholder, KeyPiece};
use crate::model::entity::Entity;
use crate::model::entity::MAX_PARTITION_KEY;
use crate::model::index::Index;
use crate::model::multikey::AttributeArg;
use crate::model::template::{Segment, Template};

/// One placeholder of a sort key template, as generated code points [`SortKeyStage`] at it:
/// the template (data the derive wrote once), the placeholder's segment in it, and whether the
/// field's encoding has a fixed width.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct SortKeyStep {
    template: &'static Template,
    segment: usize,
    fixed_width: bool,
}

impl SortKeyStep {
    /// The placeholder at `segment` of `template`. `fixed_width`: whether the value's encoding
    /// has a fixed width (integers, timestamps, UUIDs), so that a range on it has exact bounds
    /// even when text follows it. Evaluated where the generated constant is: a segment that is
    /// no placeholder stops the build.
    pub const fn new(template: &'static Template, segment: usize, fixed_width: bool) -> Self {
        assert!(
            segment < template.segments.len()
                && matches!(template.segments[segment], Segment::Field(..)),
            "a sort key step is a placeholder of its template"
        );
        SortKeyStep {
            template,
            segment,
            fixed_width,
        }
    }

    /// The placeholder's field and format.
    fn placeholder(&self) -> (&'static str, Option<KeyFormat>) {
        match self.template.segments.get(self.segment) {
            Some(Segment::Field(field, format)) => (field, *format),
            // `new` admits placeholders only.
            _ => ("", None),
        }
    }

    /// The literal text that follows the placeholder.
    fn after(&self) -> &'static str {
        match self.template.segments.get(self.segment + 1) {
            Some(Segment::Literal(text)) => text,
            _ => "",
        }
    }

    /// Whether the placeholder is the template's last: equality on it fixes the whole key.
    fn complete(&self) -> bool {
        !self
            .template
            .segments
            .get(self.segment + 1..)
            .unwrap_or_default()
            .iter()
            .any(|segment| matches!(segment, Segment::Field(..)))
    }
}

/// The state behind a generated typestate query (`PetQuery<STAGE>`): the query, the sort key
/// fixed so far, and whether it is the whole key. The generated methods are one-line calls to
/// these, so that each entity adds names and types, not code.
#[doc(hidden)]
pub struct SortKeyStage<E> {
    query: Query<E>,
    prefix: String,
    complete: bool,
    /// The length of the template's leading literal: a longer prefix has values fixed.
    start: usize,
}

// By hand: derives would require `E: Clone` / `E: Debug`.
impl<E> Clone for SortKeyStage<E> {
    fn clone(&self) -> Self {
        SortKeyStage {
            query: self.query.clone(),
            prefix: self.prefix.clone(),
            complete: self.complete,
            start: self.start,
        }
    }
}

impl<E: Entity> std::fmt::Debug for SortKeyStage<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SortKeyStage")
            .field("query", &self.query)
            .field("prefix", &self.prefix)
            .field("complete", &self.complete)
            .finish()
    }
}

impl<E: Entity> SortKeyStage<E> {
    /// The first stage: nothing fixed but the leading literal of the sort key `template`.
    pub fn start(query: Query<E>, template: &'static Template) -> Self {
        let prefix = template.prefix();
        SortKeyStage {
            query,
            prefix: prefix.to_owned(),
            complete: false,
            start: prefix.len(),
        }
    }

    /// The key so far with `value` appended, as `step`'s placeholder.
    fn key_with<T, A>(&self, value: &A, step: &SortKeyStep) -> Result<String>
    where
        T: ?Sized,
        A: KeyArg<T> + ?Sized,
    {
        let mut key =
            String::with_capacity(self.prefix.len() + value.key_len_hint() + step.after().len());
        key.push_str(&self.prefix);
        write_placeholder(
            &mut key,
            E::ENTITY_TYPE,
            step.template,
            step.placeholder(),
            KeyPiece::Arg(&key_arg::<T, A>(value)),
        )?;
        Ok(key)
    }

    /// The next stage: equality on `step`'s placeholder.
    pub fn equal<T, A>(self, value: &A, step: &SortKeyStep) -> Result<Self>
    where
        T: ?Sized,
        A: KeyArg<T> + ?Sized,
    {
        let mut prefix = self.key_with(value, step)?;
        prefix.push_str(step.after());
        Ok(SortKeyStage {
            query: self.query,
            prefix,
            complete: step.complete(),
            start: self.start,
        })
    }

    /// A finished query: `step`'s placeholder on one side of `value`.
    pub fn bound<T, A>(self, op: RangeOp, value: &A, step: &SortKeyStep) -> Result<Query<E>>
    where
        T: ?Sized,
        A: KeyArg<T> + ?Sized,
    {
        let key = self.key_with(value, step)?;
        let (low, high) = match op {
            RangeOp::Gt => (Some((key, false)), None),
            RangeOp::Ge => (Some((key, true)), None),
            RangeOp::Lt => (None, Some((key, false))),
            RangeOp::Le => (None, Some((key, true))),
        };
        self.ranged(low, high, step)
    }

    /// A finished query: `step`'s placeholder between `low` and `high`, both included.
    pub fn between<T, A, B>(self, low: &A, high: &B, step: &SortKeyStep) -> Result<Query<E>>
    where
        T: ?Sized,
        A: KeyArg<T> + ?Sized,
        B: KeyArg<T> + ?Sized,
    {
        let low = self.key_with(low, step)?;
        let high = self.key_with(high, step)?;
        self.ranged(Some((low, true)), Some((high, true)), step)
    }

    /// The query finished with a range between the bounds given (see [`sort_key_range`]).
    fn ranged(
        self,
        low: Option<(String, bool)>,
        high: Option<(String, bool)>,
        step: &SortKeyStep,
    ) -> Result<Query<E>> {
        let range = sort_key_range(&self.prefix, low, high, step.fixed_width)?;
        Ok(self.query.sort_key(range))
    }

    /// The query as it stands: equality on a whole key, `begins_with` on a partial one.
    pub fn finish(self) -> Query<E> {
        // Nothing fixed beyond the template's leading literal: the entity's default selection,
        // which a collection query does not keep.
        let asked = self.complete || self.prefix.len() > self.start;
        let condition = if self.complete {
            SortKeyCondition::Eq(self.prefix)
        } else if self.prefix.is_empty() {
            SortKeyCondition::Any
        } else {
            SortKeyCondition::BeginsWith(self.prefix)
        };
        match asked {
            true => self.query.sort_key(condition),
            false => self.query.with_default_sort_key(condition),
        }
    }
}

/// The value of a query argument for field `field` of `entity`, or an error naming them.
fn value<T, A: AttributeArg<T> + ?Sized>(
    entity: &'static str,
    field: &'static str,
    arg: &A,
) -> Result<AttributeValue> {
    let value = arg.to_key_attribute().map_err(|reason| {
        Error::invalid(
            InvalidRequestKind::Argument,
            format!("{entity}.{field} cannot be a key attribute value: {reason}"),
        )
    })?;
    // The larger of the two limits: a partition attribute may be that long; a longer sort
    // attribute is refused where it is stored.
    match key_attribute_problem(&value, MAX_PARTITION_KEY) {
        Some((kind, problem)) => Err(Error::invalid(kind, format!("{entity}.{field}: {problem}"))),
        None => Ok(value),
    }
}

/// The state behind a generated multi-attribute query (`MatchByTournamentQuery<STAGE>`): the
/// query with the key attributes fixed so far. The generated methods are one-line calls.
#[doc(hidden)]
pub struct MultiKeyStage<E> {
    query: Query<E>,
}

impl<E> Clone for MultiKeyStage<E> {
    fn clone(&self) -> Self {
        MultiKeyStage {
            query: self.query.clone(),
        }
    }
}

impl<E: Entity> std::fmt::Debug for MultiKeyStage<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultiKeyStage")
            .field("query", &self.query)
            .finish()
    }
}

impl<E: Entity> MultiKeyStage<E> {
    /// A query of `index` with its partition attributes, each `(field, attribute, value)`.
    pub fn start(index: Index, partition: Vec<KeyPart>) -> Self {
        MultiKeyStage {
            query: Query::multi(index, partition),
        }
    }

    /// The partition attribute `field` (its `attribute`) equal to `arg`.
    pub fn part<T, A: AttributeArg<T> + ?Sized>(
        field: &'static str,
        attribute: &'static str,
        arg: &A,
    ) -> Result<KeyPart> {
        Ok(KeyPart::Eq(
            attribute,
            value::<T, A>(E::ENTITY_TYPE, field, arg)?,
        ))
    }

    /// The next stage: the sort attribute equal to `arg`.
    pub fn equal<T, A: AttributeArg<T> + ?Sized>(
        mut self,
        field: &'static str,
        attribute: &'static str,
        arg: &A,
    ) -> Result<Self> {
        let v = value::<T, A>(E::ENTITY_TYPE, field, arg)?;
        self.query.push_part(KeyPart::Eq(attribute, v));
        Ok(self)
    }

    /// A finished query: the sort attribute compared with `arg`.
    pub fn bound<T, A: AttributeArg<T> + ?Sized>(
        mut self,
        field: &'static str,
        attribute: &'static str,
        op: RangeOp,
        arg: &A,
    ) -> Result<Query<E>> {
        let v = value::<T, A>(E::ENTITY_TYPE, field, arg)?;
        self.query.push_part(KeyPart::Compare(attribute, op, v));
        Ok(self.query)
    }

    /// A finished query: the sort attribute between `low` and `high`, both included.
    pub fn between<T, A: AttributeArg<T> + ?Sized, B: AttributeArg<T> + ?Sized>(
        mut self,
        field: &'static str,
        attribute: &'static str,
        low: &A,
        high: &B,
    ) -> Result<Query<E>> {
        let low = value::<T, A>(E::ENTITY_TYPE, field, low)?;
        let high = value::<T, B>(E::ENTITY_TYPE, field, high)?;
        self.query.push_part(KeyPart::Between(attribute, low, high));
        Ok(self.query)
    }

    /// A finished query: the string sort attribute starting with `prefix`.
    pub fn begins_with(mut self, attribute: &'static str, prefix: &str) -> Query<E> {
        self.query.push_part(KeyPart::BeginsWith(
            attribute,
            AttributeValue::S(prefix.to_owned()),
        ));
        self.query
    }

    /// The query as it stands.
    pub fn query(self) -> Query<E> {
        self.query
    }
}
