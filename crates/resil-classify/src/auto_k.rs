//! Choosing the number of classes, as mapclassify's `gadf` (and `KClassifiers`): fit k = 2, 3,
//! ... up to a maximum and keep the first classing whose goodness of absolute deviation fit
//! exceeds a threshold, or the last when none does.

use resil_core::{Breaks, Classifier, Diagnostic, Error, Outcome, Result};

/// A classifier whose k is chosen by GADF among candidates built for k = 2, 3, ...
#[derive(Debug)]
pub struct AutoK {
    candidates: Vec<(usize, Box<dyn Classifier>)>,
    threshold: f64,
}

impl AutoK {
    /// `candidates` in increasing k; `threshold` in (0, 1).
    pub fn new(candidates: Vec<(usize, Box<dyn Classifier>)>, threshold: f64) -> Result<AutoK> {
        if !(threshold > 0.0 && threshold < 1.0) {
            return Err(Error::param("classify", "gadf", format!("must be in (0, 1), got {threshold}")));
        }
        if candidates.is_empty() {
            return Err(Error::param("classify", "max-k", "leaves no k to try: it must be at least 2"));
        }
        Ok(AutoK { candidates, threshold })
    }
}

impl Classifier for AutoK {
    fn fit(&self, reference: &[f64]) -> Result<Outcome<Breaks>> {
        let mut last = None;
        for (k, candidate) in &self.candidates {
            let fitted = match candidate.fit(reference) {
                Ok(f) => f,
                // Too few distinct values for this k: the previous k is the most the data hold.
                Err(_) if last.is_some() => break,
                Err(e) => return Err(e),
            };
            let gadf = fitted.value.fit.gadf;
            if gadf > self.threshold {
                let note = format!("k = {k} chosen: the smallest k whose GADF ({gadf:.4}) exceeds {}", self.threshold);
                let mut notes = fitted.notes;
                notes.push(Diagnostic::info("k-chosen", note));
                return Ok(Outcome::with_notes(fitted.value, notes));
            }
            last = Some((*k, fitted));
        }
        let (k, fitted) = last.expect("the first candidate either fitted or returned its error");
        let note = format!(
            "k = {k} chosen: no k up to {k} reaches GADF {} (best {:.4}); the largest was kept",
            self.threshold, fitted.value.fit.gadf
        );
        let mut notes = fitted.notes;
        notes.push(Diagnostic::warning("k-chosen", note));
        Ok(Outcome::with_notes(fitted.value, notes))
    }
}
