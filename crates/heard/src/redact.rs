//! `heard redact`: the personal-data and safeguarding checks on one text from standard input.

use anyhow::{Result, bail};

pub fn run(_json: bool) -> Result<()> {
    bail!("heard redact is not built yet")
}
