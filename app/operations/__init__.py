"""Running the registry as a service: backups, restores and the checks that nothing was lost
(ADR 0037). Above every domain: these read all of the record, and no domain reads them."""
