//! The Saltelli (2010) sampling design on a Sobol sequence: two matrices A and B of N points,
//! and for each factor i the matrix AB_i (A with factor i's coordinates taken from B), evaluated
//! in SALib's order (for each base point j: A_j, AB_1j .. AB_kj, B_j).

use std::ops::Range;

use rand::{Rng, SeedableRng};
use resil_core::{Error, Result};
use sobol::params::JoeKuoD6;
use sobol::Sobol;

/// The largest number of design coordinates (the Joe-Kuo D6 table bundled with `sobol` has 1,000
/// dimensions; the base sequence needs two per coordinate).
pub const MAX_COORDINATES: usize = 500;

/// The first `n` points of the `dims`-dimensional Sobol sequence (Joe & Kuo's D6 direction
/// numbers, Gray-code order, the origin first: scipy's `qmc.Sobol(dims, scramble=False)`), as
/// 32-bit integers; each coordinate is `x / 2^32`.
pub fn sobol_integers(dims: usize, n: usize) -> Vec<Vec<u32>> {
    let params = JoeKuoD6::standard();
    Sobol::<u32>::new(dims, &params).take(n).collect()
}

/// Which matrix a factor's coordinates come from at one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    A,
    B,
}

/// A Saltelli design over `k` factors, each a group of coordinates in [0, 1).
#[derive(Debug, Clone)]
pub struct Design {
    n: usize,
    groups: Vec<Range<usize>>,
    /// Row-major, `n x d` each.
    a: Vec<f64>,
    b: Vec<f64>,
}

impl Design {
    /// A design of `n` base points for factors of `group_dims` coordinates each. The Sobol points
    /// are randomised by a digital shift drawn from `seed` (each coordinate's bits XOR-ed with a
    /// seeded random word, which keeps the sequence's net property), and every coordinate is
    /// the centre of its 2^-32 cell, so none is exactly 0 or 1. `seed = None`: no shift (the
    /// plain sequence, for checks against scipy).
    pub fn new(n: usize, group_dims: &[usize], seed: Option<u64>) -> Result<Design> {
        if n < 2 {
            return Err(Error::param("sensitivity", "draws", format!("must be at least 2, got {n}")));
        }
        if group_dims.is_empty() || group_dims.contains(&0) {
            return Err(Error::param("sensitivity", "factor", "needs at least one factor, each with a coordinate"));
        }
        let d: usize = group_dims.iter().sum();
        if d > MAX_COORDINATES {
            return Err(Error::param(
                "sensitivity",
                "factor",
                format!("the factors need {d} coordinates; at most {MAX_COORDINATES} are supported"),
            ));
        }
        let mut groups = Vec::with_capacity(group_dims.len());
        let mut start = 0;
        for &g in group_dims {
            groups.push(start..start + g);
            start += g;
        }
        let shift: Vec<u32> = match seed {
            Some(seed) => {
                let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
                (0..2 * d).map(|_| rng.gen()).collect()
            }
            None => vec![0; 2 * d],
        };
        let to_unit = |x: u32| (f64::from(x) + 0.5) / 4_294_967_296.0;
        let (mut a, mut b) = (Vec::with_capacity(n * d), Vec::with_capacity(n * d));
        for point in sobol_integers(2 * d, n) {
            a.extend(point[..d].iter().zip(&shift[..d]).map(|(&x, &s)| to_unit(x ^ s)));
            b.extend(point[d..].iter().zip(&shift[d..]).map(|(&x, &s)| to_unit(x ^ s)));
        }
        Ok(Design { n, groups, a, b })
    }

    /// The number of base points N.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The number of factors k.
    pub fn factors(&self) -> usize {
        self.groups.len()
    }

    /// The number of model evaluations, N (k + 2).
    pub fn evaluations(&self) -> usize {
        self.n * (self.factors() + 2)
    }

    fn d(&self) -> usize {
        self.groups.last().map_or(0, |g| g.end)
    }

