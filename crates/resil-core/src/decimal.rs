//! Floats as text in Rust's own `Display` form (shortest round-trip digits, never an exponent),
//! written faster: whole numbers by itoa, others with zmij's digits (the shortest round-trip
//! digits, as serde_json writes them; 1.2-1.5x quicker than ryu's, which were 2.2x std's) where
//! they are provably the same bytes, std's formatter otherwise. Every table resil writes goes
//! through here, so outputs keep their bytes.

use std::io::Write;

/// Whole numbers below this in magnitude are written as integers. Below 1e16 doubles are at
/// most 2 apart, so an integer is its own shortest round-trip form, which std writes in full
/// with no point; above it std writes the shortest digits padded with zeros (8.452246281902302e16
/// as 84522462819023020, not ...024).
const WHOLE_BELOW: f64 = 1e16;

/// Appends `v` to `buf` exactly as `write!(buf, "{v}")` would.
pub fn push_f64(buf: &mut Vec<u8>, v: f64) {
    // Ranks and counts: an integer's digits are 4x quicker to write than zmij's with its `.0`
    // cut. Zero goes on (std writes -0.0 as `-0`).
    if v.fract() == 0.0 && v.abs() < WHOLE_BELOW && v != 0.0 {
        buf.extend_from_slice(itoa::Buffer::new().format(v as i64).as_bytes());
        return;
    }
    if v.is_finite() && !may_be_a_tie(v) {
        let mut digits = zmij::Buffer::new();
        let text = digits.format_finite(v);
        // zmij switches to an exponent outside [1e-5, 1e16) where std writes every digit; it
        // writes `1.0` where std writes `1`.
        if !text.as_bytes().contains(&b'e') {
            buf.extend_from_slice(text.strip_suffix(".0").unwrap_or(text).as_bytes());
            return;
        }
    }
    let _ = write!(buf, "{v}");
}

/// `v` as `v.to_string()` would give it.
pub fn f64_text(v: f64) -> String {
    let mut buf = Vec::with_capacity(24);
    push_f64(&mut buf, v);
    String::from_utf8(buf).expect("digits, a sign and a point are ASCII")
}

/// A table cell: `v` as text, empty when it is not finite (a missing value).
pub fn cell(v: f64) -> String {
    if v.is_finite() {
        f64_text(v)
    } else {
        String::new()
    }
}

/// Significant digits of a value a message quotes: enough to act on, few enough that the value's
/// last bits (which depend on how a fit's sums were cut into chunks of rows) do not show, so a
/// refusal reads the same in memory, streamed or on an engine.
const MESSAGE_DIGITS: usize = 12;

/// `v` rounded to [`MESSAGE_DIGITS`] significant digits, for a message.
pub fn for_message(v: f64) -> f64 {
    format!("{v:.prec$e}", prec = MESSAGE_DIGITS - 1).parse().unwrap_or(v)
}

/// The least value of [`MESSAGE_DIGITS`] significant digits above `v`: a bound a message quotes
/// ("must be at least ...") that is safe to take as given.
pub fn for_message_above(v: f64) -> f64 {
    let rounded = for_message(v);
    if rounded > v || !v.is_finite() {
        return rounded;
    }
    let text = format!("{v:.prec$e}", prec = MESSAGE_DIGITS - 1);
    let (mantissa, exponent) = text.split_once('e').expect("an exponent");
    let digits: i64 = mantissa.replace('.', "").parse().expect("digits");
    let exponent: i32 = exponent.parse().expect("an exponent");
    format!("{}e{}", digits + 1, exponent - (MESSAGE_DIGITS as i32 - 1)).parse().expect("a number")
}

