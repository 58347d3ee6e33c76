//! Committed design files, kept current: the way snapshot tests work.

use std::path::Path;

use super::Design;

/// The environment variable that makes [`Design::assert_current`] write the files instead of
/// comparing them.
pub const UPDATE_VARIABLE: &str = "DYNAMO_ENTITY_UPDATE_DESIGN";

impl Design {
    /// Writes every file of [`files`](Self::files) into `dir`, creating it if needed.
    pub fn write_files(&self, dir: impl AsRef<Path>) -> std::io::Result<()> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)?;
        for (name, content) in self.files() {
            std::fs::write(dir.join(name), content)?;
        }
        Ok(())
    }

    /// The files in `dir` that differ from what the design generates now (missing ones
    /// included), each with a line diff (`-` committed, `+` generated).
    pub fn stale_files(&self, dir: impl AsRef<Path>) -> Vec<(String, String)> {
        let dir = dir.as_ref();
        self.files()
            .into_iter()
            .filter_map(|(name, generated)| {
                let path = dir.join(name);
                let committed = std::fs::read_to_string(&path).unwrap_or_default();
                (committed != generated).then(|| {
                    (
                        path.display().to_string(),
                        line_diff(&committed, &generated),
                    )
                })
            })
            .collect()
    }

    /// Checks that the files committed in `dir` are what the design generates now, and panics
    /// with the differences if not. With `DYNAMO_ENTITY_UPDATE_DESIGN=1` in the environment,
    /// writes them instead: run once after a design change, review the diff, commit.
    ///
    /// ```no_run
    /// # use dynamo_entity::{design::{Design, Recorder}, Table};
    /// # fn demo(table: &Table, recorder: &Recorder) {
    /// Design::of("pets", table)
    ///     .patterns(recorder)
    ///     .assert_current(concat!(env!("CARGO_MANIFEST_DIR"), "/design"));
    /// # }
    /// ```
    #[track_caller]
    pub fn assert_current(&self, dir: impl AsRef<Path>) {
        let dir = dir.as_ref();
        if std::env::var_os(UPDATE_VARIABLE).is_some_and(|v| v == "1") {
            if let Err(e) = self.write_files(dir) {
                panic!("writing the design files into {}: {e}", dir.display());
            }
            return;
        }
        let stale = self.stale_files(dir);
        if stale.is_empty() {
            return;
        }
        let mut message = format!(
            "the design files in {} are stale: the entities or the access patterns changed. \
             Run again with {UPDATE_VARIABLE}=1 to regenerate them, and commit them.\n",
            dir.display()
        );
        for (path, diff) in stale {
            message.push_str(&format!("\n--- {path} (committed)\n+++ generated\n{diff}"));
        }
        panic!("{message}");
    }
}

/// A line diff of `old` and `new`: changed lines with two lines of context, `...` between
/// distant changes.
pub(crate) fn line_diff(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Longest common subsequence, from the end.
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut lines: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            lines.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] > lcs[i + 1][j]) {
            lines.push(('+', b[j]));
            j += 1;
        } else {
            lines.push(('-', a[i]));
            i += 1;
        }
    }
    const CONTEXT: usize = 2;
    let changed: Vec<usize> = (0..lines.len()).filter(|&k| lines[k].0 != ' ').collect();
    let near = |k: usize| changed.iter().any(|&c| c.abs_diff(k) <= CONTEXT);
    let mut out = String::new();
    let mut skipped = false;
    for (k, (mark, line)) in lines.iter().enumerate() {
        if near(k) {
            if skipped {
                out.push_str("...\n");
                skipped = false;
            }
            out.push(*mark);
            out.push_str(line);
            out.push('\n');
        } else {
            skipped = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::line_diff;

    #[test]
    fn diffs_show_changes_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
        let new = "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk\n";
        assert_eq!(
            line_diff(old, new),
            "...\n b\n c\n-d\n+D\n e\n f\n...\n i\n j\n+k\n"
        );
        assert_eq!(line_diff("", "x\n"), "+x\n");
    }
}
