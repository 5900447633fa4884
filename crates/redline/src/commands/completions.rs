//! `redline completions` and `redline man`: shell completions and manual pages, generated from
//! the command line's own clap definitions (so they cannot drift from the flags the binary
//! accepts).

use std::path::{Path, PathBuf};

use anyhow::Context;

#[derive(Debug, clap::Args)]
#[command(after_help = "Install, for example:\n  \
    redline completions bash > ~/.local/share/bash-completion/completions/redline\n  \
    redline completions zsh > \"${fpath[1]}/_redline\"\n  \
    redline completions fish > ~/.config/fish/completions/redline.fish")]
pub struct CompletionsArguments {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Read one with `man -l redline.1`, or install them:\n  \
    redline man --out /usr/local/share/man/man1 && mandb")]
pub struct ManArguments {
    /// The directory to write `redline.1` and one page per subcommand into (created if
    /// missing).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
}

/// Prints the completion script for `arguments.shell` to standard output.
pub fn completions(
    arguments: CompletionsArguments,
    mut command: clap::Command,
) -> anyhow::Result<()> {
    let name = command.get_name().to_string();
    let mut stdout = std::io::stdout().lock();
    clap_complete::generate(arguments.shell, &mut command, name, &mut stdout);
    Ok(())
}

/// Writes `redline.1` and `redline-<subcommand>[-<subcommand>].1` for every subcommand into
/// `arguments.out`, and names each file written on standard output.
pub fn man(arguments: ManArguments, command: clap::Command) -> anyhow::Result<()> {
    std::fs::create_dir_all(&arguments.out)
        .with_context(|| format!("creating {}", arguments.out.display()))?;
    let before = manual_pages_in(&arguments.out)?;
    clap_mangen::generate_to(command, &arguments.out)
        .with_context(|| format!("writing manual pages into {}", arguments.out.display()))?;
    let after = manual_pages_in(&arguments.out)?;
    let written = after.len();
    for page in &after {
        println!("{}", page.display());
    }
    eprintln!(
        "{written} manual pages in {} ({} new)",
        arguments.out.display(),
        after.len().saturating_sub(before.len())
    );
    Ok(())
}

/// The `redline*.1` files in `directory`, sorted.
fn manual_pages_in(directory: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut pages = Vec::new();
    for entry in
        std::fs::read_dir(directory).with_context(|| format!("reading {}", directory.display()))?
    {
        let path = entry?.path();
        let is_page = path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.starts_with("redline") && name.ends_with(".1"));
        if is_page {
            pages.push(path);
        }
    }
    pages.sort();
    Ok(pages)
}