    /// Factor `factor`'s coordinates at base point `j` of matrix `side`.
    pub fn coordinates(&self, side: Side, j: usize, factor: usize) -> &[f64] {
        let m = if side == Side::A { &self.a } else { &self.b };
        let g = &self.groups[factor];
        &m[j * self.d() + g.start..j * self.d() + g.end]
    }

    /// Where evaluation `e` takes factor `factor` from: the matrix and the base point.
    pub fn side(&self, e: usize, factor: usize) -> (Side, usize) {
        let step = self.factors() + 2;
        let (j, r) = (e / step, e % step);
        let side = if r == step - 1 || r == factor + 1 { Side::B } else { Side::A };
        (side, j)
    }

    /// The whole point of evaluation `e`, every factor's coordinates in order.
    pub fn point(&self, e: usize) -> Vec<f64> {
        (0..self.factors())
            .flat_map(|i| {
                let (side, j) = self.side(e, i);
                self.coordinates(side, j, i).to_vec()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_sequence_is_scipys() {
        // scipy.stats.qmc.Sobol(6, scramble=False).random(16), made by tests/reference/salib_sobol.py.
        let case = resil_test_support::reference_case("salib_sobol");
        let expected: Vec<Vec<f64>> =
            case["scipy_sobol_6d"].as_array().unwrap().iter().map(resil_test_support::floats).collect();
        let got = sobol_integers(6, expected.len());
        for (row, want) in got.iter().zip(&expected) {
            let row: Vec<f64> = row.iter().map(|&x| f64::from(x) / 4_294_967_296.0).collect();
            assert_eq!(&row, want);
        }
    }

    #[test]
    fn the_design_is_salibs_without_scrambling() {
        // SALib.sample.sobol.sample(problem with 3 factors, 8, calc_second_order=False,
        // scramble=False): rows A_j, AB_1j, AB_2j, AB_3j, B_j.
        let case = resil_test_support::reference_case("salib_sobol");
        let expected: Vec<Vec<f64>> =
            case["salib_design_3"].as_array().unwrap().iter().map(resil_test_support::floats).collect();
        let design = Design::new(8, &[1, 1, 1], None).unwrap();
        assert_eq!(design.evaluations(), expected.len());
        for (e, want) in expected.iter().enumerate() {
            let got = design.point(e);
            for (g, w) in got.iter().zip(want) {
                // Our coordinates are cell centres: half a 2^-32 step above SALib's.
                assert!((g - w - 0.5 / 4_294_967_296.0).abs() < 1e-15, "evaluation {e}: {got:?} vs {want:?}");
            }
        }
    }

    #[test]
    fn groups_move_together_and_shifts_depend_on_the_seed() {
        let d = Design::new(16, &[2, 1], Some(7)).unwrap();
        assert_eq!(d.evaluations(), 64);
        // AB_1 of base point 3: group 0 (two coordinates) from B, group 1 from A.
        let e = 3 * 4 + 1;
        assert_eq!(d.point(e)[..2], *d.coordinates(Side::B, 3, 0));
        assert_eq!(d.point(e)[2..], *d.coordinates(Side::A, 3, 1));
        let again = Design::new(16, &[2, 1], Some(7)).unwrap();
        let other = Design::new(16, &[2, 1], Some(8)).unwrap();
        assert_eq!(d.point(5), again.point(5));
        assert_ne!(d.point(5), other.point(5));
        for e in 0..d.evaluations() {
            assert!(d.point(e).iter().all(|&u| u > 0.0 && u < 1.0));
        }
    }

    #[test]
    fn bad_designs_are_refused() {
        assert!(Design::new(1, &[1], None).is_err());
        assert!(Design::new(8, &[], None).is_err());
        assert!(Design::new(8, &[0], None).is_err());
        assert!(Design::new(8, &[MAX_COORDINATES + 1], None).unwrap_err().to_string().contains("at most"));
    }
}
