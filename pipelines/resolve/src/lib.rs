//! Entity resolution of person and vehicle sightings (pure)
