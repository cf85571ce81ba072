//! Sensitivity estimators on analytic functions with known answers.

use std::f64::consts::PI;

use dorasim::analysis::sensitivity::{morris, sobol};

/// Ishigami function on [−π, π]³ from the unit cube, a = 7, b = 0.1.
fn ishigami(u: &[f64]) -> f64 {
    let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

#[test]
fn sobol_indices_of_ishigami_match_analytic_values() {
    // Analytic values for a = 7, b = 0.1 (Saltelli et al. 2008, Global Sensitivity Analysis).
    let first = [0.3139, 0.4424, 0.0];
    let total = [0.5576, 0.4424, 0.2437];
    let indices = sobol(ishigami, 3, 8192, 11).indices;
    for i in 0..3 {
        let s = indices[i];
        assert!(
            (s.first - first[i]).abs() < 0.03,
            "S1[{i}] = {} vs {}",
            s.first,
            first[i]
        );
        assert!(
            (s.total - total[i]).abs() < 0.03,
            "ST[{i}] = {} vs {}",
            s.total,
            total[i]
        );
        assert!(s.first_ci.0 <= s.first && s.first <= s.first_ci.1);
        assert!(s.total_ci.0 <= s.total && s.total <= s.total_ci.1);
    }
}

#[test]
fn morris_ranks_inputs_of_a_known_function() {
    // y = 10 x0 + 5 x1² + x2 + 0 x3 + 2 x0 x4: influence ranks x0 > x1 > x4 > x2 > x3 (x3 inert).
    let f = |x: &[f64]| 10.0 * x[0] + 5.0 * x[1] * x[1] + x[2] + 2.0 * x[0] * x[4];
    let effects = morris(f, 5, 50, 3);
    let mut order: Vec<usize> = (0..5).collect();
    order.sort_by(|&a, &b| effects[b].mu_star.total_cmp(&effects[a].mu_star));
    assert_eq!(order, vec![0, 1, 4, 2, 3], "{effects:?}");
    assert!(effects[3].mu_star.abs() < 1e-12);
    // Linear inputs have no spread of elementary effects; x1 (quadratic) and x4 (interaction) do.
    assert!(effects[2].sigma < 1e-9);
    assert!(effects[1].sigma > 0.1 && effects[4].sigma > 0.1);
}
