//! Two stable sorts for the whole library. Rust instantiates a sort for every element type and key closure, about
//! 3.5 KB of the phone library each; [`sort_by_u64_key`] and [`sort_by_bytes_key`] sort `(key, position)` pairs
//! instead, so every call site shares one of two instantiations and only the small reordering is per element type.

/// Sorts `items` by `key`, keeping equal keys in their order (a stable sort).
pub(crate) fn sort_by_u64_key<T>(items: &mut Vec<T>, key: impl Fn(&T) -> u64) {
    let mut order: Vec<(u64, usize)> = items.iter().enumerate().map(|(i, item)| (key(item), i)).collect();
    // Positions are unique, so the unstable sort of (key, position) is the stable order of the keys.
    order.sort_unstable();
    reorder(items, order.into_iter().map(|(_, i)| i));
}

/// Sorts `items` by a key of up to 32 bytes (member keys, ids) compared byte by byte, keeping equal keys in their
/// order (a stable sort).
pub(crate) fn sort_by_bytes_key<T>(items: &mut Vec<T>, key: impl Fn(&T) -> [u8; 32]) {
    let mut order: Vec<([u8; 32], usize)> = items.iter().enumerate().map(|(i, item)| (key(item), i)).collect();
    order.sort_unstable();
    reorder(items, order.into_iter().map(|(_, i)| i));
}

/// Puts `items` in the order of `positions` (a permutation of their positions).
fn reorder<T>(items: &mut Vec<T>, positions: impl Iterator<Item = usize>) {
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(positions.filter_map(|i| slots.get_mut(i).and_then(Option::take)));
}

/// Sorts and removes repeats from `words`.
pub(crate) fn sort_and_dedup(words: &mut Vec<String>) {
    words.sort_unstable();
    words.dedup();
}

/// A float as a key that sorts the same way ([`f64::total_cmp`]'s order).
pub(crate) fn float_key(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 { !bits } else { bits | (1 << 63) }
}

/// A key of up to 32 bytes, padded with zeros (keys of one length compare as the bytes do).
pub(crate) fn bytes_key(bytes: &[u8]) -> [u8; 32] {
    let mut key = [0u8; 32];
    for (k, b) in key.iter_mut().zip(bytes) {
        *k = *b;
    }
    key
}

/// A signed time as a key that sorts the same way.
pub(crate) fn time_key(at: i64) -> u64 {
    (at as u64) ^ (1 << 63)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_by_key_and_keeps_equal_keys_in_order() {
        let mut items = vec![(3, 'a'), (1, 'b'), (3, 'c'), (0, 'd'), (1, 'e')];
        sort_by_u64_key(&mut items, |(k, _)| *k);
        assert_eq!(items, [(0, 'd'), (1, 'b'), (1, 'e'), (3, 'a'), (3, 'c')]);
        let mut times = vec![5_i64, -3, 0, i64::MIN, i64::MAX];
        sort_by_u64_key(&mut times, |t| time_key(*t));
        assert_eq!(times, [i64::MIN, -3, 0, 5, i64::MAX]);
        let mut empty: Vec<u8> = Vec::new();
        sort_by_u64_key(&mut empty, |b| u64::from(*b));
        assert!(empty.is_empty());
    }

    #[test]
    fn sorts_by_bytes_key_and_keeps_equal_keys_in_order() {
        let mut items = vec![([2u8, 0], 'a'), ([1, 9], 'b'), ([2, 0], 'c'), ([0, 255], 'd'), ([1, 10], 'e')];
        sort_by_bytes_key(&mut items, |(k, _)| bytes_key(k));
        assert_eq!(items.iter().map(|(_, c)| *c).collect::<String>(), "dbeac");
    }

    #[test]
    fn float_keys_sort_as_total_cmp_does() {
        let mut floats = vec![1.5, -0.0, f64::NEG_INFINITY, 0.0, -2.25, f64::INFINITY, 1e-300, -1e-300];
        let mut expected = floats.clone();
        expected.sort_by(f64::total_cmp);
        sort_by_u64_key(&mut floats, |x| float_key(*x));
        assert_eq!(
            floats.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            expected.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
    }
}
