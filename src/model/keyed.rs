//! A small enum and a fixed array indexed by it, declared together: counts by defect class, by
//! severity, by authorship are arrays in the hot loop, but code reads and writes them by name
//! (`latent[DefectClass::Integration][Severity::Failure]`), never by a bare number.
//!
//! The container is a plain array underneath (same size, same layout, `#[inline]` indexing the
//! compiler reduces to the array access) and serialises as that array, so files written from it
//! are unchanged. Iteration follows the enum's declaration order, which is the order random
//! numbers are drawn in: reordering variants changes results.

/// Declares `enum $Key` (with `ALL`, its variants in declaration order, and `COUNT`) and
/// `struct $Container<T>`, an array of one `T` per variant indexed by `$Key`.
macro_rules! keyed {
    (
        $(#[$key_meta:meta])*
        $vis:vis enum $Key:ident {
            $( $(#[$variant_meta:meta])* $Variant:ident ),+ $(,)?
        }
        $(#[$container_meta:meta])*
        $container_vis:vis struct $Container:ident;
    ) => {
        $(#[$key_meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $Key {
            $( $(#[$variant_meta])* $Variant ),+
        }

        impl $Key {
            /// Every variant, in declaration order (the order of iteration and of random draws).
            pub const ALL: [$Key; [$($Key::$Variant),+].len()] = [$($Key::$Variant),+];
            /// How many variants there are.
            pub const COUNT: usize = Self::ALL.len();
        }

        $(#[$container_meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        $container_vis struct $Container<T>([T; $Key::COUNT]);

        #[allow(dead_code)]
        impl<T> $Container<T> {
            /// One value per variant, from `value(variant)` called in declaration order.
            #[inline]
            pub fn from_fn(mut value: impl FnMut($Key) -> T) -> Self {
                $Container($Key::ALL.map(|key| value(key)))
            }

            /// Each variant with its value, in declaration order.
            #[inline]
            pub fn iter(&self) -> impl Iterator<Item = ($Key, &T)> {
                $Key::ALL.into_iter().zip(self.0.iter())
            }

            /// Each variant with its value to change, in declaration order.
            #[inline]
            pub fn iter_mut(&mut self) -> impl Iterator<Item = ($Key, &mut T)> {
                $Key::ALL.into_iter().zip(self.0.iter_mut())
            }

            /// The values, in declaration order.
            #[inline]
            pub fn values(&self) -> std::slice::Iter<'_, T> {
                self.0.iter()
            }

            /// The values to change, in declaration order.
            #[inline]
            pub fn values_mut(&mut self) -> std::slice::IterMut<'_, T> {
                self.0.iter_mut()
            }

            /// The values transformed one by one.
            #[inline]
            pub fn map<U>(self, f: impl FnMut(T) -> U) -> $Container<U> {
                $Container(self.0.map(f))
            }
        }

        #[allow(dead_code)]
        impl<T: Copy + std::ops::Add<Output = T>> $Container<T> {
            /// The values added in declaration order, starting from the first (no zero is
            /// added, so a float sum is exactly `a + b + …`). Plain `+`: where counts could
            /// overflow, fold `values()` with a saturating add instead.
            #[inline]
            pub fn sum(&self) -> T {
                let (first, rest) = self.0.split_first().expect("at least one variant");
                rest.iter().fold(*first, |sum, &value| sum + value)
            }
        }

        impl<T> std::ops::Index<$Key> for $Container<T> {
            type Output = T;
            #[inline]
            fn index(&self, key: $Key) -> &T {
                &self.0[key as usize]
            }
        }

        impl<T> std::ops::IndexMut<$Key> for $Container<T> {
            #[inline]
            fn index_mut(&mut self, key: $Key) -> &mut T {
                &mut self.0[key as usize]
            }
        }

        impl<T: std::fmt::Debug> std::fmt::Debug for $Container<T> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_map().entries(self.iter()).finish()
            }
        }
    };
}

pub(crate) use keyed;
