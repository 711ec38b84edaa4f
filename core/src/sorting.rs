//! One stable sort for the whole library. Rust instantiates a sort for every element type and key closure, about
//! 3.5 KB of the phone library each; [`sort_by_u64_key`] sorts `(key, position)` pairs instead, so every call site
//! shares one instantiation and only the small reordering is per element type.

/// Sorts `items` by `key`, keeping equal keys in their order (a stable sort).
pub(crate) fn sort_by_u64_key<T>(items: &mut Vec<T>, key: impl Fn(&T) -> u64) {
    let mut order: Vec<(u64, usize)> = items.iter().enumerate().map(|(i, item)| (key(item), i)).collect();
    // Positions are unique, so the unstable sort of (key, position) is the stable order of the keys.
    order.sort_unstable();
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.into_iter().filter_map(|(_, i)| slots.get_mut(i).and_then(Option::take)));
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
}
