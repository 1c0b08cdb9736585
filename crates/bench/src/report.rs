//! What a scenario prints: figures with their unit, target and reference,
//! rendered as a Markdown table so a run can be pasted into the docs.

use std::fmt;

/// One measured figure.
#[derive(Debug, Clone)]
pub struct Figure {
    /// What was measured.
    pub name: String,
    /// The value as printed (already rounded, with its unit).
    pub value: String,
    /// The target from the issue, if the figure has one.
    pub target: String,
    /// What the figure is compared against, and the ratio.
    pub reference: String,
    /// Whether the target is met; `None` when there is no target.
    pub met: Option<bool>,
}

impl Figure {
    /// A figure with no target.
    pub fn info(name: impl Into<String>, value: impl Into<String>) -> Figure {
        Figure {
            name: name.into(),
            value: value.into(),
            target: String::new(),
            reference: String::new(),
            met: None,
        }
    }

    /// Adds the target and whether it is met.
    pub fn target(mut self, target: impl Into<String>, met: bool) -> Figure {
        self.target = target.into();
        self.met = Some(met);
        self
    }

    /// Adds the reference it was compared with.
    pub fn reference(mut self, reference: impl Into<String>) -> Figure {
        self.reference = reference.into();
        self
    }
}

/// The figures of one scenario plus free-form notes (parameters,
/// extrapolations, reasons for a miss).
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Scenario title.
    pub title: String,
    /// The figures, in print order.
    pub figures: Vec<Figure>,
    /// Lines printed under the table.
    pub notes: Vec<String>,
}

impl Report {
    /// An empty report titled `title`.
    pub fn new(title: impl Into<String>) -> Report {
        Report {
            title: title.into(),
            ..Report::default()
        }
    }

    /// Appends a figure.
    pub fn push(&mut self, figure: Figure) {
        self.figures.push(figure);
    }

    /// Appends a note.
    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// Appends another report's figures and notes, prefixing names.
    pub fn absorb(&mut self, prefix: &str, other: Report) {
        for mut figure in other.figures {
            figure.name = format!("{prefix}{}", figure.name);
            self.figures.push(figure);
        }
        self.notes.extend(other.notes);
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "### {}\n", self.title)?;
        writeln!(f, "| figure | value | target | reference | met |")?;
        writeln!(f, "|---|---|---|---|---|")?;
        for fig in &self.figures {
            let met = match fig.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "",
            };
            writeln!(
                f,
                "| {} | {} | {} | {} | {met} |",
                fig.name, fig.value, fig.target, fig.reference
            )?;
        }
        if !self.notes.is_empty() {
            writeln!(f)?;
        }
        for note in &self.notes {
            writeln!(f, "- {note}")?;
        }
        Ok(())
    }
}

/// Milliseconds with a sensible number of digits.
pub fn ms(d: std::time::Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// Seconds with two decimals.
pub fn secs(d: std::time::Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}
