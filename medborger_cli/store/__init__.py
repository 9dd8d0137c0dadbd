"""The only code that holds SQL: reads and writes, decides nothing. Every function takes a
`sqlite_utils.Database`; times are stored as local `YYYY-MM-DDTHH:MM` strings.

- `connection`: where the database is, opening it (refusing files that are not ours or come from
  a newer medborger), migrating, `write(db)` transactions, backups, the schema version
- `schema`: the migrations m001..., registered in order and by name
- `records`: inserts, updates and deletes, lookups by id or name, dependants, acknowledgements
- `queries`: what listings and reports read, counts and the health check
- `exchange`: export rows and cells, import name maps and bulk inserts
- `privacy`: where a person is mentioned, erasing them, scrubbing the file
- `sql`: helpers shared by the modules above (row reading, date windows, name keys)

Callers use the names re-exported here (`store.connect`, `store.write`, ...), not the modules.
"""

from .connection import (
    BUSY_TIMEOUT_SECONDS,
    backup_to,
    connect,
    default_path,
    journal,
    resolve_path,
    schema_version,
    write,
)
from .exchange import (
    active_slots,
    activity_refs,
    export_bookings_cells,
    export_rows,
    insert_bookings_fast,
    name_maps,
)
from .privacy import FREE_TEXT, PERSONAL_FIELDS, erase_person, person_mentions, scrub
from .queries import (
    activities,
    activity_facts,
    activity_targets,
    actor_names,
    actors,
    bookings,
    bookings_by_ids,
    bookings_in_slots,
    centres,
    check,
    closures,
    counts,
    is_empty,
    occurrence_groups,
    room_centres,
    rooms,
    running_over_midnight,
)
from .records import (
    acknowledge,
    acknowledgements,
    booking,
    cancel_bookings_between,
    centre,
    delete,
    dependants,
    find_named,
    insert_activity,
    insert_actor,
    insert_bookings,
    insert_centre,
    insert_closure,
    insert_room,
    names_of,
    set_booking_status,
    unacknowledge,
)
from .schema import MIGRATION_NAMES, m001_initial, m002_acknowledgements, m003_active_index, m004_bookings_by_start, migrations
from .sql import name_key, now

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "FREE_TEXT",
    "journal",
    "MIGRATION_NAMES",
    "PERSONAL_FIELDS",
    "acknowledge",
    "acknowledgements",
    "active_slots",
    "activities",
    "activity_facts",
    "activity_refs",
    "activity_targets",
    "actor_names",
    "actors",
    "backup_to",
    "booking",
    "bookings",
    "bookings_by_ids",
    "bookings_in_slots",
    "cancel_bookings_between",
    "centre",
    "centres",
    "check",
    "closures",
    "connect",
    "counts",
    "default_path",
    "delete",
    "dependants",
    "erase_person",
    "export_bookings_cells",
    "export_rows",
    "find_named",
    "insert_activity",
    "insert_actor",
    "insert_bookings",
    "insert_bookings_fast",
    "insert_centre",
    "insert_closure",
    "insert_room",
    "is_empty",
    "m001_initial",
    "m002_acknowledgements",
    "m003_active_index",
    "m004_bookings_by_start",
    "migrations",
    "name_key",
    "name_maps",
    "names_of",
    "now",
    "occurrence_groups",
    "person_mentions",
    "resolve_path",
    "room_centres",
    "rooms",
    "running_over_midnight",
    "schema_version",
    "scrub",
    "set_booking_status",
    "unacknowledge",
    "write",
]
