"""Program community: events and their registrations, and program surveys."""
