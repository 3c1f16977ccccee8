//! `heard model`: fetch and verify all-MiniLM-L6-v2, and distil the static table for fast mode.

use anyhow::{Result, bail};

#[derive(Debug, clap::Subcommand)]
pub enum ModelCommand {}

pub fn run(_command: ModelCommand) -> Result<()> {
    bail!("heard model is not built yet")
}
