//! Exact sums of DynamoDB numbers, as DynamoDB computes `SET n = n + :v` and `ADD n :v`: so that
//! an update applied to an item read gives the number DynamoDB will store. Numbers are decimal
//! text; the sum is exact while both fit 38 significant digits (DynamoDB's own precision), and
//! `None` otherwise, never a rounded value.

/// A decimal number: `mantissa × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Decimal {
    mantissa: i128,
    scale: u32,
}

/// DynamoDB keeps 38 significant digits.
const MAX_DIGITS: u32 = 38;

impl Decimal {
    /// Parses DynamoDB's number text: an optional sign, digits, an optional fraction and an
    /// optional exponent (`-12.5`, `1E+3`).
    fn parse(text: &str) -> Option<Decimal> {
        let (number, exponent) = match text.find(['e', 'E']) {
            Some(at) => (&text[..at], text[at + 1..].parse::<i32>().ok()?),
            None => (text, 0),
        };
        let (negative, digits) = match number.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, number.strip_prefix('+').unwrap_or(number)),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() && fraction.is_empty()
            || !whole
                .bytes()
                .chain(fraction.bytes())
                .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let significant = format!("{whole}{fraction}");
        let significant = significant.trim_start_matches('0');
        if significant.len() > MAX_DIGITS as usize {
            return None;
        }
        let mut mantissa: i128 = if significant.is_empty() {
            0
        } else {
            significant.parse().ok()?
        };
        if negative {
            mantissa = -mantissa;
        }
        // The value is mantissa × 10^(exponent - fraction digits).
        let mut scale = i64::try_from(fraction.len()).ok()? - i64::from(exponent);
        while scale < 0 {
            mantissa = mantissa.checked_mul(10)?;
            scale += 1;
        }
        Some(Decimal {
            mantissa,
            scale: u32::try_from(scale).ok()?,
        })
        .filter(|d| d.digits() <= MAX_DIGITS)
    }

    /// Significant digits, as written without exponent.
    fn digits(self) -> u32 {
        self.mantissa
            .unsigned_abs()
            .checked_ilog10()
            .map_or(1, |l| l + 1)
    }

    /// This number with `scale` decimal places (more than it has).
    fn rescaled(self, scale: u32) -> Option<Decimal> {
        let factor = 10i128.checked_pow(scale.checked_sub(self.scale)?)?;
        Some(Decimal {
            mantissa: self.mantissa.checked_mul(factor)?,
            scale,
        })
    }

    fn sum(self, other: Decimal) -> Option<Decimal> {
        let scale = self.scale.max(other.scale);
        let (a, b) = (self.rescaled(scale)?, other.rescaled(scale)?);
        let sum = Decimal {
            mantissa: a.mantissa.checked_add(b.mantissa)?,
            scale,
        };
        (sum.trimmed().digits() <= MAX_DIGITS).then_some(sum)
    }

    /// Without trailing zeros in the fraction.
    fn trimmed(mut self) -> Decimal {
        while self.scale > 0 && self.mantissa % 10 == 0 {
            self.mantissa /= 10;
            self.scale -= 1;
        }
        self
    }

    /// Plain decimal text, as DynamoDB writes numbers back: no exponent, no trailing zeros, no
    /// negative zero.
    fn text(self) -> String {
        let d = self.trimmed();
        let digits = d.mantissa.unsigned_abs().to_string();
        let sign = if d.mantissa < 0 { "-" } else { "" };
        let scale = d.scale as usize;
        if scale == 0 {
            return format!("{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, fraction) = padded.split_at(padded.len() - scale);
        format!("{sign}{whole}.{fraction}")
    }
}

/// `a + b`, exactly, or `None` when either is no number or the sum needs more than 38
/// significant digits.
pub(crate) fn add(a: &str, b: &str) -> Option<String> {
    Some(Decimal::parse(a)?.sum(Decimal::parse(b)?)?.text())
}

/// `a - b`, exactly, or `None` as for [`add`].
pub(crate) fn subtract(a: &str, b: &str) -> Option<String> {
    let b = Decimal::parse(b)?;
    let negated = Decimal {
        mantissa: b.mantissa.checked_neg()?,
        scale: b.scale,
    };
    Some(Decimal::parse(a)?.sum(negated)?.text())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_are_exact_decimals() {
        assert_eq!(add("9", "1").as_deref(), Some("10"));
        assert_eq!(add("0.1", "0.2").as_deref(), Some("0.3"));
        assert_eq!(add("-5", "2.50").as_deref(), Some("-2.5"));
        assert_eq!(add("1E+3", "1").as_deref(), Some("1001"));
        assert_eq!(add("12.5e-1", "0").as_deref(), Some("1.25"));
        assert_eq!(subtract("10", "2").as_deref(), Some("8"));
        assert_eq!(subtract("0.005", "0.005").as_deref(), Some("0"));
        assert_eq!(subtract("-0", "0").as_deref(), Some("0"));
        assert_eq!(
            add("18446744073709551615", "1").as_deref(),
            Some("18446744073709551616")
        );
    }

    #[test]
    fn what_cannot_be_exact_is_none() {
        let big = "9".repeat(38);
        assert_eq!(add(&big, "1"), None, "39 digits");
        assert_eq!(
            add(&big, "-1").as_deref(),
            Some(&*format!("{}8", "9".repeat(37)))
        );
        assert_eq!(add("1", "0.".to_owned().as_str()), Some("1".to_owned()));
        assert_eq!(add("abc", "1"), None);
        assert_eq!(add("", "1"), None);
        assert_eq!(add("1E+400", "1"), None);
        assert_eq!(add("1E-400", "1"), None);
        assert_eq!(add("--1", "1"), None);
    }
}
