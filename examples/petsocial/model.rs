//! The pet social network of seed 000: thirteen entity types in one table. Users and their
//! pets, pets' health events, medications and appointments, vets, clubs with members, posts,
//! comments and reactions, follows between users, and the reminders sent for appointments.
//!
//! Seed 000's story is the appointments: keyed by pet, "upcoming appointments across all of a
//! user's pets" took one query per pet. GSI1 holds each user's appointments in one partition,
//! in time order: one query.

use chrono::{DateTime, Utc};
use dynamo_entity::{Collection, Entity, Error, TableSchema};

/// `USER#<user_id>` / `PROFILE`.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<user_id>"]
#[sk = "PROFILE"]
pub struct User {
    pub user_id: String,
    pub name: String,
    pub email: String,
}

/// `USER#<owner_id>` / `PET#<pet_id>`: a user's pets; GSI1 finds a pet by id.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner_id>"]
#[sk = "PET#<pet_id>"]
#[gsi1(pk = "PET#<pet_id>", sk = "PET")]
pub struct Pet {
    pub owner_id: String,
    pub pet_id: String,
    pub name: String,
    pub species: String,
}

/// A user's page: the profile and the pets (not the follows, which sort before them).
#[derive(Debug, Clone, PartialEq, Collection)]
pub enum UserPage {
    User(User),
    Pet(Pet),
}

/// `PET#<pet_id>` / `EVENT#<at>#<event_id>`: a pet's health timeline.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "PET#<pet_id>"]
#[sk = "EVENT#<at>#<event_id>"]
pub struct HealthEvent {
    pub pet_id: String,
    pub at: DateTime<Utc>,
    pub event_id: String,
    pub kind: String,
    pub note: String,
}

/// `PET#<pet_id>` / `MED#<med_id>`: a pet's medications.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "PET#<pet_id>"]
#[sk = "MED#<med_id>"]
pub struct Medication {
    pub pet_id: String,
    pub med_id: String,
    pub drug: String,
    pub dose: String,
}

/// `PET#<pet_id>` / `APPT#<at>#<appt_id>`: a pet's appointments. GSI1: the owner's
/// appointments across pets, in time order (the fix of seed 000); GSI2: a vet's day.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "PET#<pet_id>"]
#[sk = "APPT#<at>#<appt_id>"]
#[gsi1(pk = "USER#<owner_id>", sk = "APPT#<at>#<appt_id>")]
#[gsi2(pk = "VET#<vet_id>#<at:date>", sk = "APPT#<at>#<appt_id>")]
pub struct Appointment {
    pub pet_id: String,
    pub owner_id: String,
    pub vet_id: String,
    pub at: DateTime<Utc>,
    pub appt_id: String,
    pub reason: String,
}

/// `VET#<vet_id>` / `PROFILE`.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "VET#<vet_id>"]
#[sk = "PROFILE"]
pub struct Vet {
    pub vet_id: String,
    pub name: String,
    pub clinic: String,
}

/// `CLUB#<club_id>` / `META`.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "CLUB#<club_id>"]
#[sk = "META"]
pub struct Club {
    pub club_id: String,
    pub name: String,
}

/// `CLUB#<club_id>` / `MEMBER#<user_id>`: a club's members; GSI1: a user's clubs.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "CLUB#<club_id>"]
#[sk = "MEMBER#<user_id>"]
#[gsi1(pk = "USER#<user_id>", sk = "CLUB#<club_id>")]
pub struct Membership {
    pub club_id: String,
    pub user_id: String,
    pub joined_at: DateTime<Utc>,
}

/// `CLUB#<club_id>` / `POST#<at>#<post_id>`: a club's posts in time order.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "CLUB#<club_id>"]
#[sk = "POST#<at>#<post_id>"]
pub struct ClubPost {
    pub club_id: String,
    pub at: DateTime<Utc>,
    pub post_id: String,
    pub author_id: String,
    pub text: String,
}

/// `POST#<post_id>` / `COMMENT#<at>#<comment_id>`: a post's comments.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "POST#<post_id>"]
#[sk = "COMMENT#<at>#<comment_id>"]
pub struct Comment {
    pub post_id: String,
    pub at: DateTime<Utc>,
    pub comment_id: String,
    pub author_id: String,
    pub text: String,
}

/// `POST#<post_id>` / `REACTION#<user_id>`: one reaction per user and post.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "POST#<post_id>"]
#[sk = "REACTION#<user_id>"]
pub struct Reaction {
    pub post_id: String,
    pub user_id: String,
    pub kind: String,
}

/// `USER#<follower_id>` / `FOLLOWS#<followee_id>`: whom a user follows; GSI1: a user's
/// followers.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<follower_id>"]
#[sk = "FOLLOWS#<followee_id>"]
#[gsi1(pk = "USER#<followee_id>", sk = "FOLLOWER#<follower_id>")]
pub struct Follow {
    pub follower_id: String,
    pub followee_id: String,
}

/// `APPT#<appt_id>` / `REMINDER`: the reminder e-mail of an appointment, sent once; kept a
/// month.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "APPT#<appt_id>"]
#[sk = "REMINDER"]
pub struct ReminderSent {
    pub appt_id: String,
    pub to: String,
    #[dynamo(ttl)]
    pub expires_at: DateTime<Utc>,
}

