//! The update expressions of every kind of change, pinned.

use super::plan::affected_indexes;
use crate::ops::testing::*;

/// The `UpdateItem` an update sends when it needs no read.
fn update_text(update: super::Update<'_, Pet>) -> Text {
    let mut update = update;
    update.check().expect("a valid update");
    let affected = affected_indexes(&Pet::SCHEMA, &update.actions);
    assert!(!update.reads_first(&affected), "the update reads first");
    let exprs = update
        .expressions_without_read(&affected, "2023-11-14T22:13:20.000000000Z")
        .expect("expressions");
    update.update_input(&exprs).text()
}

#[test]
fn every_kind_of_change_in_one_expression() {
    let table = table();
    let f = Pet::fields();
    let update = table
        .update::<Pet>(Pet::primary_key("alice", "rex").unwrap())
        .set(f.nickname, Some("Rexy".into()))
        .add(f.visits, 2)
        .append(f.log, vec!["walk".into()])
        .add_to_set(f.tags, ["good".to_owned()])
        .set_entry(f.addresses.entry("home"), "1 Main St".to_owned());
    assert_eq!(
        update_text(update),
        Text {
            condition: Some("#n0 = :v0".into()),
            update: Some(
                "SET #n1 = if_not_exists(#n1, :v1) + :v2, #n2 = :v3, #n3 = #n3 + :v4, \
                 #n4 = list_append(#n4, :v5), #n5.#n6 = :v6 ADD #n7 :v7"
                    .into()
            ),
            names: names(&[
                ("#n0", "Type"),
                ("#n1", "version"),
                ("#n2", "nickname"),
                ("#n3", "visits"),
                ("#n4", "log"),
                ("#n5", "addresses"),
                ("#n6", "home"),
                ("#n7", "tags"),
            ]),
            values: values(&[
                (":v0", s("Pet")),
                (":v1", n("0")),
                (":v2", n("1")),
                (":v3", s("Rexy")),
                (":v4", n("2")),
                (
                    ":v5",
                    aws_sdk_dynamodb::types::AttributeValue::L(vec![s("walk")])
                ),
                (":v6", s("1 Main St")),
                (
                    ":v7",
                    aws_sdk_dynamodb::types::AttributeValue::Ss(vec!["good".into()])
                ),
            ]),
            ..Text::default()
        }
    );
}

#[test]
fn removals_and_a_callers_version_and_condition() {
    let table = table();
    let f = Pet::fields();
    let update = table
        .update::<Pet>(Pet::primary_key("alice", "rex").unwrap())
        .remove(f.nickname)
        .remove_at(f.log, [2, 0])
        .delete_from_set(f.tags, ["bad".to_owned()])
        .add_to_entry(f.reactions.entry("like"), 1)
        .if_version(7)
        .condition(f.visits.ge(1));
    assert_eq!(
        update_text(update),
        Text {
            condition: Some("#n0 = :v0 AND #n1 = :v1 AND #n2 >= :v2".into()),
            update: Some(
                "SET #n0 = if_not_exists(#n0, :v3) + :v4, #n3.#n4 = if_not_exists(#n3.#n4, :v5) \
                 + :v6 REMOVE #n5, #n6[0], #n6[2] DELETE #n7 :v7"
                    .into()
            ),
            names: names(&[
                ("#n0", "version"),
                ("#n1", "Type"),
                ("#n2", "visits"),
                ("#n3", "reactions"),
                ("#n4", "like"),
                ("#n5", "nickname"),
                ("#n6", "log"),
                ("#n7", "tags"),
            ]),
            values: values(&[
                (":v0", n("7")),
                (":v1", s("Pet")),
                (":v2", n("1")),
                (":v3", n("0")),
                (":v4", n("1")),
                (":v5", n("0")),
                (":v6", n("1")),
                (
                    ":v7",
                    aws_sdk_dynamodb::types::AttributeValue::Ss(vec!["bad".into()])
                ),
            ]),
            ..Text::default()
        }
    );
}

