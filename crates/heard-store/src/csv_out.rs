//! The CSV files heard writes, made safe to open in a spreadsheet: a cell that a spreadsheet would
//! read as a formula (it begins with `=`, `+`, `-`, `@`, a tab or a carriage return) is written with
//! a single quote before it, as OWASP advises against CSV injection. Every CSV writer in heard (the
//! register's export on the command line and in the back office, the open-data zip, the results'
//! figures) writes its rows through [`write_row`].
//!
//! heard's own figures (counts, shares, ids, ISO dates) never begin with one of those characters,
//! so they are written as they are; a respondent's "-5 stars" or "=1+1" is text and is quoted.

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text` as a CSV cell: with a single quote before it when it begins like a formula.
pub fn csv_cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) { format!("'{text}").into() } else { text.into() }
}

/// Writes one row of cells, each through [`csv_cell`].
pub fn write_row<W, I, S>(writer: &mut csv::Writer<W>, cells: I) -> csv::Result<()>
where
    W: std::io::Write,
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    for cell in cells {
        writer.write_field(csv_cell(cell.as_ref()).as_bytes())?;
    }
    // An empty record after fields ends the row they make.
    writer.write_record(None::<&[u8]>)
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn formulas_are_quoted_and_everything_else_is_left_alone() {
        for formula in ["=1+1", "+44 20", "-2+3", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"x\")"] {
            assert_eq!(csv_cell(formula), format!("'{formula}"), "{formula:?}");
        }
        for plain in ["", "Camden", "2025-02-10", "12", "0.5000", "r5-2", "a = b", " =1", "'=1"] {
            assert_eq!(csv_cell(plain), plain, "{plain:?}");
        }
    }
}