/// The thirteen entities of the table.
pub fn schema() -> Result<TableSchema, Error> {
    TableSchema::new()
        .entity::<User>()?
        .entity::<Pet>()?
        .entity::<HealthEvent>()?
        .entity::<Medication>()?
        .entity::<Appointment>()?
        .entity::<Vet>()?
        .entity::<Club>()?
        .entity::<Membership>()?
        .entity::<ClubPost>()?
        .entity::<Comment>()?
        .entity::<Reaction>()?
        .entity::<Follow>()?
        .entity::<ReminderSent>()
}

/// The access patterns, one request each (but the broken first design of the appointments).
pub mod patterns {
    use super::*;
    use dynamo_entity::{Created, SortKeyCondition, Table};

    /// A user's profile and pets: one query of the user's partition, from `PET#` to `PROFILE`
    /// (the follows, `FOLLOWS#…`, sort before and are not read).
    pub async fn user_page(table: &Table, user_id: &str) -> Result<UserPageParts, Error> {
        let page = table
            .query_collection::<UserPage, _>(User::query(user_id)?)
            .sort_key(SortKeyCondition::Between("PET#".into(), "PROFILE".into()))
            .all()
            .await?;
        Ok(UserPage::split(page.items))
    }

    /// A pet by id: one query of GSI1.
    pub async fn pet(table: &Table, pet_id: &str) -> Result<Option<Pet>, Error> {
        Ok(table
            .query(Pet::query_gsi1(pet_id)?)
            .all()
            .await?
            .into_iter()
            .next())
    }

    /// A pet's health timeline, newest first.
    pub async fn timeline(table: &Table, pet_id: &str) -> Result<Vec<HealthEvent>, Error> {
        table
            .query(HealthEvent::query(pet_id)?)
            .descending()
            .all()
            .await
    }

    /// A pet's medications.
    pub async fn medications(table: &Table, pet_id: &str) -> Result<Vec<Medication>, Error> {
        table.query(Medication::query(pet_id)?).all().await
    }

    /// Upcoming appointments across all of a user's pets, for the reminder e-mails: one query
    /// of GSI1, from `now` on.
    pub async fn upcoming_appointments(
        table: &Table,
        owner_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Appointment>, Error> {
        table
            .query(Appointment::query_gsi1(owner_id)?.at_ge(now)?)
            .all()
            .await
    }

    /// The first design, kept to show the review's `fan-out`: one query per pet, merged on the
    /// client.
    pub async fn upcoming_appointments_per_pet(
        table: &Table,
        pet_ids: &[String],
        now: DateTime<Utc>,
    ) -> Result<Vec<Appointment>, Error> {
        let mut all = Vec::new();
        for pet_id in pet_ids {
            all.extend(
                table
                    .query(Appointment::query(pet_id)?.at_ge(now)?)
                    .all()
                    .await?,
            );
        }
        // In the index's order: time, then id.
        all.sort_by(|a, b| (a.at, &a.appt_id).cmp(&(b.at, &b.appt_id)));
        Ok(all)
    }

    /// A vet's appointments of one day: one query of GSI2.
    pub async fn vet_day(
        table: &Table,
        vet_id: &str,
        day: DateTime<Utc>,
    ) -> Result<Vec<Appointment>, Error> {
        table
            .query(Appointment::query_gsi2(vet_id, day)?)
            .all()
            .await
    }

    /// A club's latest posts, newest first: one page.
    pub async fn club_posts(
        table: &Table,
        club_id: &str,
        page_size: u32,
    ) -> Result<Vec<ClubPost>, Error> {
        Ok(table
            .query(ClubPost::query(club_id)?)
            .descending()
            .page_size(page_size)
            .page()
            .await?
            .items)
    }

    /// A club's members.
    pub async fn members(table: &Table, club_id: &str) -> Result<Vec<Membership>, Error> {
        table.query(Membership::query(club_id)?).all().await
    }

    /// A user's clubs: one query of GSI1.
    pub async fn clubs_of(table: &Table, user_id: &str) -> Result<Vec<Membership>, Error> {
        table.query(Membership::query_gsi1(user_id)?).all().await
    }

    /// Joins a club, once.
    pub async fn join(table: &Table, membership: &Membership) -> Result<Membership, Error> {
        table.create(membership).await
    }

    /// A post's comments, oldest first.
    pub async fn comments(table: &Table, post_id: &str) -> Result<Vec<Comment>, Error> {
        table.query(Comment::query(post_id)?).all().await
    }

    /// Reacts to a post: `true` the first time, `false` when the user had reacted already.
    pub async fn react(table: &Table, reaction: &Reaction) -> Result<bool, Error> {
        Ok(matches!(
            table.create_if_absent(reaction).await?,
            Created::Created(_)
        ))
    }

    /// Follows a user.
    pub async fn follow(table: &Table, follow: &Follow) -> Result<Follow, Error> {
        table.create(follow).await
    }

    /// A user's followers: one query of GSI1.
    pub async fn followers(table: &Table, user_id: &str) -> Result<Vec<Follow>, Error> {
        table.query(Follow::query_gsi1(user_id)?).all().await
    }

    /// Whom a user follows.
    pub async fn following(table: &Table, user_id: &str) -> Result<Vec<Follow>, Error> {
        table.query(Follow::query(user_id)?).all().await
    }

    /// Sends an appointment's reminder once: `true` if this call is the one that sends it.
    pub async fn remind(table: &Table, reminder: &ReminderSent) -> Result<bool, Error> {
        Ok(matches!(
            table.create_if_absent(reminder).await?,
            Created::Created(_)
        ))
    }
}
