//! Repeated keys among many rows (a matrix's ids, a panel's units and periods): each row's key
//! hashed, the hashes sorted on every core, and a repeated hash confirmed on the keys themselves,
//! so that a hash collision is never reported and only 8 bytes a row are held.

use std::hash::{BuildHasher, Hash};

use rayon::prelude::*;

/// A hash of `key`, the same on every machine and in every run (foldhash's fast hash with a
/// fixed seed: a few ns for a short id, where std's SipHash took 20).
pub(crate) fn stable_hash(key: &impl Hash) -> u64 {
    foldhash::fast::FixedState::with_seed(0x5EED).hash_one(key)
}

/// The hashes that occur more than once in `hashes`, ascending, each once.
pub(crate) fn repeated(mut hashes: Vec<u64>) -> Vec<u64> {
    hashes.par_sort_unstable();
    let mut repeated: Vec<u64> = hashes.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
    repeated.dedup();
    repeated
}

/// The first row, in row order, whose key an earlier row has, with the first row that has it:
/// `(first, again)`. `candidates` are (row, key) for the rows whose hash repeats, in any order;
/// None when no two of their keys are equal (the hashes only collided).
pub(crate) fn first_repeat<K: Ord>(mut candidates: Vec<(usize, K)>) -> Option<(usize, usize)> {
    candidates.sort_unstable_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    // Within a run of equal keys the rows ascend, so the pair with the earliest second row is a
    // run's first two rows.
    candidates.windows(2).filter(|w| w[0].1 == w[1].1).map(|w| (w[0].0, w[1].0)).min_by_key(|&(_, again)| again)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The first repeat by a set, one row at a time.
    fn by_set(keys: &[u8]) -> Option<(usize, usize)> {
        let mut first = std::collections::BTreeMap::new();
        for (row, key) in keys.iter().enumerate() {
            if let Some(&earlier) = first.get(key) {
                return Some((earlier, row));
            }
            first.insert(key, row);
        }
        None
    }

    #[test]
    fn the_first_repeat_is_in_row_order_not_key_order() {
        // `b` repeats at row 3 before `a` does at row 4.
        let keys = [b'b', b'a', b'c', b'b', b'a', b'b'];
        let candidates: Vec<(usize, u8)> = keys.iter().copied().enumerate().collect();
        assert_eq!(first_repeat(candidates), Some((0, 3)));
        assert_eq!(first_repeat(vec![(0, 1u8), (1, 2)]), None);
        assert_eq!(repeated(vec![5, 1, 5, 3, 5, 1]), vec![1, 5]);
    }

    proptest! {
        /// Hashes, then the keys of the rows whose hash repeats, give the repeat a set finds one
        /// row at a time: on a few distinct keys (many repeats) and many (few or none).
        #[test]
        fn hashes_then_keys_find_the_repeat_a_set_finds(keys in proptest::collection::vec(0u8..40, 0..200), few in any::<bool>()) {
            let keys: Vec<u8> = if few { keys.iter().map(|k| k % 4).collect() } else { keys };
            let hashes: Vec<u64> = keys.iter().map(stable_hash).collect();
            let twice = repeated(hashes.clone());
            let candidates: Vec<(usize, u8)> = (0..keys.len())
                .filter(|&i| twice.binary_search(&hashes[i]).is_ok())
                .map(|i| (i, keys[i]))
                .collect();
            prop_assert_eq!(first_repeat(candidates), by_set(&keys));
        }
    }
}
