import GRDB

/// The store's schema, as named, append-only migrations.
///
/// Each migration is SQL text, never app types, so a shipped migration reads the same
/// whatever the records become later; it is never edited once shipped — a change is a new
/// migration appended below. Rules the data must obey (states, JSON, one running job per
/// printer, job events and undelivered fleet messages never deleted) live in the schema:
/// SQLite enforces them for every writer, including a `sqlite3` shell.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2-fleet-link") { db in
            try db.execute(sql: v2FleetLink)
        }
        migrator.registerMigration("v3-outbox-refusals") { db in
            try db.execute(sql: v3OutboxRefusals)
        }
        migrator.registerMigration("v4-recovery-heights") { db in
            try db.execute(sql: v4RecoveryHeights)
        }
        migrator.registerMigration("v5-calibration-runs") { db in
            try db.execute(sql: v5CalibrationRuns)
        }
        migrator.registerMigration("v6-printed-layer") { db in
            try db.execute(sql: v6PrintedLayer)
        }
        return migrator
    }

    private static let jobStates = "'queued', 'printing', 'paused', 'completed', 'failed', "
        + "'cancelled', 'interrupted', 'aborted'"

    /// Printers, jobs with their layer index and event history, telemetry, the fleet
    /// outbox and calibration results. Times are milliseconds since the Unix epoch.
    private static let v1 = """
        CREATE TABLE printer (
            id TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
            name TEXT NOT NULL,
            port TEXT NOT NULL,
            profile TEXT NOT NULL,
            firmware_name TEXT,
            firmware_json TEXT CHECK (firmware_json IS NULL OR json_valid(firmware_json)),
            state TEXT NOT NULL,
            updated_at_ms INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE job (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            printer_id TEXT NOT NULL REFERENCES printer(id),
            name TEXT NOT NULL,
            spool_path TEXT NOT NULL,
            sha256 TEXT NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
            size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
            commands INTEGER NOT NULL CHECK (commands >= 0),
            source_lines INTEGER NOT NULL CHECK (source_lines >= 0),
            layers INTEGER NOT NULL CHECK (layers >= 0),
            estimated_s REAL CHECK (estimated_s >= 0),
            filament_mm REAL,
            bbox_json TEXT CHECK (bbox_json IS NULL OR json_valid(bbox_json)),
            analysis_json TEXT CHECK (analysis_json IS NULL OR json_valid(analysis_json)),
            forced INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0, 1)),
            state TEXT NOT NULL CHECK (state IN (\(jobStates))),
            failure_reason TEXT,
            submitted_at_ms INTEGER NOT NULL,
            started_at_ms INTEGER,
            ended_at_ms INTEGER,
            last_acked_source_line INTEGER NOT NULL DEFAULT 0 CHECK (last_acked_source_line >= 0),
            last_acked_byte INTEGER NOT NULL DEFAULT 0 CHECK (last_acked_byte >= 0),
            acked_commands INTEGER NOT NULL DEFAULT 0 CHECK (acked_commands >= 0),
            current_z_mm REAL,
            current_layer INTEGER,
            queue_position INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX job_by_printer_state ON job(printer_id, state, queue_position);
        CREATE UNIQUE INDEX job_one_running_per_printer ON job(printer_id)
            WHERE state IN ('printing', 'paused');

        CREATE TABLE job_layer (
            job_id INTEGER NOT NULL REFERENCES job(id) ON DELETE CASCADE,
            layer INTEGER NOT NULL CHECK (layer >= 0),
            z_mm REAL NOT NULL,
            source_line INTEGER NOT NULL CHECK (source_line >= 1),
            byte_offset INTEGER NOT NULL CHECK (byte_offset >= 0),
            resume_json TEXT CHECK (resume_json IS NULL OR json_valid(resume_json)),
            PRIMARY KEY (job_id, layer)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE job_event (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            job_id INTEGER NOT NULL REFERENCES job(id),
            printer_id TEXT NOT NULL REFERENCES printer(id),
            kind TEXT NOT NULL,
            from_state TEXT CHECK (from_state IN (\(jobStates))),
            to_state TEXT NOT NULL CHECK (to_state IN (\(jobStates))),
            detail TEXT,
            at_ms INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX job_event_by_job ON job_event(job_id);
        CREATE TRIGGER job_event_never_deleted BEFORE DELETE ON job_event
        BEGIN
            SELECT RAISE(ABORT, 'job events are history and are never deleted');
        END;
        CREATE TRIGGER job_event_never_updated BEFORE UPDATE ON job_event
        BEGIN
            SELECT RAISE(ABORT, 'job events are history and are never changed');
        END;

        -- No foreign keys here: one stale reference must not reject a whole batch, and
        -- these rows are the bulk that retention deletes first.
        CREATE TABLE telemetry (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            printer_id TEXT NOT NULL,
            at_ms INTEGER NOT NULL,
            channel TEXT NOT NULL,
            value REAL NOT NULL,
            target REAL,
            job_id INTEGER
        ) STRICT;
        CREATE INDEX telemetry_by_printer_time ON telemetry(printer_id, at_ms);

        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            printer_id TEXT NOT NULL REFERENCES printer(id),
            sequence INTEGER NOT NULL CHECK (sequence >= 1),
            kind TEXT NOT NULL,
            payload TEXT NOT NULL CHECK (json_valid(payload)),
            created_at_ms INTEGER NOT NULL,
            delivered_at_ms INTEGER,
            UNIQUE (printer_id, sequence)
        ) STRICT;
        CREATE INDEX outbox_undelivered ON outbox(printer_id, sequence)
            WHERE delivered_at_ms IS NULL;
        CREATE TRIGGER outbox_undelivered_never_deleted BEFORE DELETE ON outbox
            WHEN OLD.delivered_at_ms IS NULL
        BEGIN
            SELECT RAISE(ABORT, 'undelivered fleet messages are never deleted');
        END;

        CREATE TABLE calibration (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            printer_id TEXT NOT NULL REFERENCES printer(id),
            kind TEXT NOT NULL,
            data_json TEXT NOT NULL CHECK (json_valid(data_json)),
            at_ms INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX calibration_by_printer_kind ON calibration(printer_id, kind, at_ms);
        """

    /// What the fleet link needs beyond the outbox: per printer, the last telemetry row
    /// already put into a fleet message (rows after it are gathered into the next one, also
    /// after a crash), and the highest outbox row known to be on stable storage.
    private static let v2FleetLink = """
        -- No foreign key, as for telemetry: a cursor outliving its printer is harmless.
        CREATE TABLE fleet_telemetry_cursor (
            printer_id TEXT PRIMARY KEY NOT NULL,
            last_telemetry_id INTEGER NOT NULL CHECK (last_telemetry_id >= 0)
        ) STRICT, WITHOUT ROWID;

        -- One row. Written with synchronous = FULL, which fsyncs the WAL and with it every
        -- commit before: outbox rows up to durable_through_id survive a power cut.
        CREATE TABLE outbox_durability (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            durable_through_id INTEGER NOT NULL,
            synced_at_ms INTEGER NOT NULL
        ) STRICT;
        INSERT INTO outbox_durability (id, durable_through_id, synced_at_ms) VALUES (1, 0, 0);
        """

    /// A message the broker refused for good (MQTT 5 PUBACK "not authorized", "topic name
    /// invalid", "payload format invalid") is set aside instead of going out again at every
    /// reconnect. It stays undelivered, so never deleted, until `printedge fleet retry`
    /// queues it again.
    private static let v3OutboxRefusals = """
        ALTER TABLE outbox ADD COLUMN refused_at_ms INTEGER;
        ALTER TABLE outbox ADD COLUMN refusal TEXT;
        """

    /// What crash recovery needs to know where the head can be: each layer's first printing
    /// move (a job stopped before its first layer's has nothing on the bed to recover) and the
    /// part's height before it; and, while a paused job's head is parked, the park's height.
    /// `current_layer` now means the highest layer whose first line may have been sent: the
    /// stream holds at each layer until it is recorded.
    private static let v4RecoveryHeights = """
        ALTER TABLE job_layer ADD COLUMN first_print_line INTEGER CHECK (first_print_line >= 1);
        ALTER TABLE job_layer ADD COLUMN printed_height_mm REAL;
        ALTER TABLE job ADD COLUMN parked_z_mm REAL;
        """

    /// The highest layer the printer is known to have printed at its own height (an `M400`
    /// after the layer's first extrusion was answered): the height a recovery declares when
    /// the printer lost its position. `current_layer` is only the highest layer whose lines
    /// may have been sent, which a board reset can catch still in the planner, lower.
    private static let v6PrintedLayer = """
        ALTER TABLE job ADD COLUMN printed_layer INTEGER CHECK (printed_layer >= 0);
        """

    /// Every calibration run is kept, not only the good ones: how it ended, and which earlier
    /// results it made stale (a tramming round that turned no screw changes nothing, so the
    /// kinds come from the run, not from its kind alone). Staleness is read from these rows:
    /// a result is stale once a later completed run lists its kind.
    private static let v5CalibrationRuns = """
        ALTER TABLE calibration ADD COLUMN outcome TEXT NOT NULL DEFAULT 'completed'
            CHECK (outcome IN ('completed', 'failed', 'cancelled'));
        ALTER TABLE calibration ADD COLUMN invalidates_json TEXT NOT NULL DEFAULT '[]'
            CHECK (json_valid(invalidates_json) AND json_type(invalidates_json) = 'array');
        """
}
