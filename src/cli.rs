//! The command line, as clap definitions; completions and the man page are generated from these.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};

use crate::answers::{GivenAnswer, parse_pair};
use crate::check::DEFAULT_MAX_PATHS;

/// Helps you decide which kind of group to look for — support, therapy, psychoeducational or
/// self-help — and explains why, in terms of your own answers.
///
/// With no command, groupfit asks its questions in the terminal. It starts by checking that you
/// are safe; if you may not be, it gives crisis resources instead of a group. Every recommendation
/// is provisional: a guide, not a diagnosis. Nothing you type is sent anywhere.
#[derive(Debug, Parser)]
#[command(name = "groupfit", version, about, long_about)]
pub struct Cli {
    /// Use this question tree instead of the built-in one.
    #[arg(
        short = 'q',
        long,
        env = "GROUPFIT_QUESTIONS",
        value_name = "FILE",
        global = true
    )]
    pub questions: Option<PathBuf>,

    #[command(flatten)]
    pub run: RunArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How the questionnaire is run.
#[derive(Debug, Clone, Default, Args)]
// Each is an on/off command-line flag, which clap reads into a bool.
#[allow(clippy::struct_excessive_bools)]
pub struct RunArgs {
    /// Ask the questions as plain numbered lines (for screen readers, pipes and remote sessions).
    ///
    /// Used automatically when standard input is not a terminal (answers typed in advance), or
    /// when there is no terminal at all. With only standard output redirected, the questions are
    /// shown on the terminal and the report goes into the output.
    #[arg(long)]
    pub plain: bool,

    /// Intake mode for phone consultations: read-aloud wording, staff guidance, notes, and a call
    /// that is saved after every answer so it survives a dropped connection.
    ///
    /// The call is saved under `$XDG_STATE_HOME/groupfit` (default `~/.local/state/groupfit`) until its
    /// summary is exported, and offered for resume when groupfit starts again.
    #[arg(long)]
    pub intake: bool,

    /// Save the answers after every change, and offer to resume them next time (always on with
    /// --intake). Without it, and outside intake mode, nothing is written to disk.
    #[arg(long)]
    pub save: bool,

    /// Folder for exported summaries (named by when the call started; see --export-format); giving
    /// it turns export on outside intake mode too, and plain mode writes the summary at the end.
    ///
    /// Default: the current folder for the intake questionnaire's `e` key. Plain mode, intake or
    /// not, writes a summary only when this is given.
    #[arg(long, value_name = "DIR")]
    pub export_dir: Option<PathBuf>,

    /// The files each exported summary is written as: md (Markdown), txt (plain text, for case
    /// systems that show Markdown marks literally) or json. Repeat for several.
    ///
    /// Default: md and json.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub export_format: Vec<ExportFormat>,

    /// Staff name or initials for the record of every call, so intake does not ask for them.
    #[arg(long, value_name = "NAME")]
    pub staff: Option<String>,

    /// Print nothing of the result after the questionnaire closes, so it is not left in the
    /// terminal's scrollback (on a shared computer, for example).
    ///
    /// Exported files and the saved call are still written as usual, and where they are is still
    /// said. Plain mode shows everything as it goes, so there this changes nothing.
    #[arg(long)]
    pub no_report: bool,
}

impl RunArgs {
    /// Flags given before and after `run` both count.
    #[must_use]
    pub fn merged(&self, other: &RunArgs) -> RunArgs {
        RunArgs {
            plain: self.plain || other.plain,
            intake: self.intake || other.intake,
            save: self.save || other.save,
            export_dir: other.export_dir.clone().or_else(|| self.export_dir.clone()),
            export_format: if other.export_format.is_empty() {
                self.export_format.clone()
            } else {
                other.export_format.clone()
            },
            staff: other.staff.clone().or_else(|| self.staff.clone()),
            no_report: self.no_report || other.no_report,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ask the questions in the terminal (the same as no command).
    Run(RunArgs),

    /// Check a question tree and report every problem at once, with line and column.
    ///
    /// Exits 0 when there are only warnings (1 with --strict), 1 when there are errors.
    Check {
        /// The tree to check (default: --questions, else the built-in tree).
        file: Option<PathBuf>,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
        /// Stop the path-based checks after this many paths.
        #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_PATHS)]
        max_paths: usize,
    },

    /// List every path through a tree and where it ends, for review and sign-off.
    Paths {
        /// The tree (default: --questions, else the built-in tree).
        file: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = PathsFormat::Table)]
        format: PathsFormat,
        /// List at most this many paths (the total is always counted).
        #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_PATHS)]
        max_paths: usize,
    },

