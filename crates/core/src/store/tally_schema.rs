//! The tallies' schema (migration 3): the tables that keep incident counts
//! beside the incidents, and the triggers that keep them exact under every
//! write. `tally` reads them; `migrations` lists this as step 3.

/// Migration 3. A tally row's key is the incident's portfolio filter
/// values: `classification` is '' and `classified` 0 when the incident
/// has none; `unassigned` is 1 when it has no owner (NULL or ''). Rows
/// that reach zero are deleted, so the tables stay as small as the number
/// of distinct combinations.
pub(super) const SCHEMA: &str = r#"
    -- Per tenant: counts of one tenant, and of the tenants to leave out
    -- of the cross-tenant figures (not present).
    CREATE TABLE incident_tally (
        tenant_id      TEXT NOT NULL,
        severity       TEXT NOT NULL,
        status         TEXT NOT NULL,
        classification TEXT NOT NULL,
        classified     INTEGER NOT NULL,
        unassigned     INTEGER NOT NULL,
        n              INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, severity, status, classification, classified, unassigned)
    ) WITHOUT ROWID;
    -- Every tenant together, present or not.
    CREATE TABLE incident_tally_all (
        severity       TEXT NOT NULL,
        status         TEXT NOT NULL,
        classification TEXT NOT NULL,
        classified     INTEGER NOT NULL,
        unassigned     INTEGER NOT NULL,
        n              INTEGER NOT NULL,
        PRIMARY KEY (severity, status, classification, classified, unassigned)
    ) WITHOUT ROWID;
    -- Incidents created per UTC day (the first 10 characters of
    -- created_at) per tenant.
    CREATE TABLE incident_days (
        day       TEXT NOT NULL,
        tenant_id TEXT NOT NULL,
        n         INTEGER NOT NULL,
        PRIMARY KEY (day, tenant_id)
    ) WITHOUT ROWID;

    -- Per tenant: incidents neither resolved nor redirected ("open"), and
    -- those of them with high severity, for the tenant list.
    CREATE TABLE incident_open (
        tenant_id TEXT PRIMARY KEY NOT NULL,
        open      INTEGER NOT NULL,
        high      INTEGER NOT NULL
    ) WITHOUT ROWID;

    INSERT INTO incident_open
        SELECT tenant_id, sum(status NOT IN ('resolved', 'redirected')),
               sum(status NOT IN ('resolved', 'redirected') AND severity = 'high')
        FROM incidents GROUP BY tenant_id;
    INSERT INTO incident_tally
        SELECT tenant_id, severity, status, coalesce(classification, ''),
               classification IS NOT NULL, coalesce(assigned_to, '') = '', count(*)
        FROM incidents GROUP BY 1, 2, 3, 4, 5, 6;
    INSERT INTO incident_tally_all
        SELECT severity, status, classification, classified, unassigned, sum(n)
        FROM incident_tally GROUP BY 1, 2, 3, 4, 5;
    INSERT INTO incident_days
        SELECT substr(created_at, 1, 10), tenant_id, count(*) FROM incidents GROUP BY 1, 2;

    CREATE TRIGGER incidents_tally_insert AFTER INSERT ON incidents BEGIN
        INSERT INTO incident_tally VALUES (NEW.tenant_id, NEW.severity, NEW.status,
            coalesce(NEW.classification, ''), NEW.classification IS NOT NULL,
            coalesce(NEW.assigned_to, '') = '', 1)
            ON CONFLICT DO UPDATE SET n = n + 1;
        INSERT INTO incident_tally_all VALUES (NEW.severity, NEW.status,
            coalesce(NEW.classification, ''), NEW.classification IS NOT NULL,
            coalesce(NEW.assigned_to, '') = '', 1)
            ON CONFLICT DO UPDATE SET n = n + 1;
        INSERT INTO incident_days VALUES (substr(NEW.created_at, 1, 10), NEW.tenant_id, 1)
            ON CONFLICT DO UPDATE SET n = n + 1;
        INSERT INTO incident_open VALUES (NEW.tenant_id,
            NEW.status NOT IN ('resolved', 'redirected'),
            NEW.status NOT IN ('resolved', 'redirected') AND NEW.severity = 'high')
            ON CONFLICT DO UPDATE SET open = open + excluded.open, high = high + excluded.high;
    END;

    CREATE TRIGGER incidents_tally_delete AFTER DELETE ON incidents BEGIN
        UPDATE incident_tally SET n = n - 1 WHERE tenant_id = OLD.tenant_id
            AND severity = OLD.severity AND status = OLD.status
            AND classification = coalesce(OLD.classification, '')
            AND classified = (OLD.classification IS NOT NULL)
            AND unassigned = (coalesce(OLD.assigned_to, '') = '');
        UPDATE incident_tally_all SET n = n - 1 WHERE severity = OLD.severity
            AND status = OLD.status AND classification = coalesce(OLD.classification, '')
            AND classified = (OLD.classification IS NOT NULL)
            AND unassigned = (coalesce(OLD.assigned_to, '') = '');
        UPDATE incident_days SET n = n - 1
            WHERE day = substr(OLD.created_at, 1, 10) AND tenant_id = OLD.tenant_id;
        UPDATE incident_open SET open = open - (OLD.status NOT IN ('resolved', 'redirected')),
            high = high - (OLD.status NOT IN ('resolved', 'redirected') AND OLD.severity = 'high')
            WHERE tenant_id = OLD.tenant_id;
        DELETE FROM incident_tally WHERE tenant_id = OLD.tenant_id AND n <= 0;
        DELETE FROM incident_tally_all WHERE severity = OLD.severity AND n <= 0;
        DELETE FROM incident_days
            WHERE day = substr(OLD.created_at, 1, 10) AND tenant_id = OLD.tenant_id AND n <= 0;
    END;

    -- Every upsert names all of these columns, so the WHEN clause keeps the
    -- common case (nothing counted changed) to one comparison.
    CREATE TRIGGER incidents_tally_update
        AFTER UPDATE OF tenant_id, severity, status, classification, assigned_to, created_at
        ON incidents
        WHEN OLD.tenant_id IS NOT NEW.tenant_id OR OLD.severity IS NOT NEW.severity
            OR OLD.status IS NOT NEW.status OR OLD.classification IS NOT NEW.classification
            OR (coalesce(OLD.assigned_to, '') = '') IS NOT (coalesce(NEW.assigned_to, '') = '')
            OR substr(OLD.created_at, 1, 10) IS NOT substr(NEW.created_at, 1, 10)
    BEGIN
        UPDATE incident_tally SET n = n - 1 WHERE tenant_id = OLD.tenant_id
            AND severity = OLD.severity AND status = OLD.status
            AND classification = coalesce(OLD.classification, '')
            AND classified = (OLD.classification IS NOT NULL)
            AND unassigned = (coalesce(OLD.assigned_to, '') = '');
        UPDATE incident_tally_all SET n = n - 1 WHERE severity = OLD.severity
            AND status = OLD.status AND classification = coalesce(OLD.classification, '')
            AND classified = (OLD.classification IS NOT NULL)
            AND unassigned = (coalesce(OLD.assigned_to, '') = '');
        UPDATE incident_days SET n = n - 1
            WHERE day = substr(OLD.created_at, 1, 10) AND tenant_id = OLD.tenant_id;
        UPDATE incident_open SET open = open - (OLD.status NOT IN ('resolved', 'redirected')),
            high = high - (OLD.status NOT IN ('resolved', 'redirected') AND OLD.severity = 'high')
            WHERE tenant_id = OLD.tenant_id;
        DELETE FROM incident_tally WHERE tenant_id = OLD.tenant_id AND n <= 0;
        DELETE FROM incident_tally_all WHERE severity = OLD.severity AND n <= 0;
        DELETE FROM incident_days
            WHERE day = substr(OLD.created_at, 1, 10) AND tenant_id = OLD.tenant_id AND n <= 0;
        INSERT INTO incident_tally VALUES (NEW.tenant_id, NEW.severity, NEW.status,
            coalesce(NEW.classification, ''), NEW.classification IS NOT NULL,
            coalesce(NEW.assigned_to, '') = '', 1)
            ON CONFLICT DO UPDATE SET n = n + 1;
        INSERT INTO incident_tally_all VALUES (NEW.severity, NEW.status,
            coalesce(NEW.classification, ''), NEW.classification IS NOT NULL,
            coalesce(NEW.assigned_to, '') = '', 1)
            ON CONFLICT DO UPDATE SET n = n + 1;
        INSERT INTO incident_days VALUES (substr(NEW.created_at, 1, 10), NEW.tenant_id, 1)
            ON CONFLICT DO UPDATE SET n = n + 1;
        INSERT INTO incident_open VALUES (NEW.tenant_id,
            NEW.status NOT IN ('resolved', 'redirected'),
            NEW.status NOT IN ('resolved', 'redirected') AND NEW.severity = 'high')
            ON CONFLICT DO UPDATE SET open = open + excluded.open, high = high + excluded.high;
    END;
"#;
