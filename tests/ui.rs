//! Compile errors of the derives: each case in `tests/ui/` is named after the mistake, and its
//! `.stderr` holds the exact message users see.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