    /// A sign-off report a reviewer can read in minutes (Markdown): every question in words, where
    /// the paths end, the borderline paths, the scenarios and the safety screen's routes.
    ///
    /// The signature block appears only when the review is complete: every path visited, no
    /// errors, every scenario passing.
    Review {
        /// The tree (default: --questions, else the built-in tree).
        file: Option<PathBuf>,
        /// Visit at most this many paths (the total is always counted).
        #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_PATHS)]
        max_paths: usize,
    },

    /// What changed between two versions of a tree, above all which answers now end at a
    /// different outcome.
    ///
    /// Exits 0 when every combination of answers ends where it did (wording may have changed),
    /// 3 when some now end at a different outcome, 1 when a tree cannot be read.
    Diff {
        /// The earlier version (for example the one last signed off).
        old: PathBuf,
        /// The version to compare with it.
        new: PathBuf,
        #[arg(long, value_enum, default_value_t = AnswerFormat::Text)]
        format: AnswerFormat,
        /// Compare at most this many combinations of answers.
        #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_PATHS)]
        max_paths: usize,
    },

    /// Draw the tree as a picture: Mermaid (shown by GitHub and GitLab Markdown) or Graphviz DOT.
    ///
    /// Questions are boxes, options labelled arrows with what they score, outcomes end boxes;
    /// urgent outcomes are a different shape and say URGENT. Render DOT with `dot -Tsvg`.
    Graph {
        /// The tree (default: --questions, else the built-in tree).
        file: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
        /// Draw only the questions at most this many steps from the first; deeper ones are shown
        /// as stubs, so a large tree stays readable.
        #[arg(long, value_name = "N")]
        depth: Option<usize>,
    },

    /// Give the recommendation for answers supplied on the command line or in a file.
    #[command(group(ArgGroup::new("given").required(true).args(["answers", "answer"])))]
    Answer {
        /// An answers file: TOML with an [answers] table, or a JSON result from --format json.
        #[arg(long, value_name = "FILE", conflicts_with = "answer")]
        answers: Option<PathBuf>,
        /// One answer as `QUESTION_ID=OPTION_ID`; repeat for each question.
        #[arg(long, value_name = "QID=OID", value_parser = parse_pair)]
        answer: Vec<GivenAnswer>,
        #[arg(long, value_enum, default_value_t = AnswerFormat::Text)]
        format: AnswerFormat,
    },

    /// Print shell completions for bash, zsh, fish, elvish or powershell.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// Print the man page (roff) to standard output.
    Man,

    /// Print a JSON Schema of the tree format, so an editor can complete keys and flag typos.
    ///
    /// For taplo-based editors (VS Code's Even Better TOML, Helix, Neovim), save it and put
    /// `#:schema ./groupfit.schema.json` on the first line of the tree.
    Schema,
}

/// A file format of an exported summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Markdown.
    Md,
    /// Plain text, with no Markdown marks.
    Txt,
    /// JSON, which `groupfit answer --answers` can replay.
    Json,
}

impl From<ExportFormat> for crate::record::Format {
    fn from(format: ExportFormat) -> Self {
        match format {
            ExportFormat::Md => Self::Markdown,
            ExportFormat::Txt => Self::Text,
            ExportFormat::Json => Self::Json,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PathsFormat {
    Table,
    Markdown,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnswerFormat {
    Text,
    Markdown,
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
