//! `heard eval`: runs the engine against gold outputs and prints the measures.

use anyhow::{Result, bail};

#[derive(Debug, clap::Subcommand)]
pub enum EvalCommand {}

pub fn run(_command: EvalCommand) -> Result<()> {
    bail!("heard eval is not built yet")
}
