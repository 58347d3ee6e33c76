use dynamo_entity::TableLayout;

#[derive(TableLayout)]
#[dynamo(sort_key = "SK")]
struct NoPartitionKey;

#[derive(TableLayout)]
#[dynamo(partition_key = "PK")]
#[dynamo(lsi(ByDate: sort_key = "CreatedAt"))]
struct LocalIndexWithoutTableSortKey;

#[derive(TableLayout)]
#[dynamo(partition_key = "PK", sort_key = "SK")]
#[dynamo(gsi(GSI1: partition_key = "GSI1PK", projection = "keys"))]
#[dynamo(gsi(GSI1: partition_key = "GSI2PK", include = ["Title"], projection = "keys_only"))]
#[dynamo(gsi("by owner": partition_key = "Type"))]
#[dynamo(gsi(NoKey:))]
#[dynamo(gsi(TooWide: partition_key = ["A", "B", "C", "D", "E"]))]
struct BadIndexes;

#[derive(TableLayout)]
#[dynamo(partition_key = "PK", no_type_attribute, type_attribute = "Kind")]
#[dynamo(tabel = "x")]
struct Contradictions;

fn main() {}
