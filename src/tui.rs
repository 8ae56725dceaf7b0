//! Terminal UI.

use std::path::Path;

pub fn run(_db: &Path, _config: Option<&Path>) -> anyhow::Result<()> {
    anyhow::bail!("the terminal UI is not built yet")
}
