-- Queries of the SQLite store, one per "-- name:" header, with :named
-- parameters. Times are Unix milliseconds passed in by the caller.

-- name: DomainInsert
INSERT INTO domains (name, status, description, retention, created_at, deprecated_at)
VALUES (:name, :status, :description, :retention, :created_at, :deprecated_at)
ON CONFLICT (name) DO NOTHING;

-- name: DomainGetByName
SELECT id, name, status, description, retention, created_at, deprecated_at
FROM domains WHERE name = :name;

-- name: DomainCount
SELECT count(*) FROM domains;

-- name: DomainListAsc
SELECT id, name, status, description, retention, created_at, deprecated_at
FROM domains
WHERE status = :status AND (:after IS NULL OR name > :after)
ORDER BY name ASC
LIMIT :limit;

-- name: DomainListDesc
SELECT id, name, status, description, retention, created_at, deprecated_at
FROM domains
WHERE status = :status AND (:after IS NULL OR name < :after)
ORDER BY name DESC
LIMIT :limit;

-- name: DomainSetStatus
UPDATE domains SET status = :status, deprecated_at = :deprecated_at WHERE id = :id;

-- name: DomainTagList
SELECT key, value FROM domain_tags WHERE domain_id = :domain_id ORDER BY key;

-- name: DomainTagPut
INSERT INTO domain_tags (domain_id, key, value) VALUES (:domain_id, :key, :value)
ON CONFLICT (domain_id, key) DO UPDATE SET value = excluded.value;

-- name: DomainTagDelete
DELETE FROM domain_tags WHERE domain_id = :domain_id AND key = :key;

-- name: TypeInsert
INSERT INTO types (domain_id, kind, name, version, status, description, created_at, deprecated_at, config)
VALUES (:domain_id, :kind, :name, :version, :status, :description, :created_at, :deprecated_at, :config)
ON CONFLICT (domain_id, kind, name, version) DO NOTHING;

-- name: TypeGet
SELECT domain_id, kind, name, version, status, description, created_at, deprecated_at, config
FROM types
WHERE domain_id = :domain_id AND kind = :kind AND name = :name AND version = :version;

-- name: TypeCount
SELECT count(*) FROM types WHERE domain_id = :domain_id AND kind = :kind;

-- name: TypeListAsc
SELECT domain_id, kind, name, version, status, description, created_at, deprecated_at, config
FROM types
WHERE domain_id = :domain_id AND kind = :kind AND status = :status
  AND (:name IS NULL OR name = :name)
  AND (:after_name IS NULL OR name > :after_name OR (name = :after_name AND version > :after_version))
ORDER BY name ASC, version ASC
LIMIT :limit;

-- name: TypeListDesc
SELECT domain_id, kind, name, version, status, description, created_at, deprecated_at, config
FROM types
WHERE domain_id = :domain_id AND kind = :kind AND status = :status
  AND (:name IS NULL OR name = :name)
  AND (:after_name IS NULL OR name < :after_name OR (name = :after_name AND version < :after_version))
ORDER BY name DESC, version DESC
LIMIT :limit;

-- name: TypeSetStatus
UPDATE types SET status = :status, deprecated_at = :deprecated_at
WHERE domain_id = :domain_id AND kind = :kind AND name = :name AND version = :version;

-- name: TypeDeprecateAll
UPDATE types SET status = 'DEPRECATED', deprecated_at = :deprecated_at
WHERE domain_id = :domain_id AND status = 'REGISTERED';

-- name: TypeDelete
DELETE FROM types
WHERE domain_id = :domain_id AND kind = :kind AND name = :name AND version = :version;

-- name: MetaGet
SELECT value FROM meta WHERE key = :key;

-- name: MetaPutIfAbsent
INSERT INTO meta (key, value) VALUES (:key, :value) ON CONFLICT (key) DO NOTHING;