/// True when the shortest digits of `v` could be a tie between two candidates, where zmij (as
/// ryu) rounds half to even and std half up (1658206780088562.25: zmij `.2`, std `.3`). A tie
/// needs the exact decimal value to have at most 18 significant digits. With v = m 2^-k (m odd, k > 0) the exact
/// value's digits are those of m 5^k, at least 19 of them once k >= 26; an integer below 1e16
/// (the only integers zmij writes without an exponent) is its own shortest form.
fn may_be_a_tie(v: f64) -> bool {
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1 << 52) - 1);
    let (mantissa, exponent) = if biased == 0 { (fraction, -1074) } else { (fraction | (1 << 52), biased - 1075) };
    if mantissa == 0 {
        return false;
    }
    let exponent = exponent + i64::from(mantissa.trailing_zeros());
    (-25..0).contains(&exponent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn std_text(v: f64) -> String {
        format!("{v}")
    }

    #[test]
    fn the_forms_where_zmij_and_std_differ_are_std_s() {
        for v in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            100.0,
            234806.0,
            0.1,
            0.5,
            0.25,
            1e-5,
            1.5e-7,
            1e15,
            1e16,
            1e21,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            // Ties: zmij writes `.2` and `.12` for these.
            1_658_206_780_088_562.0 + 0.25,
            233_115_890_514_796.0 + 0.125,
            0.5288517378559513,
        ] {
            assert_eq!(f64_text(v), std_text(v), "{v:?}");
        }
        assert!(may_be_a_tie(1_658_206_780_088_562.0 + 0.25));
        assert!(!may_be_a_tie(0.5288517378559513));
    }

    #[test]
    fn a_million_values_of_every_kind_match_std() {
        // Raw bit patterns (every magnitude), uniform fractions, and values with few fraction
        // bits (where ties live), from a fixed xorshift stream.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut buf = Vec::new();
        for _ in 0..150_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            for v in [f64::from_bits(state), u, u * 1000.0, (u * 1e6).round() / 4.0, (u * 1e15).round() / 8.0, u * 1e15]
            {
                buf.clear();
                push_f64(&mut buf, v);
                assert_eq!(std::str::from_utf8(&buf).unwrap(), std_text(v), "{v:?}");
            }
        }
    }

    #[test]
    fn a_message_quotes_twelve_digits_and_a_bound_above_the_value() {
        assert_eq!(f64_text(for_message(-3.880570000581327)), "-3.88057000058");
        assert_eq!(for_message(-3.880570000581327), for_message(-3.8805700005813275));
        assert_eq!(f64_text(for_message_above(3.880570000581327)), "3.88057000059");
        assert_eq!(f64_text(for_message_above(2.5)), "2.50000000001");
        assert_eq!(f64_text(for_message_above(-3.880570000586)), "-3.88057000058");
        assert_eq!(f64_text(for_message_above(9.999999999999)), "10");
    }

    proptest! {
        #[test]
        fn a_bound_for_a_message_is_above_the_value_by_at_most_a_twelfth_digit(v in -1e12f64..1e12) {
            let bound = for_message_above(v);
            prop_assert!(bound > v && bound - v <= 1.01e-11 * v.abs().max(1e-300), "{v} {bound}");
            prop_assert_eq!(for_message(bound), bound);
        }

        #[test]
        fn any_float_is_written_as_std_writes_it(bits in any::<u64>(), scaled in -1e17f64..1e17, fractional_bits in 0i32..60) {
            let few_bits = (scaled * 2f64.powi(fractional_bits)).round() * 2f64.powi(-fractional_bits);
            for v in [f64::from_bits(bits), scaled, few_bits] {
                prop_assert_eq!(f64_text(v), std_text(v));
            }
        }

        /// Whole numbers (the integer path) on both sides of its bound and of zmij's exponent
        /// switch at 1e16, and their neighbours one ulp off.
        #[test]
        fn whole_numbers_are_written_as_std_writes_them(whole in -1e17f64..1e17, small in -1_000_000i64..1_000_000) {
            for v in [whole.trunc(), small as f64, whole.trunc().next_up(), WHOLE_BELOW, -WHOLE_BELOW, WHOLE_BELOW.next_down()] {
                prop_assert_eq!(f64_text(v), std_text(v));
            }
        }
    }
}
