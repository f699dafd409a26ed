//! Intel service: serves packages to forces and networks to analysts, access-checked and audited
