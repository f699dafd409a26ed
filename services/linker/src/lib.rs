//! Linker service: drives orca-network and orca-packages from resolutions to packages
