//! `heard analyse`: runs the engine on a file or question folder and writes its outputs.

use anyhow::{Result, bail};

#[derive(Debug, clap::Args)]
pub struct AnalyseArgs {}

pub fn run(_args: AnalyseArgs) -> Result<()> {
    bail!("heard analyse is not built yet")
}
