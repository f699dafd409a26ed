//! A synthetic national world of retail crime with ground truth. Pure: no I/O, deterministic for a
//! seed. It powers `orca simulate` (which writes the files) and `orca demo`.
//!
//! ```
//! use orca_simulate::{World, WorldParams};
//!
//! let world = World::new(WorldParams::new(42, 500));
//! let mut stream = world.incidents();
//! let reports: Vec<_> = stream.by_ref().collect();
//! assert_eq!(reports.len(), 500);
//! let summary = stream.summary(); // parameters and counts for truth/world.json
//! assert!(summary.groups.len() >= 6);
//! assert!(!world.group_truth().is_empty());
//! ```
//!
//! What the world looks like (`docs/domain.md`): fifteen national chains and independents with stores in
//! every force, more where people live; mostly one-off and local offenders, a minority of prolific
//! ones, and organised groups of 3-12 with a core and a periphery who travel corridors of
//! neighbouring forces, hit several chains in a day, use vehicles (some on cloned or false plates)
//! and change membership over time, and take a large share of the loss. Reports are noisy the way
//! real ones are, and traps are planted for careless matching. The noise model and every parameter
//! are tabulated in [`noise_model`].
//!
//! Nothing in a report reveals the truth: true ids are keyed permutations that appear only in the
//! truth rows; retailer references follow each retailer's own numbering in arrival order; reports
//! are emitted in the order they were reported, interleaving every offender's.
//!
//! Modules, from the outside in:
//! - [`world`]: [`World`], built from [`WorldParams`]: stores, population, groups, vehicles, traps.
//! - [`stream`]: [`IncidentStream`], the reports in arrival order, with bounded memory.
//! - [`truth`]: truth rows ([`SightingTruth`], [`VehicleTruth`], [`GroupMemberRow`]) and [`WorldSummary`].
//! - [`params`]: every knob with its default.
//! - `planner`: who offends where and when, day by day; `render`: a plan as a retailer reports it.
//! - `describe`, `vehicles`, `face`, `names`, `narrative`: the reporting noise for people, plates,
//!   faces, names and free text.
//! - `population`, `groups`, `traps`, `people`: the offenders and who they really are.
//! - `retail`, `geography`, `goods`: retailers, stores, forces and what is stolen.

#[doc = include_str!("../NOISE.md")]
pub mod noise_model {}

mod describe;
pub mod face;
mod geography;
pub mod goods;
pub mod groups;
mod names;
mod narrative;
pub mod params;
mod people;
mod planner;
mod population;
mod random;
mod render;
pub mod retail;
pub mod stream;
pub mod traps;
pub mod truth;
mod vehicles;
pub mod world;

pub use groups::GroupRole;
pub use params::{GroupParams, NoiseParams, OffenderParams, RetailParams, TrapParams, WorldParams};
pub use retail::{ReferenceStyle, Retailer};
pub use stream::IncidentStream;
pub use traps::TrapKind;
pub use truth::{
    ClonedPlateRow, EmittedCounts, GroupMemberRow, GroupSummary, PopulationCounts, SightingTruth, SimulatedIncident,
    TrapRow, VehicleTruth, WorldSummary,
};
pub use world::World;
