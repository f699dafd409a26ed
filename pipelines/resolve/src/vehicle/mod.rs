//! Vehicles: normalised plates, misread-aware comparison, partial reads matched only to known
//! vehicles with corroboration, and cloned plates (one mark on two vehicles).

pub mod compare;
pub mod features;