#[test]
fn an_index_key_follows_from_the_inputs_an_update_sets() {
    let table = table();
    let f = Pet::fields();
    let update = table
        .update::<Pet>(Pet::primary_key("alice", "rex").unwrap())
        .set(f.species, "cat".into())
        .set(f.name, "Tom".into());
    assert_eq!(
        update_text(update),
        Text {
            condition: Some("#n0 = :v0".into()),
            update: Some(
                "SET #n1 = :v1, #n2 = :v2, #n3 = if_not_exists(#n3, :v3) + :v4, #n4 = :v5, \
                 #n5 = :v6"
                    .into()
            ),
            names: names(&[
                ("#n0", "Type"),
                ("#n1", "GSI1PK"),
                ("#n2", "GSI1SK"),
                ("#n3", "version"),
                ("#n4", "species"),
                ("#n5", "name"),
            ]),
            values: values(&[
                (":v0", s("Pet")),
                (":v1", s("SPECIES#cat")),
                (":v2", s("NAME#Tom")),
                (":v3", n("0")),
                (":v4", n("1")),
                (":v5", s("cat")),
                (":v6", s("Tom")),
            ]),
            ..Text::default()
        }
    );
    // One input alone: the other is stored, so the item is read first.
    let partial = table
        .update::<Pet>(Pet::primary_key("alice", "rex").unwrap())
        .set(f.name, "Tom".into());
    let affected = affected_indexes(&Pet::SCHEMA, &partial.actions);
    assert!(partial.reads_first(&affected));
}

#[test]
fn an_upsert_writes_the_initial_item_where_it_is_absent_and_counts_from_it() {
    let table = table();
    let initial = rex(0);
    let update = table.upsert(&initial).add(Pet::fields().visits, 1);
    assert_eq!(
        update_text(update),
        Text {
            condition: Some("attribute_not_exists(#n0) OR #n1 = :v0".into()),
            update: Some(
                "SET #n2 = if_not_exists(#n2, :v1), #n3 = if_not_exists(#n3, :v2), \
                 #n1 = if_not_exists(#n1, :v3), #n4 = if_not_exists(#n4, :v4), \
                 #n5 = if_not_exists(#n5, :v5), #n6 = if_not_exists(#n6, :v6), \
                 #n7 = if_not_exists(#n7, :v7), #n8 = if_not_exists(#n8, :v8), \
                 #n9 = if_not_exists(#n9, :v9), #n10 = if_not_exists(#n10, :v10), \
                 #n11 = if_not_exists(#n11, :v11) + :v12, #n12 = if_not_exists(#n12, :v13) + :v14"
                    .into()
            ),
            names: names(&[
                ("#n0", "PK"),
                ("#n1", "Type"),
                ("#n10", "species"),
                ("#n11", "version"),
                ("#n12", "visits"),
                ("#n2", "GSI1PK"),
                ("#n3", "GSI1SK"),
                ("#n4", "addresses"),
                ("#n5", "log"),
                ("#n6", "name"),
                ("#n7", "owner"),
                ("#n8", "pet_id"),
                ("#n9", "reactions"),
            ]),
            values: values(&[
                (":v0", s("Pet")),
                (":v1", s("SPECIES#dog")),
                (":v10", s("dog")),
                (":v11", n("0")),
                (":v12", n("1")),
                (":v13", n("3")),
                (":v14", n("1")),
                (":v2", s("NAME#Rex")),
                (":v3", s("Pet")),
                (
                    ":v4",
                    aws_sdk_dynamodb::types::AttributeValue::M(Default::default())
                ),
                (
                    ":v5",
                    aws_sdk_dynamodb::types::AttributeValue::L(Vec::new())
                ),
                (":v6", s("Rex")),
                (":v7", s("alice")),
                (":v8", s("rex")),
                (
                    ":v9",
                    aws_sdk_dynamodb::types::AttributeValue::M(Default::default())
                ),
            ]),
            ..Text::default()
        }
    );
}

#[test]
fn mistakes_are_found_before_sending() {
    let table = table();
    let f = Pet::fields();
    let twice = table
        .update::<Pet>(Pet::primary_key("alice", "rex").unwrap())
        .set_entry(f.addresses.entry("home"), "1 Main St".to_owned())
        .remove(f.nickname)
        .set_entry(f.addresses.entry("home"), "2 Main St".to_owned());
    let mut twice = twice;
    let error = twice.check().unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"invalid request: `addresses."home"` is changed twice in one update"#
    );
}
