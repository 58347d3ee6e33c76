use dynamo_entity::{Entity, TableLayout};

#[derive(TableLayout)]
#[dynamo(partition_key = "PK", sort_key = "SK")]
#[dynamo(gsi(ByTournament: partition_key = ["TournamentId", "Region"], sort_key = ["Round", "Bracket"]))]
struct Esports;

// A field listed twice, an unknown field.
#[derive(Entity)]
#[dynamo(table = Esports)]
#[pk = "MATCH#<id>"]
#[sk = "MATCH"]
#[index(ByTournament: pk = [tournament, region], sk = [tournament, roundd])]
struct BadFields {
    id: String,
    #[dynamo(rename = "TournamentId")]
    tournament: String,
    #[dynamo(rename = "Region")]
    region: String,
    #[dynamo(rename = "Round")]
    round: u32,
}

// A field type that cannot be a key attribute.
#[derive(Entity)]
#[dynamo(table = Esports)]
#[pk = "MATCH#<id>"]
#[sk = "MATCH"]
#[index(ByTournament: pk = [tournament, region], sk = [round, bracket])]
struct FloatRound {
    id: String,
    #[dynamo(rename = "TournamentId")]
    tournament: String,
    #[dynamo(rename = "Region")]
    region: String,
    #[dynamo(rename = "Round")]
    round: f64,
    #[dynamo(rename = "Bracket")]
    bracket: String,
}

// The fields' attribute names are not the index's, in its order.
#[derive(Entity)]
#[dynamo(table = Esports)]
#[pk = "MATCH#<id>"]
#[sk = "MATCH"]
#[index(ByTournament: pk = [region, tournament], sk = [round, bracket])]
struct WrongOrder {
    id: String,
    #[dynamo(rename = "TournamentId")]
    tournament: String,
    #[dynamo(rename = "Region")]
    region: String,
    #[dynamo(rename = "Round")]
    round: u32,
    #[dynamo(rename = "Bracket")]
    bracket: String,
}

// Sort attributes are given left to right: the bracket needs the round first.
#[derive(Entity)]
#[dynamo(table = Esports)]
#[pk = "MATCH#<id>"]
#[sk = "MATCH"]
#[index(ByTournament: pk = [tournament, region], sk = [round, bracket])]
struct Match {
    id: String,
    #[dynamo(rename = "TournamentId")]
    tournament: String,
    #[dynamo(rename = "Region")]
    region: String,
    #[dynamo(rename = "Round")]
    round: u32,
    #[dynamo(rename = "Bracket")]
    bracket: String,
}

fn main() {
    let _ = Match::query_by_tournament("W", "NA").unwrap().bracket("UPPER");
    let _ = Match::query_by_tournament("W");
}
