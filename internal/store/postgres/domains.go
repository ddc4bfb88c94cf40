package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/openswf/openswf/internal/store"
)

func scanDomain(r pgx.Row) (*store.Domain, error) {
	var d store.Domain
	if err := r.Scan(&d.ID, &d.Name, &d.Status, &d.Description, &d.Retention, &d.CreatedAt, &d.DeprecatedAt); err != nil {
		return nil, err
	}
	d.CreatedAt = d.CreatedAt.UTC()
	d.DeprecatedAt = utc(d.DeprecatedAt)
	return &d, nil
}

func (t *tx) DomainInsert(ctx context.Context, d *store.Domain) (int64, error) {
	if err := t.alone(); err != nil {
		return 0, err
	}
	var id int64
	err := t.queryRow(ctx, stmt("DomainInsert"),
		[]any{d.Name, d.Status, d.Description, d.Retention, ms(d.CreatedAt), msPtr(d.DeprecatedAt)}, &id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, store.ErrExists
	}
	return id, err
}

// domainGet returns the one domain a query finds, or ErrNotFound. In a
// write the domain's row is locked FOR SHARE, so that it is not deprecated
// while the write registers a type in it (the engine caches domains, so
// that busy writes seldom read them).
func (t *tx) domainGet(ctx context.Context, query string, arg any) (*store.Domain, error) {
	q := stmt(query)
	if t.write {
		q += " FOR SHARE"
	}
	d, err := scanDomain(t.row(ctx, q, arg))
	if err != nil {
		return nil, notFound(t.note(err))
	}
	return d, nil
}

func scanDomainRow(r pgx.CollectableRow) (*store.Domain, error) { return scanDomain(r) }

func (t *tx) DomainGetByName(ctx context.Context, name string) (*store.Domain, error) {
	return t.domainGet(ctx, "DomainGetByName", name)
}

func (t *tx) DomainGetByID(ctx context.Context, id int64) (*store.Domain, error) {
	return t.domainGet(ctx, "DomainGetByID", id)
}

// DomainCount counts the domains; in a write, under a lock that the
// writes that count them share with no other.
func (t *tx) DomainCount(ctx context.Context) (int, error) {
	t.lock(ctx, false, lockDomains, 0, "")
	var n int
	err := t.queryRow(ctx, stmt("DomainCount"), nil, &n)
	return n, err
}

func (t *tx) DomainList(ctx context.Context, p store.DomainListParams) ([]*store.Domain, error) {
	dir, cmp := "ASC", ">"
	if p.Reverse {
		dir, cmp = "DESC", "<"
	}
	q := stmt("DomainList")
	args := []any{p.Status, limit(p.Limit)}
	if p.After != nil {
		q += " AND name " + cmp + " $3"
		args = append(args, *p.After)
	}
	q += " ORDER BY name " + dir + " LIMIT $2"
	return queryAll(ctx, t, q, args, scanDomainRow)
}

func (t *tx) DomainSetStatus(ctx context.Context, id int64, c store.StatusChange) error {
	if err := t.alone(); err != nil {
		return err
	}
	return t.later(ctx, stmt("DomainSetStatus"), id, c.Status, msPtr(c.DeprecatedAt))
}

// DomainTagList returns a domain's tags. In a write it takes the domain's
// tag lock shared, and DomainTagPut takes it exclusive: a write that reads
// the tags, checks their number and adds some cannot go past the limit
// alongside another (one of two such writes fails as a deadlock and runs
// again).
func (t *tx) DomainTagList(ctx context.Context, domainID int64) ([]store.Tag, error) {
	t.lock(ctx, true, lockTags, domainID, "")
	return queryAll(ctx, t, stmt("DomainTagList"), []any{domainID},
		func(r pgx.CollectableRow) (store.Tag, error) {
			var tag store.Tag
			err := r.Scan(&tag.Key, &tag.Value)
			return tag, err
		})
}

func (t *tx) DomainTagPut(ctx context.Context, domainID int64, tags []store.Tag) error {
	if err := t.alone(); err != nil {
		return err
	}
	// One statement for all the tags; a key given twice keeps its last
	// value, as when they are put one by one (and one INSERT … ON CONFLICT
	// may not change a row twice).
	last := map[string]int{}
	for i, tag := range tags {
		last[tag.Key] = i
	}
	keys, values := make([]string, 0, len(last)), make([]string, 0, len(last))
	for i, tag := range tags {
		if last[tag.Key] == i {
			keys, values = append(keys, tag.Key), append(values, tag.Value)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	t.lock(ctx, false, lockTags, domainID, "")
	return t.later(ctx, stmt("DomainTagPut"), domainID, keys, values)
}

func (t *tx) DomainTagDelete(ctx context.Context, domainID int64, keys []string) error {
	if err := t.alone(); err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	return t.later(ctx, stmt("DomainTagDelete"), domainID, keys)
}
