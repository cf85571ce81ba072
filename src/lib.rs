//! dorasim: a Monte Carlo simulator of a software delivery system.

pub mod model;
